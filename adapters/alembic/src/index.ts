// The Alembic adapter: Alembic's own API (status) and command line (everything else), driven
// through one small helper script run by the project's Python.
import { relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  type AdapterContext,
  type Capabilities,
  type MergeReport,
  type Migration,
  type MigrationAdapter,
  type MigrationState,
  MigratorError,
  type Plan,
  type PlanRequest,
  type PlanStep,
  type Project,
  type RunResult,
  type Source,
  type ToolchainCheck,
  type ToolRun,
  buildState,
  errors,
  headsFromState,
  parseDatabaseUrl,
  sourceOf,
  toSqlAlchemyUrl,
} from '@metamig/core';
import {
  URL_ENV,
  downgradeArgs,
  globalOptions,
  headsArgs,
  helperCliArgv,
  helperStatusArgv,
  helperVersionArgv,
  mergeArgs,
  nativeCommand,
  offlineDowngradeArgs,
  offlineUpgradeArgs,
  upgradeArgs,
} from './argv.js';
import { detector } from './detect.js';
import { downgradeMoves, downgradeTargets, upgradeRanges, upgradeTargets } from './graph.js';
import { type ToolFailure, condenseTracebacks, lastRunningRevision, parseFailure, parseGenerated, parseHeads, parseHelperStatus, parseOfflineSql, statusFromHelper } from './parse.js';
import { headsAdvice } from './advice.js';
import { commandsFor } from './commands.js';
import { statusFast } from './fast.js';

/** helpers/ sits next to both src/ (tests) and dist/ (the build). */
export const HELPER = fileURLToPath(new URL('../helpers/metamig_alembic.py', import.meta.url));
const EXIT_USAGE = 2;
const EXIT_NOT_INSTALLED = 3;
const EXIT_URL_IGNORED = 4;

interface Invocation {
  python: string;
  env: Record<string, string>;
  injectUrl: boolean;
  globals: string[];
}

function invocation(project: Project, ctx: AdapterContext, withDatabase = true): Invocation {
  const python = ctx.toolchains.require(ctx.toolchains.python(project.absRoot));
  const env: Record<string, string> = { ...project.env };
  const injectUrl = withDatabase && project.databaseUrl !== undefined;
  if (injectUrl) {
    // psycopg (v3) first; the helper falls back to psycopg2 when only that one is importable.
    env[URL_ENV] = toSqlAlchemyUrl(parseDatabaseUrl(project.databaseUrl!, project.absRoot), 'psycopg');
  }
  return { python, env, injectUrl, globals: globalOptions(project.options) };
}

const installFix = (project: Project, python: string) =>
  `Install Alembic for ${python}: ${python.startsWith(project.absRoot) ? `the project's own virtualenv comes first, so run \`${python} -m pip install alembic\` (plus psycopg[binary] for PostgreSQL)` : `give the project its own .venv with alembic installed`}, or run \`npm run setup\` in the meta-migrator checkout, which creates .toolchains/venv with the pinned alembic, SQLAlchemy and psycopg (used when the project has no .venv).`;

const joinOutput = (run: RunResult) => [run.stderr.trimEnd(), run.stdout.trimEnd()].filter(Boolean).join('\n');
const firstLine = (s: string) => s.split('\n')[0] ?? s;

async function runHelper(project: Project, ctx: AdapterContext, inv: Invocation, argv: string[]): Promise<RunResult> {
  const run = await ctx.runner.run(inv.python, argv, {
    cwd: project.absRoot,
    env: inv.env,
    signal: ctx.signal,
    ...(ctx.timeoutMs !== undefined ? { timeoutMs: ctx.timeoutMs } : {}),
    tool: 'alembic',
    installHint: installFix(project, inv.python),
  });
  if (run.exitCode === EXIT_NOT_INSTALLED) {
    throw new MigratorError({
      code: 'TOOL.NOT_FOUND',
      summary: `Alembic cannot be used from ${inv.python} (project ${project.id}).`,
      why: run.stderr.trim(),
      fix: installFix(project, inv.python),
    });
  }
  if (run.exitCode === EXIT_URL_IGNORED) {
    throw new MigratorError({
      code: 'CONFIG.INVALID',
      summary: `${project.id}: env.py does not use the database metamig was asked to use; nothing was run.`,
      why: parseFailure(joinOutput(run)).message,
      toolOutput: joinOutput(run),
      fix: 'Make env.py build its engine from config.get_main_option("sqlalchemy.url") (or from DATABASE_URL), or run without a database override.',
    });
  }
  if (run.exitCode === EXIT_USAGE) {
    throw new MigratorError({ code: 'INTERNAL', summary: 'metamig called its Alembic helper wrongly.', toolOutput: joinOutput(run), fix: 'This is a bug in metamig; please report it.' });
  }
  return run;
}

