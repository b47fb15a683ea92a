// Prisma has no down migrations. metamig's emulation follows Prisma's own documented workflow: the
// migration's down.sql (prisma/migrations/<name>/down.sql), or SQL generated with
// `prisma migrate diff --from-migrations <up to it> --to-migrations <before it> --script`.
import { cpSync, existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type AdapterContext, type Project, type RunResult } from '@metamig/core';
import { diffArgs, nativeDiff } from './argv.js';
import { type FolderMigration, reversibilityOf } from './history.js';
import { cleanOutput, parseDiffScript, prismaError } from './parse.js';
import { type PrismaProject, rel } from './project.js';
import { runPrisma } from './status.js';
import { NON_TRANSACTIONAL, type SqlStatement, splitStatements } from './sql.js';

export type DownScript =
  | { ok: true; name: string; source: 'down.sql'; file: string; sql: string; statements: SqlStatement[] }
  | { ok: true; name: string; source: 'generated'; sql: string; statements: SqlStatement[]; native: string; run: RunResult }
  | { ok: false; name: string; reason: string; run?: RunResult };

const TX_CONTROL = /^(begin|commit|rollback|end|start\s+transaction|savepoint|release)\b/i;

/** A down script metamig can run in one transaction with the history update, or why not. */
function checkRunnable(name: string, statements: SqlStatement[], where: string, engine: string): string | undefined {
  const tx = statements.find((s) => TX_CONTROL.test(s.sql));
  if (tx) return `${where} line ${tx.line} controls the transaction itself (${tx.sql.split('\n')[0]}); metamig runs it and the _prisma_migrations update in one transaction. Remove the transaction statements.`;
  const outside = engine === 'postgres' ? statements.find((s) => NON_TRANSACTIONAL.test(s.sql)) : statements.find((s) => /^vacuum\b/i.test(s.sql));
  if (outside) return `${where} line ${outside.line} cannot run inside a transaction (${outside.sql.split('\n')[0]}). Roll ${name} back by hand.`;
  return undefined;
}

/** SQL from the migrations up to and including `target` to those before it, from Prisma itself. */
async function generate(project: Project, p: PrismaProject, ctx: AdapterContext, target: FolderMigration): Promise<DownScript> {
  const name = target.name;
  if (!p.cli) return { ok: false, name, reason: 'no down.sql, and none can be generated: prisma is not installed in the project' };
  const work = mkdtempSync(join(tmpdir(), 'metamig-prisma-down-'));
  try {
    const after = join(work, 'after');
    const before = join(work, 'before');
    for (const dir of [after, before]) {
      mkdirSync(dir);
      const lock = join(p.layout.migrationsDir, 'migration_lock.toml');
      if (existsSync(lock)) cpSync(lock, join(dir, 'migration_lock.toml'));
    }
    for (const f of p.folder) {
      if (f.name > name) break;
      const src = join(p.layout.migrationsDir, f.name, 'migration.sql');
      mkdirSync(join(after, f.name));
      cpSync(src, join(after, f.name, 'migration.sql'));
      if (f.name < name) {
        mkdirSync(join(before, f.name));
        cpSync(src, join(before, f.name, 'migration.sql'));
      }
    }
    const run = await runPrisma(project, p, ctx, (entry) => diffArgs(entry, after, before));
    const native = nativeDiff(`<copy of ${rel(p, p.layout.migrationsDir)} up to ${name}>`, `<copy up to the one before>`);
    if (run.exitCode !== 0) {
      const err = prismaError(`${run.stdout}\n${run.stderr}`);
      return { ok: false, name, run, reason: `no down.sql, and prisma migrate diff could not generate one: ${err?.code ? `${err.code} ` : ''}${(err?.message ?? cleanOutput(run.stderr)).split('\n')[0]}` };
    }
    const statements = parseDiffScript(run.stdout);
    if (!statements.length) {
      return { ok: false, name, run, reason: `no down.sql, and none can be generated: prisma migrate diff finds no schema difference before and after ${name} (what it does is outside the schema Prisma models: data, functions, triggers, grants …)` };
    }
    return { ok: true, name, source: 'generated', sql: statements.map((s) => `${s.sql};`).join('\n'), statements, native, run };
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

/** The rollback SQL of one migration: its down.sql, generated SQL, or the reason there is none. */
export async function downScript(project: Project, p: PrismaProject, ctx: AdapterContext, id: string): Promise<DownScript> {
  const f = p.folder.find((x) => x.name === id);
  if (!f) return { ok: false, name: id, reason: 'its folder is not in the migrations directory: there is no down.sql to run' };
  const r = reversibilityOf(f);
  let script: DownScript;
  if (f.downScript !== undefined) {
    script = { ok: true, name: id, source: 'down.sql', file: f.downFile!, sql: f.downScript, statements: splitStatements(f.downScript) };
  } else if (r.reversible === false) {
    return { ok: false, name: id, reason: r.irreversibleReason! };
  } else {
    script = await generate(project, p, ctx, f);
  }
  if (!script.ok) return script;
  const problem = checkRunnable(id, script.statements, script.source === 'down.sql' ? script.file : 'the generated SQL', p.connection?.engine ?? p.engine);
  return problem ? { ok: false, name: id, reason: problem } : script;
}
