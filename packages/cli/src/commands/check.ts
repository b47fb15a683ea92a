// `metamig check`: the safety policy on the SQL each framework will really send — per project, the
// plan of the pending migrations (`planMigrations`) linted with `lintPlan`; or plain SQL files with
// `--sql`. Exit 1 when an unwaived error remains, 2 for config/usage/tool errors.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, resolve, sep } from 'node:path';
import { MigratorError, type Plan, planMigrations, type ProjectError } from '@metamig/core';
import {
  type CheckEntry,
  checkEntry,
  CheckOutputSchema,
  displayPath,
  formatGithub,
  formatJson,
  formatJunit,
  formatSarif,
  lintPlan,
  lintSqlFiles,
  loadParser,
  type ResolvedPolicy,
  resolvePolicy,
} from '@metamig/policy';
import { forEachProject, isProjectError } from '../each.js';
import { renderCheck } from '../render/diagnostics.js';
import { type Session, attachSandbox } from '../session.js';
import { VERSION } from '../version.js';

export const CHECK_FORMATS = ['text', 'json', 'sarif', 'junit', 'github'] as const;
export type CheckFormat = (typeof CHECK_FORMATS)[number];

export interface CheckOptions {
  /** Every migration, not only the pending ones (planned in a throwaway database). */
  all?: boolean;
  /** Only migrations whose files changed since this git ref (implies --all). */
  since?: string;
  /** Plain SQL files (or folders of *.sql) instead of projects. */
  sql?: string[];
  format?: CheckFormat;
}

const posix = (p: string) => p.split(sep).join('/');

/** Files named on the command line; a folder means its *.sql files, in name order. */
function sqlFiles(paths: string[], cwd: string): string[] {
  const out: string[] = [];
  for (const p of paths) {
    const abs = resolve(cwd, p);
    let st;
    try {
      st = statSync(abs);
    } catch {
      throw new MigratorError({ code: 'USAGE.INVALID', summary: `--sql ${p}: no such file or folder.`, fix: 'Pass SQL files or folders holding *.sql files.' });
    }
    if (st.isDirectory()) {
      const inside = readdirSync(abs)
        .filter((f) => f.endsWith('.sql'))
        .sort((a, b) => a.localeCompare(b, 'en', { numeric: true }))
        .map((f) => join(abs, f));
      if (inside.length === 0) throw new MigratorError({ code: 'USAGE.INVALID', summary: `--sql ${p}: the folder holds no .sql file.` });
      out.push(...inside);
    } else out.push(abs);
  }
  return out;
}

/** The policy of the session's config (CONFIG.INVALID names the field). */
export async function loadPolicy(session: Session): Promise<ResolvedPolicy> {
  return resolvePolicy(session.loaded.config.policy, {
    configDir: session.loaded.dir,
    repoRoot: session.root,
    ...(session.loaded.file ? { configFile: session.loaded.file } : {}),
  });
}

/** Repository files changed since `ref` (committed, staged, unstaged and untracked). */
async function changedFiles(session: Session, ref: string): Promise<Set<string>> {
  const git = (args: string[]) => session.ctx.runner.run('git', args, { cwd: session.root, tool: 'git', signal: session.ctx.signal, installHint: 'Install git.' });
  const diff = await git(['diff', '--name-only', '--no-renames', ref, '--']);
  if (diff.exitCode !== 0) {
    throw new MigratorError({ code: 'USAGE.INVALID', summary: `--since ${ref}: git could not compare with that ref.`, toolOutput: diff.stderr, fix: 'Pass a branch, tag or commit git knows (e.g. origin/main).' });
  }
  const untracked = await git(['ls-files', '--others', '--exclude-standard']);
  return new Set([...diff.stdout.split('\n'), ...untracked.stdout.split('\n')].map((l) => l.trim()).filter(Boolean));
}

function print(session: Session, format: CheckFormat, entries: (CheckEntry | ProjectError)[], unit: 'project' | 'file', checked?: Map<string, number>): void {
  const ok = entries.filter((e): e is CheckEntry => !isProjectError(e));
  switch (format) {
    case 'json': {
      const doc = { projects: entries };
      const parsed = CheckOutputSchema.safeParse(doc);
      if (!parsed.success) {
        throw new MigratorError({
          code: 'INTERNAL',
          summary: 'metamig produced check output that does not match its own schema.',
          why: parsed.error.issues.slice(0, 5).map((i) => `${i.path.join('.')}: ${i.message}`).join('\n'),
          fix: 'This is a bug in metamig; please report it with --verbose output.',
        });
      }
      process.stdout.write(formatJson(entries as CheckEntry[]));
      return;
    }
    case 'sarif':
      process.stdout.write(formatSarif(ok, { toolVersion: VERSION, repoRoot: session.root }));
      return;
    case 'junit':
      process.stdout.write(formatJunit(ok));
      return;
    case 'github':
      process.stdout.write(formatGithub(ok));
      return;
    default:
      process.stdout.write(`${renderCheck(entries, { unit, ...(checked ? { checked } : {}) })}\n`);
  }
}