/** Several commands run one after the other are shown as one, joined with `&&`. */
function combinedSource(runs: RunResult[], commands: string[][]): Source {
  return {
    command: runs.flatMap((r, i) => (i ? ['&&', ...r.command] : r.command)),
    native: nativeCommand(commands),
    durationMs: runs.reduce((t, r) => t + r.durationMs, 0),
    via: 'tool',
  };
}

function failureWarnings(failure: ToolFailure, steps: Migration[]): string[] {
  const failed = steps.find((m) => m.id === failure.failedMigration);
  if (!failed) return [];
  if (failed.transactional === false) {
    return [`${failed.id} ran without a transaction: statements it executed before the error stay in the database, although Alembic did not record ${failed.id} as applied. Check the schema before retrying.`];
  }
  return ['Alembic ran the migrations in a transaction (by default one for the whole command), so the failure rolled back what that transaction had done; the status after the run shows what is really applied.'];
}

async function runCommands(project: Project, ctx: AdapterContext, commands: string[][], steps: Migration[]): Promise<ToolRun> {
  const inv = invocation(project, ctx);
  const runs: RunResult[] = [];
  const ran: string[][] = [];
  for (const args of commands) {
    const full = [...inv.globals, ...args];
    const run = await runHelper(project, ctx, inv, helperCliArgv(HELPER, full, inv.injectUrl));
    runs.push(run);
    ran.push(full);
    if (run.exitCode !== 0) {
      const output = runs.map(joinOutput).join('\n');
      const failure = parseFailure(joinOutput(run));
      const what = failure.failedMigration ? `${project.id}: ${failure.failedMigration} failed` : `${project.id}: \`${nativeCommand([full])}\` failed`;
      const result: ToolRun = {
        ok: false,
        source: combinedSource(runs, ran),
        output,
        error: new MigratorError({
          code: failure.failedMigration ? 'MIGRATION.FAILED' : 'TOOL.FAILED',
          summary: `${what}: ${firstLine(failure.message)}`,
          why: failure.message,
          toolOutput: condenseTracebacks(joinOutput(run)),
          exitCode: 1,
        }),
        mode: { kind: 'native' },
        warnings: failureWarnings(failure, steps),
      };
      if (failure.failedMigration) result.failedMigration = failure.failedMigration;
      return result;
    }
  }
  return { ok: true, source: combinedSource(runs, ran), output: runs.map(joinOutput).join('\n'), mode: { kind: 'native' }, warnings: [] };
}

/** One offline run: `upgrade [<start>:]<tip> --sql` or `downgrade <from>:<to> --sql`. */
type OfflineCommand = { covers: string[] } & ({ direction: 'up'; start?: string; tip: string } | { direction: 'down'; from: string; to: string });

const offlineArgs = (c: OfflineCommand) =>
  c.direction === 'up' ? offlineUpgradeArgs(c.start ? `${c.start}:${c.tip}` : c.tip) : offlineDowngradeArgs(c.from, c.to);

/** After offline mode failed in `broken`, preview the rest by starting just past it. */
function continuation(c: OfflineCommand, broken: string, state: MigrationState): OfflineCommand | undefined {
  if (c.direction === 'up') return broken === c.tip ? undefined : { ...c, start: broken };
  const parents = state.migrations.find((m) => m.id === broken)?.parents ?? [];
  const next = parents[0];
  return parents.length === 1 && next !== undefined && next !== c.to && c.covers.includes(next) ? { ...c, from: next } : undefined;
}

