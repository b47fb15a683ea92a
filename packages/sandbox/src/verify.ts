// Rollback you can trust: in a throwaway database, for each migration, snapshot → up → snapshot →
// down → snapshot (must equal the first) → up again (must equal the second), with the locks and
// rewrites of each `up` observed on seeded tables.
import { copyFileSync, existsSync } from 'node:fs';
import {
  type AdapterContext,
  type ErrorJson,
  type Migration,
  type MigrationAdapter,
  type MigrationVerification,
  MigratorError,
  type Project,
  type ProjectVerification,
  type SchemaDifference,
  type Target,
  isApplied,
  parseDatabaseUrl,
  type MigrationState,
  runMigrations,
  runMigrationsWithState,
  targetFor,
  toMigratorError,
} from '@metamig/core';
import { installObservationPause, observeLocks } from './observe.js';
import type { PostgresSandbox } from './postgres.js';
import { seedTables } from './seed.js';
import { diffSchemas } from './snapshot/diff.js';
import { snapshotPostgres } from './snapshot/postgres.js';
import { snapshotSqlite } from './snapshot/sqlite.js';
import { HISTORY_TABLES, type SchemaSnapshot, emptySnapshot } from './snapshot/types.js';
import type { SqliteSandbox } from './sqlite.js';

export interface VerifyOptions {
  all?: boolean;
  from?: string;
  seedRows?: number;
  postgres?: PostgresSandbox;
  sqlite?: SqliteSandbox;
}

interface Db {
  engine: 'postgres' | 'sqlite';
  create(name: string, from?: string): Promise<string>;
  drop(name: string): Promise<void>;
  snapshot(url: string, exclude: string[]): Promise<SchemaSnapshot>;
}

function postgresDb(pg: PostgresSandbox): Db {
  return {
    engine: 'postgres',
    create: (name, from) => pg.createDatabase(name, from ? { template: from } : {}),
    drop: (name) => pg.dropDatabase(name),
    snapshot: (url, exclude) => snapshotPostgres(url, { exclude }),
  };
}

function sqliteDb(s: SqliteSandbox): Db {
  return {
    engine: 'sqlite',
    async create(name, from) {
      const url = s.databaseUrl(name);
      if (from) {
        const src = parseDatabaseUrl(s.databaseUrl(from));
        const dst = parseDatabaseUrl(url);
        if (src.engine === 'sqlite' && dst.engine === 'sqlite' && existsSync(src.file)) copyFileSync(src.file, dst.file);
      }
      return url;
    },
    async drop() {},
    async snapshot(url, exclude) {
      const p = parseDatabaseUrl(url);
      return p.engine === 'sqlite' && existsSync(p.file) ? snapshotSqlite(p.file, { exclude }) : emptySnapshot('sqlite');
    },
  };
}

const objectsOf = (diffs: SchemaDifference[], kind: 'extra' | 'missing') =>
  diffs.filter((d) => d.kind === kind && (d.object === 'table' || d.object === 'column' || d.object === 'view' || d.object === 'sequence')).map((d) => `${d.object} ${d.name}`);

