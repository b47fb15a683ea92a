// The Django adapter: the project's own manage.py and Django's migration API (loader, recorder,
// executor), driven through one small helper script run by the project's Python.
import { relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  type AdapterContext,
  type Capabilities,
  type MergeOptions,
  type MergeReport,
  type Migration,
  type NativeCommands,
  type MigrationAdapter,
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
  isPendingLike,
  parseDatabaseUrl,
  sourceOf,
} from '@metamig/core';
import {
  DATABASE_ENV,
  SETTINGS_ENV,
  helperManageArgv,
  helperSqlmigrateArgv,
  helperStatusArgv,
  helperVersionArgv,
  mergeArgs,
  migrateArgs,
  migrateToArgs,
  nativeCommand,
  settingsOption,
  sqlmigrateArgs,
  toDjangoDatabase,
} from './argv.js';
import { assertExactDown, headsAdvice, liveDatabaseWarnings } from './advice.js';
import { detector } from './detect.js';
import { statusFast } from './fast.js';
import { appOf, crossAppNotes, downPlan, upTargets } from './graph.js';
import { condenseTracebacks, lastJsonLine, parseFailure, parseHelperStatus, parseMergeCreated, parseSqlmigrate, parseSqlmigrateDoc, statusFromHelper } from './parse.js';

/** helpers/ sits next to both src/ (tests) and dist/ (the build). */
export const HELPER = fileURLToPath(new URL('../helpers/metamig_django.py', import.meta.url));
const EXIT_USAGE = 2;
const EXIT_NOT_INSTALLED = 3;
const EXIT_OVERRIDE_LOST = 4;
const EXIT_NO_MANAGE = 5;

interface Invocation {
  python: string;
  env: Record<string, string | undefined>;
  settings: string | undefined;
}

function invocation(project: Project, ctx: AdapterContext): Invocation {
  const python = ctx.toolchains.require(ctx.toolchains.python(project.absRoot));
  const settings = settingsOption(project.options);
  // Unset unless metamig sets them: a stray value in metamig's own environment must not leak in.
  const env: Record<string, string | undefined> = { ...project.env, [DATABASE_ENV]: undefined, [SETTINGS_ENV]: settings };
  if (project.databaseUrl !== undefined) {
    env[DATABASE_ENV] = JSON.stringify(toDjangoDatabase(parseDatabaseUrl(project.databaseUrl, project.absRoot)));
  }
  return { python, env, settings };
}

const installFix = (project: Project, python: string) =>
  `Install Django for ${python}: ${python.startsWith(project.absRoot) ? `the project's own virtualenv comes first, so run \`${python} -m pip install django\` (plus psycopg[binary] for PostgreSQL)` : 'give the project its own .venv with Django installed'}, or run \`npm run setup\` in the meta-migrator checkout, which creates .toolchains/venv with the pinned Django and psycopg (used when the project has no .venv).`;

const joinOutput = (run: RunResult) => [run.stdout.trimEnd(), run.stderr.trimEnd()].filter(Boolean).join('\n');
const firstLine = (s: string) => s.split('\n')[0] ?? s;

async function runHelper(project: Project, ctx: AdapterContext, inv: Invocation, argv: string[]): Promise<RunResult> {
  const run = await ctx.runner.run(inv.python, argv, {
    cwd: project.absRoot,
    env: inv.env,
    signal: ctx.signal,
    ...(ctx.timeoutMs !== undefined ? { timeoutMs: ctx.timeoutMs } : {}),
    tool: 'django',
    installHint: installFix(project, inv.python),
  });
  const said = run.stderr.trim().split('\n').filter((l) => l.startsWith('metamig: ')).pop()?.slice(9) ?? run.stderr.trim();
  if (run.exitCode === EXIT_NOT_INSTALLED) {
    throw new MigratorError({ code: 'TOOL.NOT_FOUND', summary: `Django cannot be used from ${inv.python} (project ${project.id}).`, why: said, fix: installFix(project, inv.python) });
  }
  if (run.exitCode === EXIT_OVERRIDE_LOST || run.exitCode === EXIT_NO_MANAGE) {
    throw new MigratorError({
      code: 'CONFIG.INVALID',
      summary: `${project.id}: ${run.exitCode === EXIT_NO_MANAGE ? 'manage.py could not be used to set up Django' : 'the database metamig was asked to use did not reach Django'}; nothing was run.`,
      why: said,
      toolOutput: joinOutput(run),
      fix: run.exitCode === EXIT_NO_MANAGE
        ? 'metamig runs manage.py and takes over when it calls django.core.management.execute_from_command_line(sys.argv), as the manage.py that `django-admin startproject` writes does.'
        : 'Something connected before manage.py called execute_from_command_line; run without a database override, or move that code out of manage.py/settings.',
    });
  }
  if (run.exitCode === EXIT_USAGE) {
    throw new MigratorError({ code: 'INTERNAL', summary: 'metamig called its Django helper wrongly.', toolOutput: joinOutput(run), fix: 'This is a bug in metamig; please report it.' });
  }
  return run;
}

