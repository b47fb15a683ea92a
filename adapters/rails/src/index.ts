// The Rails / ActiveRecord adapter: every operation is one run of helpers/metamig_rails.rb, which boots
// the project as `bin/rails` (or `rake`) does and answers through ActiveRecord's own API or the
// project's own db:* tasks. This file wires requests to it and its answers back.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import {
  type AdapterContext,
  type Capabilities,
  type Direction,
  type MergeReport,
  type Migration,
  type MigrationAdapter,
  type NativeCommands,
  type MigrationState,
  MigratorError,
  type Plan,
  type PlanRequest,
  type Project,
  type RunRequest,
  type RunResult,
  type ToolRun,
  type ToolchainCheck,
  buildState,
  headsFromState,
  registerUrl,
  sourceOf,
  timestampHeads,
  renamePlanned,
} from '@metamig/core';
import {
  type HelperRequest,
  type HelperTarget,
  type NativeContext,
  type TaskCall,
  downTasks,
  helperArgs,
  namespaced,
  nativeTasks,
  overrideEnv,
  railsEnvFor,
  railsOptions,
  upTasks,
  urlVariable,
} from './argv.js';
import { describeDatabase, detect, layoutOf } from './detect.js';
import { failureOf, restampAdvice, schemaWarnings, setupError } from './failures.js';
import { type HelperDoc, bookkeepingDdl, describeEntry, migrationError, migrationsFromStatus, parseHelperOutput, planSteps, stateHeads, statusWarnings, toolOutput } from './parse.js';
import { statusFast } from './fast.js';
import { planRestamp } from './restamp.js';

export { detector } from './detect.js';

export const capabilities: Capabilities = {
  status: { support: 'native', command: "bin/rails db:migrate:status (the same data, read through ActiveRecord's MigrationContext by metamig's helper in one boot)" },
  up: { support: 'native', command: 'bin/rails db:migrate; for a target db:migrate VERSION=<v>, or db:migrate:up VERSION=<v> per migration' },
  down: { support: 'native', command: 'bin/rails db:rollback STEP=<n>, or db:migrate:down VERSION=<v> per migration when STEP would not revert exactly the selection' },
  dryRun: {
    support: 'emulated',
    how: 'Rails has no dry run: the migrations run and every query is recorded — on PostgreSQL inside one transaction that is rolled back (disable_ddl_transaction! migrations are not run), on SQLite on a temporary copy of the database file',
  },
  mergeHeads: { support: 'emulated', how: 'Rails has no migration graph: --restamp renames pending out-of-order files to new versions (applied ones are never renamed)' },
  stepTargets: { support: 'native', command: 'db:migrate VERSION=<v>, db:migrate:up|down VERSION=<v>, db:rollback STEP=<n>' },
  transactionalDdl: { postgres: true, sqlite: true, mysql: false },
};

interface Invocation {
  ruby: string;
  target: HelperTarget;
  env: Record<string, string>;
  native: NativeContext;
}

function invocation(project: Project, ctx: AdapterContext): Invocation {
  const opts = railsOptions(project.options, project.id);
  const ruby = ctx.toolchains.require(ctx.toolchains.ruby(project.absRoot));
  const layout = layoutOf(project.absRoot);
  const gemfile = join(project.absRoot, 'Gemfile');
  const bundler = existsSync(gemfile);
  const railsEnv = railsEnvFor(opts, project.env);
  registerUrl(project.databaseUrl);
  const override = overrideEnv(project.databaseUrl, project.absRoot, opts.database);
  const variable = opts.database && opts.database !== 'primary' ? urlVariable(opts.database) : 'DATABASE_URL';
  return {
    ruby,
    target: { layout, ...(opts.database ? { database: opts.database } : {}) },
    // DISABLE_SPRING: a preloaded Spring server would keep the environment (and database) it booted with.
    env: { ...project.env, RAILS_ENV: railsEnv, DISABLE_SPRING: '1', ...(bundler ? { BUNDLE_GEMFILE: gemfile } : {}), ...override },
    native: { layout, bundler, railsEnv, ...(project.databaseUrl ? { override: { variable, url: override[variable]! } } : {}) },
  };
}

interface Call {
  run: RunResult;
  doc: HelperDoc;
  inv: Invocation;
}

async function callHelper(project: Project, ctx: AdapterContext, req: HelperRequest, inv = invocation(project, ctx)): Promise<Call> {
  const run = await ctx.runner.run(inv.ruby, helperArgs(req, inv.target), {
    cwd: project.absRoot,
    env: inv.env,
    signal: ctx.signal,
    ...(ctx.timeoutMs ? { timeoutMs: ctx.timeoutMs } : {}),
    tool: inv.native.layout === 'app' ? 'bin/rails' : 'rake',
    installHint: ctx.toolchains.ruby(project.absRoot).install,
  });
  const doc = parseHelperOutput(run, req.op);
  if (!doc.ok && doc.stage === 'setup') throw setupError(project, doc, run, inv.native.layout);
  return { run, doc, inv };
}

