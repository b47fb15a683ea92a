// The Knex adapter: every operation is one run of helpers/metamig-knex.cjs (the project's own knex,
// through its migration API) via ctx.runner; this file wires requests to it and its answers back.
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import {
  MigratorError,
  buildState,
  headsFromState,
  registerUrl,
  sourceOf,
  type AdapterContext,
  type Capabilities,
  type MergeReport,
  type Migration,
  type MigrationAdapter,
  type MigrationState,
  type Project,
  type RunRequest,
  type RunResult,
  type ToolRun,
  type ToolchainCheck,
  timestampHeads,
  renamePlanned,
} from '@metamig/core';
import { type HelperRequest, type HelperTarget, type KnexOverride, environmentOption, helperArgs, knexOverride, nativeDown, nativeStatus, nativeUp, overrideEnv } from './argv.js';
import { describeDatabase, detect } from './detect.js';
import { statusFast } from './fast.js';
import { knexfileOf } from './knexfile.js';
import {
  type HelperDoc,
  currentAndHeads,
  failedMigrationFrom,
  isLockError,
  knexOutput,
  migrationsFromStatus,
  missingFromCorrupt,
  parseHelperOutput,
  planSteps,
  setupError,
  statusWarnings,
} from './parse.js';
import { appliedOutOfOrder, planRestamp } from './restamp.js';
import { commandsFor } from './commands.js';

export { detector } from './detect.js';

const INSTALL_HINT = "metamig runs the project's own knex with Node.js 20.19+: install Node, then `npm install knex` in the project.";

export const capabilities: Capabilities = {
  status: { support: 'native', command: 'knex.migrate.list() through the helper (CLI: knex migrate:list); batch and time read from knex_migrations' },
  up: { support: 'native', command: 'knex migrate:latest, or knex migrate:to <name> for a target (knex >= 3.3.0)' },
  down: { support: 'native', command: 'knex migrate:down <name>, once per step, newest applied first' },
  dryRun: {
    support: 'emulated',
    how: "runs the migrations' up()/down() and records every query: on PostgreSQL in savepoints of one transaction that is rolled back (migrations with config.transaction = false are not run); on SQLite on a temporary copy of the database file",
  },
  mergeHeads: { support: 'emulated', how: 'knex has no migration graph: --restamp renames unapplied out-of-order files to new timestamps (applied ones are refused)' },
  stepTargets: { support: 'native', command: 'knex migrate:to <name> (3.3.0+; older knex: migrate:up <name> per file) and migrate:down <name>' },
  transactionalDdl: { postgres: true, sqlite: true },
};

interface Call {
  run: RunResult;
  doc: HelperDoc;
  target: HelperTarget;
  override: KnexOverride | undefined;
}

async function callHelper(project: Project, ctx: AdapterContext, req: HelperRequest): Promise<Call> {
  const environment = environmentOption(project.options, project.id);
  const target: HelperTarget = { knexfile: knexfileOf(project), ...(environment ? { environment } : {}) };
  registerUrl(project.databaseUrl);
  const override = project.databaseUrl ? knexOverride(project.databaseUrl, project.absRoot) : undefined;
  const node = ctx.toolchains.require(ctx.toolchains.node());
  const run = await ctx.runner.run(node, helperArgs(req, target), {
    cwd: project.absRoot,
    env: { ...project.env, ...overrideEnv(override) },
    signal: ctx.signal,
    ...(ctx.timeoutMs ? { timeoutMs: ctx.timeoutMs } : {}),
    tool: 'knex',
    installHint: INSTALL_HINT,
  });
  const doc = parseHelperOutput(run, req.op);
  if (!doc.ok && doc.stage === 'setup') throw setupError(doc, project.id, project.absRoot);
  return { run, doc, target, override };
}

const firstLine = (s: string) => s.split('\n')[0] ?? s;

function source(call: Call, native: string) {
  return sourceOf(call.run, native, call.doc.knexVersion);
}