/** Several commands run one after the other are shown as one, joined with `&&`. */
function combinedSource(runs: RunResult[], commands: string[][], settings?: string, toolVersion?: string): Source {
  return {
    command: runs.flatMap((r, i) => (i ? ['&&', ...r.command] : r.command)),
    native: nativeCommand(commands, settings),
    durationMs: runs.reduce((t, r) => t + r.durationMs, 0),
    via: 'tool',
    ...(toolVersion ? { toolVersion } : {}),
  };
}

function failureWarnings(failed: Migration | undefined, direction: 'up' | 'down'): string[] {
  if (!failed) return [];
  if (failed.transactional === true) {
    return [`Django ran ${failed.id} in a transaction, so its own changes were rolled back; migrations before it in this run were committed one by one and stay ${direction === 'up' ? 'applied' : 'unapplied'} (the status after the run shows them).`];
  }
  return [`${failed.id} ran without a transaction (atomic = False, or no transactional DDL): statements it executed before the error stay in the database although Django did not record the ${direction === 'up' ? 'migration as applied' : 'rollback'}. Check the schema before retrying.`];
}

async function runCommands(project: Project, ctx: AdapterContext, commands: string[][], steps: Migration[], direction: 'up' | 'down', mode: ToolRun['mode'], warnings: string[]): Promise<ToolRun> {
  const inv = invocation(project, ctx);
  const runs: RunResult[] = [];
  const ran: string[][] = [];
  for (const args of commands) {
    const run = await runHelper(project, ctx, inv, helperManageArgv(HELPER, args));
    runs.push(run);
    ran.push(args);
    if (run.exitCode !== 0) {
      const failure = parseFailure(run.stdout, run.stderr);
      const what = failure.failedMigration ? `${project.id}: ${failure.failedMigration} failed` : `${project.id}: \`${nativeCommand([args], inv.settings)}\` failed`;
      const result: ToolRun = {
        ok: false,
        source: combinedSource(runs, ran, inv.settings),
        output: runs.map(joinOutput).join('\n'),
        error: new MigratorError({
          code: failure.failedMigration ? 'MIGRATION.FAILED' : 'TOOL.FAILED',
          summary: `${what}: ${firstLine(failure.message)}`,
          why: failure.message,
          toolOutput: condenseTracebacks(joinOutput(run)),
        }),
        mode,
        warnings: [...warnings, ...failureWarnings(steps.find((m) => m.id === failure.failedMigration), direction)],
      };
      if (failure.failedMigration) result.failedMigration = failure.failedMigration;
      return result;
    }
  }
  return { ok: true, source: combinedSource(runs, ran, inv.settings), output: runs.map(joinOutput).join('\n'), mode, warnings };
}

async function plan(project: Project, req: PlanRequest, ctx: AdapterContext): Promise<Plan> {
  const { direction, steps, state } = req;
  const backwards = direction === 'down';
  const warnings: string[] = [];
  if (backwards) {
    const dp = downPlan(state.migrations, steps);
    assertExactDown(project.id, state, steps, dp);
    warnings.push(...crossAppNotes(state.migrations, dp));
  }
  const inv = invocation(project, ctx);
  const ids = steps.map((s) => s.id);
  const run = await runHelper(project, ctx, inv, helperSqlmigrateArgv(HELPER, ids, backwards));
  if (run.exitCode !== 0 || lastJsonLine(run.stdout) === undefined) {
    const failure = parseFailure(run.stdout, run.stderr);
    throw new MigratorError({ code: 'TOOL.FAILED', summary: `${project.id}: Django could not render the SQL: ${firstLine(failure.message)}`, why: failure.message, toolOutput: condenseTracebacks(joinOutput(run)) });
  }
  const doc = parseSqlmigrateDoc(run.stdout);
  const results = new Map(doc.results.map((r) => [r.id, r]));
  const planSteps: PlanStep[] = steps.map((m) => {
    const r = results.get(m.id);
    if (!r || !r.ok) {
      return {
        migration: m,
        direction,
        sqlSource: 'unavailable',
        statements: [],
        reason: `\`${nativeCommand([sqlmigrateArgs(m.id, backwards)], inv.settings)}\` failed: ${r?.error ?? 'no result'}${r?.stderr ? `\n${r.stderr.trim()}` : ''}`,
        transactional: m.transactional ?? 'unknown',
      };
    }
    const script = parseSqlmigrate(r.sql, r.operations);
    return { migration: m, direction, sqlSource: 'native-preview', statements: script.statements, transactional: script.transactional };
  });
  warnings.push(...liveDatabaseWarnings(direction, doc.results));
  const sideEffects: string[] = [];
  if (doc.created_sqlite_file && doc.sqlite_file) sideEffects.push(`sqlmigrate connected to ${doc.sqlite_file}, which created it as an empty SQLite file (Django needs a connection to render SQL).`);
  if (doc.created_history_table) sideEffects.push('django_migrations was created by the preview.');
  return {
    project: project.id,
    framework: 'django',
    direction,
    target: req.target,
    steps: planSteps,
    sideEffects,
    source: { command: run.command, native: nativeCommand(ids.map((id) => sqlmigrateArgs(id, backwards)), inv.settings), durationMs: run.durationMs, via: 'tool' },
    warnings,
  };
}