const toolVersion = (doc: HelperDoc) => (doc.versions?.rails ? `rails ${doc.versions.rails}` : doc.versions?.activerecord ? `activerecord ${doc.versions.activerecord}` : undefined);

async function status(project: Project, ctx: AdapterContext): Promise<MigrationState> {
  const { run, doc, inv } = await callHelper(project, ctx, { op: 'status' });
  const selected = doc.databases?.find((d) => d.selected);
  if (!doc.ok || !selected) {
    throw new MigratorError({
      code: 'TOOL.FAILED',
      summary: `${project.id}: ActiveRecord could not read the migration status: ${doc.error ? migrationError(doc.error).headline : 'no database in the answer'}`,
      toolOutput: toolOutput(run),
      fix: 'Check that the database is reachable with config/database.yml (or the --database-url given).',
    });
  }
  const multi = (doc.databases?.length ?? 0) > 1;
  const migrations = migrationsFromStatus(selected);
  return buildState({
    project: project.id,
    framework: 'rails',
    database: project.databaseUrl ? project.database.description : describeEntry(selected, doc.env, multi),
    migrations,
    ...stateHeads(migrations),
    source: sourceOf(run, nativeTasks(inv.native, [{ task: namespaced('db:migrate:status', multi, selected.name), vars: {} }]), toolVersion(doc)),
    warnings: statusWarnings(doc, selected),
  });
}

async function runTasks(project: Project, ctx: AdapterContext, tasks: TaskCall[], direction: Direction, steps: Migration[]): Promise<ToolRun> {
  const { run, doc, inv } = await callHelper(project, ctx, { op: 'run', tasks });
  const ran = tasks.map((t) => ({ ...t, task: namespaced(t.task, Boolean(doc.multi), doc.database ?? 'primary') }));
  const source = sourceOf(run, nativeTasks(inv.native, ran), toolVersion(doc));
  const output = toolOutput(run);
  const warnings = schemaWarnings(doc, inv.native, ran);
  if (doc.ok) return { ok: true, source, output, mode: { kind: 'native' }, warnings };
  const failure = failureOf(project, doc, output, direction, steps);
  const result: ToolRun = { ok: false, source, output, error: failure.error, mode: { kind: 'native' }, warnings: [...warnings, ...failure.warnings] };
  if (failure.failedMigration) result.failedMigration = failure.failedMigration;
  return result;
}

async function plan(project: Project, req: PlanRequest, ctx: AdapterContext): Promise<Plan> {
  const { run, doc } = await callHelper(project, ctx, { op: 'plan', direction: req.direction, versions: req.steps.map((s) => s.id) });
  if (!doc.ok) {
    throw new MigratorError({
      code: 'TOOL.FAILED',
      summary: `${project.id}: the preview could not run: ${doc.error ? migrationError(doc.error).headline : 'no answer'}`,
      toolOutput: toolOutput(run),
      fix: 'Check that the database is reachable with config/database.yml (or the --database-url given).',
    });
  }
  const steps = planSteps(doc, req.steps, req.direction);
  const sideEffects: string[] = [];
  const warnings = [
    `Rails migrations are Ruby: the preview ran their ${req.direction === 'up' ? 'up/change' : 'down/reverted change'} code against the current data. Anything they do outside the database (files, network) really happened, and data-dependent SQL may differ elsewhere.`,
  ];
  if (doc.mode === 'transaction') {
    sideEffects.push(`ran the migrations in one transaction on ${project.database.description} and rolled it back: no schema or data change remains, but their locks were held while they ran — preview against a throwaway or quiet database`);
    const created = bookkeepingDdl(doc);
    if (created.length) sideEffects.push(`created ${created.join(' and ')} inside that transaction (rolled back with it)`);
    if (steps.some((s) => s.statements.some((st) => /^\s*insert\b/i.test(st.sql)))) sideEffects.push('sequence values used by the captured INSERTs are not given back by the rollback');
  } else if (doc.mode === 'copy') {
    warnings.push(`On SQLite the preview ran on a temporary copy of ${doc.sourceFile ?? 'the database file'} (deleted afterwards); the project's database was only read.`);
  }
  return {
    project: project.id,
    framework: 'rails',
    direction: req.direction,
    target: req.target,
    steps,
    sideEffects,
    source: sourceOf(run, '(none: Rails has no dry run; metamig ran the migrations where nothing stays and recorded their queries)', toolVersion(doc)),
    warnings,
  };
}