async function plan(project: Project, req: PlanRequest, ctx: AdapterContext): Promise<Plan> {
  const inv = invocation(project, ctx);
  const { direction, steps, state } = req;
  const queue: OfflineCommand[] =
    direction === 'up'
      ? upgradeRanges(state.migrations, steps).map((r) => ({ direction, tip: r.tip, covers: steps.map((s) => s.id), ...(r.start ? { start: r.start } : {}) }))
      : downgradeMoves(state.migrations, steps).map((m) => ({ direction, from: m.from, to: m.to, covers: m.removes }));
  const previews = new Map<string, PlanStep['statements']>();
  const unavailable = new Map<string, string>();
  const runs: RunResult[] = [];
  const ran: string[][] = [];
  const warnings: string[] = [];
  let bookkeeping = 0;
  for (let cmd = queue.shift(); cmd; cmd = queue.shift()) {
    const full = [...inv.globals, ...offlineArgs(cmd)];
    const run = await runHelper(project, ctx, inv, helperCliArgv(HELPER, full, inv.injectUrl));
    runs.push(run);
    ran.push(full);
    const script = parseOfflineSql(run.stdout, direction);
    bookkeeping += script.bookkeepingDropped;
    if (script.preamble.length) warnings.push(`env.py emitted SQL before the first migration: ${script.preamble.map((s) => s.sql).join('; ')}`);
    let broken: string | undefined;
    if (run.exitCode !== 0) {
      const failure = parseFailure(joinOutput(run));
      broken = lastRunningRevision(run.stderr);
      const reason = `\`${nativeCommand([full])}\` failed${broken ? ' in this migration' : ''}: ${failure.message}\n(Offline mode has no database connection: a migration that reads from the database, e.g. through op.get_bind(), cannot be previewed.)`;
      for (const id of broken ? [broken] : cmd.covers) if (!unavailable.has(id)) unavailable.set(id, reason);
      const next = broken ? continuation(cmd, broken, state) : undefined;
      if (next) queue.unshift(next);
    }
    for (const id of script.order) {
      if (id !== broken && cmd.covers.includes(id) && !previews.has(id)) previews.set(id, script.sections.get(id)!);
    }
  }
  const planSteps: PlanStep[] = steps.map((m) => {
    const transactional = m.transactional ?? 'unknown';
    const statements = previews.get(m.id);
    if (statements && !unavailable.has(m.id)) return { migration: m, direction, sqlSource: 'native-preview', statements, transactional };
    return {
      migration: m,
      direction,
      sqlSource: 'unavailable',
      statements: [],
      reason: unavailable.get(m.id) ?? `Alembic's --sql output had no section for ${m.id}.`,
      transactional,
    };
  });
  if (bookkeeping) warnings.push(`Alembic's alembic_version bookkeeping (${bookkeeping} statement${bookkeeping === 1 ? '' : 's'}: version rows, BEGIN/COMMIT, creating the version table) is not listed per migration.`);
  return {
    project: project.id,
    framework: 'alembic',
    direction,
    target: req.target,
    steps: planSteps,
    sideEffects: [], // offline mode (--sql) never connects to the database
    source: combinedSource(runs, ran),
    warnings,
  };
}

async function mergeHeads(project: Project, opts: Parameters<MigrationAdapter['mergeHeads']>[1], ctx: AdapterContext): Promise<MergeReport> {
  const before = opts.state.heads;
  const base = { project: project.id, framework: 'alembic' as const, headsBefore: before, renamed: [], refused: [] };
  if (before.length < 2) {
    return {
      ...base,
      headsAfter: before,
      created: [],
      message: `${project.id} has ${before.length ? `a single head (${before[0]})` : 'no revisions'}: nothing to merge. (\`alembic merge heads\` would still write an empty revision, so it was not run.)`,
      source: { command: [], native: '(nothing to do)', durationMs: 0, via: 'tool' },
    };
  }
  const inv = invocation(project, ctx, false); // merge writes a file; it never connects
  const args = [...inv.globals, ...mergeArgs(opts.message ?? 'merge heads')];
  const run = await runHelper(project, ctx, inv, helperCliArgv(HELPER, args, false));
  if (run.exitCode !== 0) {
    throw errors.toolFailed('alembic', nativeCommand([args]), run.exitCode, joinOutput(run), parseFailure(joinOutput(run)).message);
  }
  const created = parseGenerated(run.stdout).map((p) => relative(project.absRoot, p));
  if (!created.length) throw errors.unparseable('alembic', 'merge: no "Generating <file> ... done" line', joinOutput(run));
  const headsRun = await runHelper(project, ctx, inv, helperCliArgv(HELPER, [...inv.globals, ...headsArgs()], false));
  return {
    ...base,
    headsAfter: parseHeads(headsRun.stdout),
    created,
    message: `Merged ${before.join(', ')} into a new revision (${created.join(', ')}). Review and commit it; \`metamig up\` applies it.`,
    source: sourceOf(run, nativeCommand([args])),
  };
}