async function mergeHeads(project: Project, opts: MergeOptions, ctx: AdapterContext): Promise<MergeReport> {
  const before = opts.state.heads;
  const apps = opts.state.history?.kind === 'multipleHeads' ? [...new Set(opts.state.history.heads.map(appOf))] : [];
  const inv = invocation(project, ctx); // makemigrations checks the history of the database it is given
  const args = mergeArgs(apps, opts.message);
  const run = await runHelper(project, ctx, inv, helperManageArgv(HELPER, args));
  if (run.exitCode !== 0) {
    const failure = parseFailure(run.stdout, run.stderr);
    throw errors.toolFailed('django', nativeCommand([args], inv.settings), run.exitCode, condenseTracebacks(joinOutput(run)), failure.message);
  }
  const created = parseMergeCreated(run.stdout).map((p) => relative(project.absRoot, p));
  const after = created.length ? (await adapter.status(project, ctx)).heads : before;
  const said = run.stdout.split('\n').map((l) => l.trim()).filter(Boolean);
  return {
    project: project.id,
    framework: 'django',
    headsBefore: before,
    headsAfter: after,
    created,
    renamed: [],
    refused: [],
    message: created.length
      ? `Merged ${before.join(', ')} with a merge migration (${created.join(', ')}). Review and commit it; \`metamig up\` applies it.`
      : `Nothing to merge: Django said "${said[said.length - 1] ?? 'nothing'}".`,
    source: sourceOf(run, nativeCommand([args], inv.settings)),
  };
}

async function checkToolchain(project: Project, ctx: AdapterContext): Promise<ToolchainCheck[]> {
  const spec = ctx.toolchains.python(project.absRoot);
  const python = ctx.toolchains.find(spec);
  if (!python) return [{ name: 'python', found: false, hint: spec.install }, { name: 'django', found: false, hint: spec.install }];
  const run = await ctx.runner.run(python, helperVersionArgv(HELPER), { cwd: project.absRoot, signal: ctx.signal, tool: 'python' });
  const v = lastJsonLine(run.stdout) as { python: string; django: string; drivers: Record<string, string | null> } | undefined;
  if (run.exitCode !== 0 || !v) return [{ name: 'python', found: true, path: python }, { name: 'django', found: false, hint: installFix(project, python) }];
  const drivers = Object.entries(v.drivers).filter(([, ver]) => ver).map(([name, ver]) => `${name} ${ver}`);
  return [
    { name: 'python', found: true, path: python, version: v.python },
    { name: 'django', found: true, version: v.django },
    drivers.length
      ? { name: 'psycopg', found: true, version: drivers.join(', ') }
      : { name: 'psycopg', found: false, hint: `Needed for PostgreSQL only: ${python} -m pip install 'psycopg[binary]'` },
  ];
}

export const capabilities: Capabilities = {
  status: { support: 'native', command: "showmigrations, read in one process through Django's MigrationLoader/MigrationRecorder/MigrationExecutor (helpers/metamig_django.py status)" },
  up: { support: 'native', command: 'python manage.py migrate | python manage.py migrate <app> <name> (one per target)' },
  down: { support: 'native', command: 'python manage.py migrate <app> <previous> | python manage.py migrate <app> zero, targets computed from the graph' },
  dryRun: { support: 'native', command: 'python manage.py sqlmigrate [--backwards] <app> <name> per migration (needs the database; RunPython shown as opaque)' },
  mergeHeads: { support: 'native', command: 'python manage.py makemigrations --merge --noinput <app>' },
  stepTargets: {
    support: 'emulated',
    how: 'Django has no "N steps": metamig turns the selected migrations into `migrate <app> <name|zero>` targets computed from the graph, checks with Django\'s own rules that they touch exactly the selection, and refuses otherwise',
  },
  transactionalDdl: { postgres: true, sqlite: true },
};