async function mergeHeads(project: Project, opts: { restamp?: boolean; state: MigrationState }): Promise<MergeReport> {
  const started = performance.now();
  const { state } = opts;
  const headsBefore = timestampHeads(state);
  const report = (partial: Pick<MergeReport, 'headsAfter' | 'renamed' | 'refused' | 'message'>, native: string): MergeReport => ({
    project: project.id,
    framework: 'rails',
    headsBefore,
    created: [],
    ...partial,
    source: { command: [], native, durationMs: Math.round(performance.now() - started), via: 'tool' },
  });
  if (!opts.restamp) {
    const advice = restampAdvice(state);
    const message = advice.length ? `Rails has no migration graph, so there is nothing to merge. ${advice.join(' ')}` : 'Nothing to resolve: every pending migration sorts after the applied ones.';
    return report({ headsAfter: headsBefore, renamed: [], refused: [], message }, '(none: Rails has no merge command)');
  }
  const plan = planRestamp(state.migrations, new Date());
  const outcome = renamePlanned(project.absRoot, plan.renames);
  const renamed = outcome.renamed;
  const refused = [...plan.refused, ...outcome.refused];
  const newIdOf = new Map(outcome.moved.map((r) => [r.id, r.newId]));
  const fileIds = state.migrations.filter((m) => m.state !== 'missing-file').map((m) => newIdOf.get(m.id) ?? m.id);
  const newest = fileIds.reduce((a, b) => (BigInt(b) > BigInt(a) ? b : a), '0');
  const unresolved = state.migrations.filter((m) => m.state === 'out-of-order' && !newIdOf.has(m.id)).map((m) => m.id);
  const message = renamed.length
    ? `Renamed ${renamed.length} pending migration(s) to new versions after every existing one (class names unchanged); \`db:migrate\` will run them in the order the files now show.${refused.length ? ` Refused: ${refused.map((r) => r.file).join(', ')}.` : ''} Commit the renames; if db/schema.rb conflicted in the merge, keep the higher version and regenerate it with \`db:migrate\`.`
    : refused.length
      ? `Nothing renamed. Refused: ${refused.map((r) => `${r.file} (${r.reason})`).join('; ')}.`
      : 'Nothing to restamp: no pending migration sorts before an applied one.';
  const native = renamed.length ? renamed.map((r) => `git mv ${r.from} ${r.to}`).join(' && ') : '(nothing to rename)';
  return report({ headsAfter: [...unresolved, ...(newest === '0' ? [] : [newest])], renamed, refused, message }, native);
}

async function checkToolchain(project: Project, ctx: AdapterContext): Promise<ToolchainCheck[]> {
  const spec = ctx.toolchains.ruby(project.absRoot);
  const ruby = ctx.toolchains.find(spec);
  const layout = layoutOf(project.absRoot);
  const gem = layout === 'app' ? 'rails' : 'activerecord';
  if (!ruby) return [{ name: 'ruby', found: false, hint: spec.install }, { name: gem, found: false, hint: spec.install }];
  try {
    const { doc } = await callHelper(project, ctx, { op: 'version' });
    const v = doc.versions ?? {};
    const checks: ToolchainCheck[] = [
      { name: 'ruby', found: true, path: ruby, ...(v.ruby ? { version: v.ruby } : {}) },
      { name: gem, found: true, ...(v[gem] ? { version: v[gem] } : {}) },
    ];
    if (v.bundler) checks.push({ name: 'bundler', found: true, version: v.bundler });
    return checks;
  } catch (e) {
    const hint = e instanceof MigratorError ? [e.why, e.fix].filter(Boolean).join(' ') : String(e);
    return [{ name: 'ruby', found: true, path: ruby }, { name: gem, found: false, hint }];
  }
}


/** The commands a deployer types for ONE migration (rollback checklist). */
function commandsFor(project: Project, migration: Migration): NativeCommands {
  const opts = railsOptions(project.options, project.id);
  const layout = layoutOf(project.absRoot);
  const native: NativeContext = { layout, bundler: existsSync(join(project.absRoot, 'Gemfile')), railsEnv: railsEnvFor(opts, project.env) };
  const multi = opts.database !== undefined;
  const database = opts.database ?? 'primary';
  const version = migration.id;
  const apply = nativeTasks(native, [{ task: namespaced('db:migrate:up', multi, database), vars: { VERSION: version } }]);
  if (migration.reversible === false) return { apply, rollback: null, rollbackMode: 'none', note: migration.irreversibleReason ?? 'ActiveRecord::IrreversibleMigration' };
  const out: NativeCommands = { apply, rollback: nativeTasks(native, [{ task: namespaced('db:migrate:down', multi, database), vars: { VERSION: version } }]), rollbackMode: 'native' };
  if (migration.reversible === 'unknown') out.note = 'reversibility could not be read from the code: check its down/change before relying on it';
  return out;
}

export const adapter: MigrationAdapter = {
  commands: commandsFor,
  framework: 'rails',
  displayName: 'Rails (ActiveRecord)',
  capabilities,
  toolchain: ['ruby', 'activerecord'],
  detect,
  describeDatabase,
  checkToolchain,
  status,
  statusFast,
  up: (project: Project, req: RunRequest, ctx: AdapterContext) => runTasks(project, ctx, upTasks(req.state, req.steps, req.target), 'up', req.steps),
  down: (project: Project, req: RunRequest, ctx: AdapterContext) => runTasks(project, ctx, downTasks(req.state, req.steps), 'down', req.steps),
  plan,
  async heads(_project, state) {
    return headsFromState(state, restampAdvice(state));
  },
  mergeHeads: (project, opts) => mergeHeads(project, opts),
};