/** Errors knex raises before or around the migrations themselves (corrupt directory, lock). */
function knexRefusal(project: Project, message: string, text: string): MigratorError | undefined {
  const missing = missingFromCorrupt(message);
  if (missing) {
    return new MigratorError({
      code: 'TOOL.FAILED',
      summary: `knex refuses to migrate ${project.id}: the migration directory is corrupt (files missing: ${missing.join(', ')}).`,
      why: 'knex_migrations records migrations whose files are not in the migrations directory (typically applied from another branch). Knex refuses every migration command until they are back.',
      toolOutput: text,
      fix: 'Check out the branch that has those files (and roll them back from there if they should go), or restore them. `metamig status` lists them as missing-file.',
    });
  }
  if (isLockError(message)) {
    return new MigratorError({
      code: 'TOOL.FAILED',
      summary: `knex could not take its migration lock in ${project.id}.`,
      why: 'Another migration is running, or a crashed run left knex_migrations_lock.is_locked = 1.',
      toolOutput: text,
      fix: 'Once sure nothing else migrates this database: `npx knex migrate:unlock`, then retry.',
    });
  }
  return undefined;
}

function upFailure(project: Project, call: Call, steps: Migration[], failed: string | undefined, text: string): MigratorError {
  const message = call.doc.error?.message ?? 'knex failed without a message';
  const refusal = knexRefusal(project, message, text);
  if (refusal) return refusal;
  if (!failed) return new MigratorError({ code: 'TOOL.FAILED', summary: `knex failed in ${project.id}: ${firstLine(message)}`, toolOutput: text });
  const oneTransaction = call.doc.method !== 'up-each' && steps.every((s) => s.transactional === true);
  const transactionalDdl = call.doc.engine === 'postgres' || call.doc.engine === 'sqlite';
  const why = oneTransaction
    ? transactionalDdl
      ? `Every migration in this batch is transactional, so knex ran all ${steps.length} in one transaction and the database rolled back the whole batch, not only ${failed}.`
      : 'Knex ran the batch in one transaction, but this database commits DDL immediately: statements that ran before the failure may remain.'
    : `Knex ran each migration in its own transaction (${call.doc.method === 'up-each' ? 'one batch per file' : 'a migration of this batch sets config.transaction = false'}): those before ${failed} stay applied, and a non-transactional one may be partly applied.`;
  return new MigratorError({ code: 'MIGRATION.FAILED', summary: `${project.id}: ${failed} failed: ${firstLine(message)}`, why, toolOutput: text, exitCode: 1 });
}

async function status(project: Project, ctx: AdapterContext): Promise<MigrationState> {
  const call = await callHelper(project, ctx, { op: 'status' });
  const { doc, run } = call;
  if (!doc.ok) {
    throw new MigratorError({
      code: 'TOOL.FAILED',
      summary: `knex could not read the migration status of ${project.id}: ${firstLine(doc.error?.message ?? '')}`,
      toolOutput: knexOutput(run.stderr, doc),
      fix: "Check that the database is reachable with the knexfile's settings (or the --database-url given).",
    });
  }
  return buildState({
    project: project.id,
    framework: 'knex',
    database: project.database.description,
    migrations: migrationsFromStatus(doc),
    ...currentAndHeads(doc),
    source: { ...source(call, nativeStatus(call.target, call.override)), via: doc.listedBy === 'migrate.list' ? 'tool' : 'history-table' },
    warnings: statusWarnings(doc),
  });
}

async function up(project: Project, req: RunRequest, ctx: AdapterContext): Promise<ToolRun> {
  const to = req.target.kind === 'latest' ? undefined : req.steps[req.steps.length - 1]?.id;
  const call = await callHelper(project, ctx, { op: 'up', ...(to ? { to } : {}) });
  const { doc, run } = call;
  const method = doc.method ?? (to ? 'to' : 'latest');
  const native = nativeUp(call.target, call.override, method, req.steps.map((s) => s.id));
  const warnings = method === 'up-each' ? [`knex ${doc.knexVersion ?? ''} has no migrate.to (added in 3.3.0): each migration ran with \`migrate:up <name>\`, in a batch of its own.`] : [];
  const text = knexOutput(run.stderr, doc);
  if (doc.ok) {
    const ran = doc.ran ?? [];
    const summary = ran.length ? `Batch ${doc.batch ?? '?'} ran the following migrations:\n${ran.join('\n')}` : 'Already up to date';
    return { ok: true, source: source(call, native), output: [text, summary].filter(Boolean).join('\n'), mode: { kind: 'native' }, warnings };
  }
  const failed = failedMigrationFrom(text);
  const result: ToolRun = { ok: false, source: source(call, native), output: text, error: upFailure(project, call, req.steps, failed, text), mode: { kind: 'native' }, warnings };
  if (failed) result.failedMigration = failed;
  return result;
}