function exitCode(entries: (CheckEntry | ProjectError)[]): number {
  if (entries.some(isProjectError)) return 2;
  return entries.some((e) => !isProjectError(e) && e.summary.failed) ? 1 : 0;
}

export async function checkCommand(session: Session, opts: CheckOptions): Promise<number> {
  const format: CheckFormat = opts.format ?? (session.opts.json ? 'json' : 'text');
  if (!CHECK_FORMATS.includes(format)) {
    throw new MigratorError({ code: 'USAGE.INVALID', summary: `--format ${format}: unknown format.`, fix: `Use one of: ${CHECK_FORMATS.join(', ')}.` });
  }
  // Compile the parser (WASM, on a background thread) while the policy and the files are read.
  const parserReady = loadParser();
  const policy = await loadPolicy(session);

  // ---- plain SQL files: one entry per file, linted in the order given ------------------------------
  if (opts.sql?.length) {
    if (opts.all || opts.since) throw new MigratorError({ code: 'USAGE.INVALID', summary: '--sql cannot be combined with --all or --since.', fix: 'Name the SQL files to check, or check projects.' });
    const files = sqlFiles(opts.sql, process.cwd()).map((abs) => {
      const path = displayPath(abs, session.root);
      try {
        return { path, text: readFileSync(abs, 'utf8') };
      } catch (e) {
        throw new MigratorError({ code: 'USAGE.INVALID', summary: `--sql ${path}: cannot read it (${(e as Error).message}).`, cause: e });
      }
    });
    await parserReady;
    const diagnostics = await lintSqlFiles(files, policy);
    const byFile = new Map<string, typeof diagnostics>(files.map((f) => [f.path, []]));
    for (const d of diagnostics) byFile.get(d.file ?? d.migration ?? '')?.push(d);
    const entries = files.map((f) => checkEntry(f.path, byFile.get(f.path)!));
    print(session, format, entries, 'file');
    return exitCode(entries);
  }

  // ---- projects: the plan of what `up` would run, linted -------------------------------------------
  // --all / --since judge every migration: plan them in a fresh database where all are pending.
  const everything = Boolean(opts.all || opts.since);
  let closeSandbox: (() => Promise<void>) | undefined;
  if (everything && !session.opts.sandbox) {
    session.logger.info(`${opts.since ? '--since' : '--all'}: planning every migration in a throwaway PostgreSQL (a fresh database per project).`);
    closeSandbox = await attachSandbox(session.projects, session.logger);
  }
  try {
    return await checkProjects(session, opts, policy, format, parserReady);
  } finally {
    await closeSandbox?.();
  }
}

async function checkProjects(session: Session, opts: CheckOptions, policy: Awaited<ReturnType<typeof loadPolicy>>, format: CheckFormat, parserReady: Promise<unknown>): Promise<number> {
  await parserReady;
  const changed = opts.since ? await changedFiles(session, opts.since) : undefined;
  const checked = new Map<string, number>();
  const entries = await forEachProject(session, async (project, adapter): Promise<CheckEntry> => {
    const plan: Plan = await planMigrations(adapter, project, 'up', { kind: 'latest' }, session.ctx);
    let diagnostics = await lintPlan(plan, policy, { projectRoot: project.absRoot, project: project.id });
    let steps = plan.steps;
    if (changed) {
      // Lint the whole history (so later migrations know the schema), report only the changed ones.
      const inRepo = (f: string | undefined) => (f ? posix(relative(session.root, resolve(project.absRoot, f))) : undefined);
      const keep = new Set(steps.filter((s) => [s.migration.file, ...s.statements.map((st) => st.file)].some((f) => changed.has(inRepo(f) ?? ''))).map((s) => s.migration.id));
      steps = steps.filter((s) => keep.has(s.migration.id));
      diagnostics = diagnostics.filter((d) => d.migration !== undefined && keep.has(d.migration));
    }
    checked.set(project.id, steps.length);
    return checkEntry(project.id, diagnostics, project.framework);
  });
  print(session, format, entries, 'project', checked);
  return exitCode(entries);
}