export async function verifyProject(adapter: MigrationAdapter, project: Project, ctx: AdapterContext, opts: VerifyOptions): Promise<ProjectVerification> {
  const db = opts.postgres ? postgresDb(opts.postgres) : opts.sqlite ? sqliteDb(opts.sqlite) : undefined;
  if (!db) throw new Error('verifyProject needs a PostgreSQL or SQLite sandbox');
  const warnings: string[] = [];
  const exclude = HISTORY_TABLES[adapter.framework] ?? [];
  const base = `mv_${project.id.replace(/[^a-z0-9]+/gi, '_').toLowerCase()}`.slice(0, 40);
  const at = (url: string): Project => ({ ...project, databaseUrl: url, database: targetFor(url, 'sandbox', project.absRoot) });

  // Which migrations to verify, decided on the project's own database (its pending set), unless --all.
  const scope: ProjectVerification['scope'] = opts.all ? 'all' : opts.from ? 'from' : 'pending';
  const templateUrl = await db.create(`${base}_tmpl`);
  const fresh = await adapter.status(at(templateUrl), ctx);
  let alreadyApplied = 0;
  if (scope === 'pending') {
    const real = await adapter.status(project, ctx);
    alreadyApplied = real.migrations.filter(isApplied).length;
    if (!real.migrations.some((m) => !isApplied(m))) warnings.push('Nothing is pending in the project database: use --all to verify the whole history.');
  } else if (scope === 'from') {
    const idx = fresh.migrations.findIndex((m) => m.id === opts.from || m.id.startsWith(opts.from!));
    if (idx < 0) {
      throw new MigratorError({ code: 'TARGET.UNKNOWN', summary: `--from ${opts.from}: no such migration in ${project.id}.`, fix: 'Pass an id exactly as `metamig status` shows it.' });
    }
    alreadyApplied = idx;
  }
  if (alreadyApplied > 0) await mustRun(adapter, at(templateUrl), 'up', { kind: 'steps', n: alreadyApplied }, ctx, 'bringing the sandbox to the state before the pending migrations');
  const toVerify: Migration[] = fresh.migrations.slice(alreadyApplied);

  let workUrl = await db.create(`${base}_work`, `${base}_tmpl`);
  if (db.engine === 'postgres') await installObservationPause(workUrl);
  const results: MigrationVerification[] = [];
  let known: MigrationState | undefined; // the last status read, valid until something else changes the database

  for (const [i, migration] of toVerify.entries()) {
    const v: MigrationVerification = { id: migration.id, name: migration.name, result: 'verified', differences: [], upAgainDifferences: [], added: [], removed: [], changes: [], timings: {}, seeded: [], notes: [] };
    results.push(v);
    const work = at(workUrl);
    if (db.engine === 'postgres') v.seeded = await seedTables(workUrl, await db.snapshot(workUrl, exclude), opts.seedRows ?? 500, (t) => !exclude.includes(t));
    for (const s of v.seeded.filter((x) => x.skipped)) v.notes.push(`table ${s.table} not seeded: ${s.skipped}`);

    const before = await db.snapshot(workUrl, exclude);
    const observer = db.engine === 'postgres' ? await observeLocks(workUrl, exclude) : undefined;
    const up = await step(adapter, work, 'up', ctx, known);
    known = up.after;
    if (observer) v.observations = await observer.stop();
    v.timings.upMs = up.ms;
    if (!up.ok) {
      v.result = 'up-error';
      if (up.error) v.error = up.error;
      warnings.push(`${migration.id}: up failed in the sandbox; the remaining migrations were not verified.`);
      break;
    }
    if (up.changed !== migration.id) v.notes.push(`the tool applied ${up.changed ?? 'nothing'} where ${migration.id} was expected`);
    const after = await db.snapshot(workUrl, exclude);
    const introduced = diffSchemas(before, after);
    v.added = objectsOf(introduced, 'extra');
    v.removed = objectsOf(introduced, 'missing');
    v.changes = introduced;

    if (migration.reversible === false) {
      v.result = 'irreversible';
      v.notes.push(migration.irreversibleReason ?? 'declared irreversible');
      continue;
    }
    const reset = async (what: string) => {
      // Start over from the template, replaying every migration up to and including this one.
      await db.drop(`${base}_work`);
      workUrl = await db.create(`${base}_work`, `${base}_tmpl`);
      if (db.engine === 'postgres') await installObservationPause(workUrl);
      await mustRun(adapter, at(workUrl), 'up', { kind: 'steps', n: i + 1 }, ctx, what);
      known = undefined;
    };
    const down = await step(adapter, work, 'down', ctx, known);
    known = down.after;
    v.timings.downMs = down.ms;
    if (!down.ok) {
      v.result = 'down-error';
      if (down.error) v.error = down.error;
      await reset('restoring the sandbox after a failed rollback');
      continue;
    }
    v.differences = diffSchemas(before, await db.snapshot(workUrl, exclude));
    if (v.differences.length) v.result = 'failed';
    const again = await step(adapter, work, 'up', ctx, known);
    known = again.after;
    v.timings.upAgainMs = again.ms;
    if (!again.ok) {
      // Typical after an incomplete rollback: up trips over what down left behind. Then the schema
      // difference is the finding and this is its consequence (a note); otherwise it is the error.
      if (v.result === 'failed') {
        v.notes.push(`applying it again after the rollback failed: ${again.error?.summary ?? 'the tool failed'}`);
      } else {
        v.result = 'up-error';
        if (again.error) v.error = again.error;
      }
      await reset('restoring the sandbox after a failed re-apply');
      continue;
    }
    v.upAgainDifferences = diffSchemas(after, await db.snapshot(workUrl, exclude));
    if (v.upAgainDifferences.length) v.result = 'failed';
  }
  return {
    project: project.id,
    framework: adapter.framework,
    engine: db.engine,
    ok: results.every((r) => r.result === 'verified' || r.result === 'irreversible'),
    scope,
    migrations: results,
    warnings,
  };
}

interface StepResult {
  ok: boolean;
  ms: number;
  changed?: string;
  error?: ErrorJson;
  /** The status after the step, reused as the next step's `before` (one status read per step). */
  after?: MigrationState;
}

async function step(adapter: MigrationAdapter, project: Project, direction: 'up' | 'down', ctx: AdapterContext, before?: MigrationState): Promise<StepResult> {
  try {
    const { report, after } = await runMigrationsWithState(adapter, project, direction, { kind: 'steps', n: 1 }, ctx, before ? { before } : {});
    // The native run's own duration (not the status reads around it).
    const out: StepResult = { ok: report.ok, ms: report.source.durationMs, after };
    if (report.changes[0]) out.changed = report.changes[0].id;
    if (report.error) out.error = report.error;
    return out;
  } catch (e) {
    return { ok: false, ms: 0, error: toMigratorError(e).toJSON() };
  }
}

async function mustRun(adapter: MigrationAdapter, project: Project, direction: 'up' | 'down', target: Target, ctx: AdapterContext, what: string): Promise<void> {
  const r = await runMigrations(adapter, project, direction, target, ctx);
  if (!r.ok) {
    throw new MigratorError({
      code: 'SANDBOX.FAILED',
      summary: `${project.id}: ${what} failed: ${r.error?.summary ?? 'the tool failed'}`,
      toolOutput: r.error?.toolOutput ?? '',
      fix: 'The migrations before the verified range do not apply cleanly to an empty database; fix them, or use --from/--all.',
    });
  }
}