async function down(project: Project, req: RunRequest, ctx: AdapterContext): Promise<ToolRun> {
  const names = req.steps.map((s) => s.id);
  const call = await callHelper(project, ctx, { op: 'down', names });
  const { doc, run } = call;
  const native = nativeDown(call.target, call.override, names);
  const text = knexOutput(run.stderr, doc);
  if (doc.ok) {
    const output = [text, `Rolled back the following migrations:\n${(doc.undone ?? []).join('\n')}`].filter(Boolean).join('\n');
    return { ok: true, source: source(call, native), output, mode: { kind: 'native' }, warnings: [] };
  }
  const undone = doc.undone ?? [];
  const failed = failedMigrationFrom(text) ?? names[undone.length];
  const message = doc.error?.message ?? 'knex failed without a message';
  const error =
    knexRefusal(project, message, text) ??
    new MigratorError({
      code: 'MIGRATION.FAILED',
      summary: `${project.id}: rolling back ${failed ?? 'a migration'} failed: ${firstLine(message)}`,
      why: `Rolled back ${undone.length} of ${names.length} before it (${undone.join(', ') || 'none'}); not attempted: ${names.slice(undone.length + 1).join(', ') || 'none'}.`,
      toolOutput: text,
      exitCode: 1,
    });
  const result: ToolRun = { ok: false, source: source(call, native), output: text, error, mode: { kind: 'native' }, warnings: [] };
  if (failed) result.failedMigration = failed;
  return result;
}

function adviceFor(state: MigrationState): string[] {
  const advice: string[] = [];
  const ooo = state.migrations.filter((m) => m.state === 'out-of-order').map((m) => m.id);
  if (ooo.length) {
    advice.push(
      `Either apply them as they are: \`metamig up ${state.project}\` (knex runs them silently in the next batch, after the newer migrations already applied; fine when they do not depend on order).`,
      `Or restamp them: \`metamig merge ${state.project} --restamp\` renames ${ooo.join(', ')} to new timestamps after every existing migration, so the file order matches the order they run in. Only do this if no other database (staging, a colleague's) has applied them under their current names: there they would run a second time.`,
    );
  }
  const late = appliedOutOfOrder(state.migrations);
  if (late.length) advice.push(`Already applied out of order (knex identifies them by file name, so they keep their names): ${late.map((m) => m.id).join(', ')}.`);
  if (state.migrations.some((m) => m.state === 'missing-file')) {
    advice.push('While a recorded migration has no file, knex refuses every migration command ("The migration directory is corrupt").');
  }
  return advice;
}

async function mergeHeads(project: Project, opts: { restamp?: boolean; state: MigrationState }, _ctx: AdapterContext): Promise<MergeReport> {
  const started = performance.now();
  const { state } = opts;
  const headsBefore = timestampHeads(state);
  const report = (partial: Pick<MergeReport, 'headsAfter' | 'renamed' | 'refused' | 'message'>, native: string): MergeReport => ({
    project: project.id,
    framework: 'knex',
    headsBefore,
    created: [],
    ...partial,
    source: { command: [], native, durationMs: Math.round(performance.now() - started), via: 'tool' },
  });
  const plan = planRestamp(state.migrations, new Date());
  if (!opts.restamp) {
    const advice = adviceFor(state);
    const message = advice.length ? `Knex has no migration graph, so there is nothing to merge. ${advice.join(' ')}` : 'Nothing to resolve: every migration file sorts after the ones applied before it.';
    return report({ headsAfter: headsBefore, renamed: [], refused: [], message }, '(none: knex has no merge command)');
  }
  const outcome = renamePlanned(project.absRoot, plan.renames);
  const renamed = outcome.renamed;
  const refused = [...plan.refused, ...outcome.refused];
  const newIdOf = new Map(outcome.moved.map((r) => [r.id, r.newId]));
  const filesAfter = state.migrations.filter((m) => m.state !== 'missing-file').map((m) => newIdOf.get(m.id) ?? m.id).sort();
  const unresolved = state.migrations.filter((m) => m.state === 'out-of-order' && !newIdOf.has(m.id)).map((m) => m.id);
  const headsAfter = [...unresolved, ...filesAfter.slice(-1)];
  const message = renamed.length
    ? `Renamed ${renamed.length} unapplied migration(s) to new timestamps after every existing one; knex will run them in the next batch, in the order the files now show.${refused.length ? ` Refused: ${refused.map((r) => r.file).join(', ')}.` : ''} Commit the renames.`
    : refused.length
      ? `Nothing renamed. Refused: ${refused.map((r) => `${r.file} (${r.reason})`).join('; ')}.`
      : 'Nothing to restamp: no unapplied migration sorts before an applied one.';
  const native = renamed.length ? renamed.map((r) => `git mv ${r.from} ${r.to}`).join(' && ') : '(nothing to rename)';
  return report({ headsAfter, renamed, refused, message }, native);
}