async function checkToolchain(project: Project, ctx: AdapterContext): Promise<ToolchainCheck[]> {
  const spec = ctx.toolchains.python(project.absRoot);
  const python = ctx.toolchains.find(spec);
  if (!python) return [{ name: 'python', found: false, hint: spec.install }, { name: 'alembic', found: false, hint: spec.install }];
  const run = await ctx.runner.run(python, helperVersionArgv(HELPER), { cwd: project.absRoot, signal: ctx.signal, tool: 'python' });
  const line = run.stdout.split('\n').find((l) => l.startsWith('{'));
  if (run.exitCode !== 0 || !line) {
    return [{ name: 'python', found: true, path: python }, { name: 'alembic', found: false, hint: installFix(project, python) }];
  }
  const v = JSON.parse(line) as { python: string; alembic: string; sqlalchemy: string; drivers: Record<string, string | null> };
  const drivers = Object.entries(v.drivers).filter(([, ver]) => ver).map(([name, ver]) => `${name} ${ver}`);
  const driverCheck: ToolchainCheck = drivers.length
    ? { name: 'psycopg', found: true, version: drivers.join(', ') }
    : { name: 'psycopg', found: false, hint: `Needed for PostgreSQL only: ${python} -m pip install 'psycopg[binary]'` };
  return [
    { name: 'python', found: true, path: python, version: v.python },
    { name: 'alembic', found: true, version: v.alembic },
    { name: 'sqlalchemy', found: true, version: v.sqlalchemy },
    driverCheck,
  ];
}

export const capabilities: Capabilities = {
  status: { support: 'native', command: "alembic current + alembic history, read in one process through Alembic's API (helpers/metamig_alembic.py status)" },
  up: { support: 'native', command: 'alembic upgrade heads | alembic upgrade <rev>' },
  down: { support: 'native', command: 'alembic downgrade <rev> | alembic downgrade <rev>@-N (explicit targets, never -N)' },
  dryRun: { support: 'native', command: 'alembic upgrade <from>:<to> --sql | alembic downgrade <from>:<to> --sql (offline)' },
  mergeHeads: { support: 'native', command: 'alembic merge -m "merge heads" heads' },
  stepTargets: { support: 'native', command: 'alembic upgrade <rev> / alembic downgrade <rev> with revisions computed from the graph' },
  transactionalDdl: { postgres: true, sqlite: false },
};

export const adapter: MigrationAdapter = {
  commands: commandsFor,
  framework: 'alembic',
  displayName: 'Alembic',
  capabilities,
  toolchain: ['python', 'alembic', 'sqlalchemy'],
  detect: detector.detect,
  describeDatabase: detector.describeDatabase,
  checkToolchain,
  async status(project, ctx) {
    const inv = invocation(project, ctx);
    const run = await runHelper(project, ctx, inv, helperStatusArgv(HELPER, inv.globals, inv.injectUrl));
    if (run.exitCode !== 0) {
      const failure = parseFailure(joinOutput(run));
      throw new MigratorError({
        code: 'TOOL.FAILED',
        summary: `${project.id}: Alembic could not read the migration status: ${firstLine(failure.message)}`,
        why: failure.message,
        toolOutput: condenseTracebacks(joinOutput(run)),
        fix: `Check that the database is reachable and that \`${nativeCommand([[...inv.globals, 'current']])}\` works in ${project.absRoot}.`,
      });
    }
    const h = parseHelperStatus(run.stdout);
    const s = statusFromHelper(h);
    return buildState({
      project: project.id,
      framework: 'alembic',
      database: h.database,
      migrations: s.migrations,
      current: s.current,
      heads: s.heads,
      source: sourceOf(run, nativeCommand([[...inv.globals, 'history', '--indicate-current']]), `alembic ${h.alembic_version} (SQLAlchemy ${h.sqlalchemy_version})`),
      warnings: s.warnings,
    });
  },
  statusFast,
  up(project, req, ctx) {
    const targets = upgradeTargets(req.state.migrations, req.steps, req.target.kind === 'latest');
    return runCommands(project, ctx, targets.map(upgradeArgs), req.steps);
  },
  down(project, req, ctx) {
    return runCommands(project, ctx, downgradeTargets(req.state.migrations, req.steps).map(downgradeArgs), req.steps);
  },
  plan,
  async heads(project, state) {
    return headsFromState(state, headsAdvice(state));
  },
  mergeHeads,
};

export default adapter;