/** The commands a deployer types for ONE migration (rollback checklist). */
function commandsFor(project: Project, migration: Migration): NativeCommands {
  const settings = settingsOption(project.options);
  const [app] = migration.id.split('.');
  const apply = nativeCommand([migrateToArgs(migration.id)], settings);
  if (migration.reversible === false) return { apply, rollback: null, rollbackMode: 'none', note: migration.irreversibleReason ?? 'an operation cannot be reversed' };
  // Back to its predecessor in the same app (Django unapplies dependents in other apps too).
  const previous = migration.parents.find((p) => p.startsWith(`${app}.`));
  const rollback = nativeCommand([migrateArgs({ app: app!, name: previous ? previous.slice(app!.length + 1) : 'zero' })], settings);
  return { apply, rollback, rollbackMode: 'native', note: 'Django also unapplies migrations of other apps that depend on it' };
}

export const adapter: MigrationAdapter = {
  commands: commandsFor,
  framework: 'django',
  displayName: 'Django',
  capabilities,
  toolchain: ['python', 'django'],
  detect: detector.detect,
  describeDatabase: detector.describeDatabase,
  checkToolchain,
  async status(project, ctx) {
    const inv = invocation(project, ctx);
    const run = await runHelper(project, ctx, inv, helperStatusArgv(HELPER));
    if (run.exitCode !== 0) {
      const failure = parseFailure(run.stdout, run.stderr);
      throw new MigratorError({
        code: 'TOOL.FAILED',
        summary: `${project.id}: Django could not read the migration status: ${firstLine(failure.message)}`,
        why: failure.message,
        toolOutput: condenseTracebacks(joinOutput(run)),
        fix: `Check that the database is reachable and that \`${nativeCommand([['showmigrations']], inv.settings)}\` works in ${project.absRoot}.`,
      });
    }
    const h = parseHelperStatus(run.stdout);
    const s = statusFromHelper(h);
    return buildState({
      project: project.id,
      framework: 'django',
      database: h.database.display,
      migrations: s.migrations,
      current: s.current,
      heads: s.heads,
      source: sourceOf(run, nativeCommand([['showmigrations']], inv.settings), `Django ${h.django_version}`),
      warnings: s.warnings,
    });
  },
  statusFast,
  up(project, req, ctx) {
    const pending = req.state.migrations.filter(isPendingLike);
    const everything = req.target.kind === 'latest' || (req.steps.length === pending.length && pending.every((p) => req.steps.some((s) => s.id === p.id)));
    if (everything) return runCommands(project, ctx, [migrateArgs()], req.steps, 'up', { kind: 'native' }, []);
    const { targets, exact } = upTargets(req.state.migrations, req.steps);
    if (!exact) {
      throw new MigratorError({
        code: 'OPERATION.UNSUPPORTED',
        summary: `${project.id}: no set of \`migrate <app> <name>\` targets applies exactly ${req.steps.map((s) => s.id).join(', ')}.`,
        why: 'Django applies every unapplied dependency of a target; the selection misses some of them (an inconsistent history?).',
        fix: 'Nothing was changed. Run `metamig status` and pick a target with `metamig up --to <id>`.',
      });
    }
    const mode: ToolRun['mode'] =
      req.target.kind === 'to' ? { kind: 'native' } : { kind: 'emulated', how: `Django has no "N steps": ${targets.map((t) => `\`migrate ${t.replace('.', ' ')}\``).join(', ')} apply exactly the ${req.steps.length} selected` };
    const apps = [...new Set(req.steps.map((s) => appOf(s.id)))];
    const spans = apps.length > 1 ? [`This run spans ${apps.length} apps (${apps.join(', ')}): \`migrate <app> <name>\` applies the target's unapplied dependencies in other apps first.`] : [];
    return runCommands(project, ctx, targets.map(migrateToArgs), req.steps, 'up', mode, spans);
  },
  async down(project, req, ctx) {
    const dp = downPlan(req.state.migrations, req.steps);
    assertExactDown(project.id, req.state, req.steps, dp);
    const commands = dp.commands.map((c) => migrateArgs({ app: c.app, name: c.target }));
    const mode: ToolRun['mode'] =
      req.target.kind === 'to' && commands.length === 1
        ? { kind: 'native' }
        : { kind: 'emulated', how: `Django has no "N steps": ${dp.commands.map((c) => `\`migrate ${c.app} ${c.target}\` (${c.unapplies.join(', ')})`).join(', then ')}` };
    return runCommands(project, ctx, commands, req.steps, 'down', mode, crossAppNotes(req.state.migrations, dp));
  },
  plan,
  async heads(project, state) {
    return headsFromState(state, headsAdvice(state));
  },
  mergeHeads,
};

export default adapter;