function findProjectKnex(root: string): { dir: string; version: string } | undefined {
  try {
    let dir = dirname(createRequire(join(root, 'package.json')).resolve('knex'));
    while (!existsSync(join(dir, 'package.json')) && dirname(dir) !== dir) dir = dirname(dir);
    const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { name?: string; version?: string };
    return pkg.name === 'knex' && pkg.version ? { dir, version: pkg.version } : undefined;
  } catch {
    return undefined;
  }
}

async function checkToolchain(project: Project, ctx: AdapterContext): Promise<ToolchainCheck[]> {
  const spec = ctx.toolchains.node();
  const node = ctx.toolchains.find(spec);
  const knex = findProjectKnex(project.absRoot);
  return [
    node ? { name: 'node', found: true, path: node, ...(node === process.execPath ? { version: process.versions.node } : {}) } : { name: 'node', found: false, hint: spec.install },
    knex ? { name: 'knex', found: true, path: knex.dir, version: knex.version } : { name: 'knex', found: false, hint: `Run \`npm install knex\` (and pg or better-sqlite3) in ${project.absRoot}: metamig uses the project's own knex.` },
  ];
}

export const adapter: MigrationAdapter = {
  commands: commandsFor,
  framework: 'knex',
  displayName: 'Knex',
  capabilities,
  toolchain: ['node', 'knex'],
  detect,
  describeDatabase,
  checkToolchain,
  status,
  statusFast,
  up,
  down,
  async plan(project, req, ctx) {
    const names = req.steps.map((s) => s.id);
    const call = await callHelper(project, ctx, { op: 'plan', direction: req.direction, names });
    const { doc, run } = call;
    if (!doc.ok) {
      throw new MigratorError({
        code: 'TOOL.FAILED',
        summary: `knex could not preview ${project.id}: ${firstLine(doc.error?.message ?? '')}`,
        toolOutput: knexOutput(run.stderr, doc),
        fix: "Check that the database is reachable with the knexfile's settings (or the --database-url given).",
      });
    }
    const steps = planSteps(doc, req.steps, req.direction);
    const sideEffects = [...(doc.sideEffects ?? [])];
    if (doc.engine === 'postgres') {
      sideEffects.push(`ran the ${req.direction}() functions in one transaction on ${project.database.description} and rolled it back: no schema or data change remains, but their locks were held while they ran`);
      if (steps.some((s) => s.statements.some((st) => /^\s*insert\b/i.test(st.sql)))) sideEffects.push('sequence values used by the captured INSERTs are not given back by the rollback');
    }
    return {
      project: project.id,
      framework: 'knex',
      direction: req.direction,
      target: req.target,
      steps,
      sideEffects,
      source: source(call, '(none: knex has no dry run; metamig ran the migrations and recorded their queries)'),
      warnings: [
        'Knex migrations are JavaScript: the preview ran them against the current data. Anything they do outside the database (files, network) really happened, and data-dependent SQL may differ elsewhere.',
      ],
    };
  },
  async heads(_project, state) {
    return headsFromState(state, adviceFor(state));
  },
  mergeHeads,
};

