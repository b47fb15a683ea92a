// The TypeORM adapter: every operation is one run of helpers/metamig-typeorm.cjs (the project's own
// typeorm and data source, through TypeORM's own API) via ctx.runner; this file wires requests to it
// and its answers back. Restamping (mergeHeads) is file editing and happens here.
import { existsSync, readFileSync, readdirSync, unlinkSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, posix } from 'node:path';
import {
  MigratorError,
  buildState,
  headsFromState,
  isPendingLike,
  registerUrl,
  sourceOf,
  type AdapterContext,
  type Capabilities,
  type MergeReport,
  type Migration,
  type MigrationAdapter,
  type NativeCommands,
  type MigrationState,
  type Project,
  type RunRequest,
  type RunResult,
  type ToolRun,
  type ToolchainCheck,
  timestampHeads,
} from '@metamig/core';
import { type DataSourceRef, type HelperRequest, helperArgs, isEsmTypeScript, nativeRevert, nativeRun, nativeRunSelected, nativeStatus, overrideEnv } from './argv.js';
import { describeDatabase, detect, resolveDataSource } from './detect.js';
import { statusFast } from './fast.js';
import {
  type HelperDoc,
  currentAndHeads,
  failedMigrationFrom,
  isTransactionModeOverride,
  migrationsFromStatus,
  parseHelperOutput,
  planSteps,
  setupError,
  statusWarnings,
  typeormOutput,
} from './parse.js';
import { type Rename, appliedOutOfOrder, planRestamp, restampMigrationSource, restampReferences } from './restamp.js';

export { detector } from './detect.js';

const INSTALL_HINT = "metamig runs the project's own typeorm with Node.js 20.19+: install Node, then `npm install` in the project (typeorm, and pg or better-sqlite3).";

export const capabilities: Capabilities = {
  status: { support: 'native', command: "DataSource + MigrationExecutor through the helper (CLI: typeorm migration:show -d <data source>, which would create the migrations table; metamig only reads it)" },
  up: { support: 'native', command: 'typeorm migration:run -d <data source> (DataSource.runMigrations, with the data source\'s migrationsTransactionMode)' },
  down: { support: 'native', command: 'typeorm migration:revert -d <data source>, once per step (TypeORM reverts the last executed migration per call)' },
  dryRun: {
    support: 'emulated',
    how: "runs the migrations through TypeORM's own MigrationExecutor and records every query: on PostgreSQL inside one transaction that is rolled back (savepoint per migration; `transaction = false` and CONCURRENTLY migrations are not run); on SQLite on a temporary copy of the database file",
  },
  mergeHeads: { support: 'emulated', how: 'TypeORM has no migration graph: --restamp renames unexecuted out-of-order migrations (file name, class name and `name`) to new timestamps; executed ones are refused' },
  stepTargets: {
    support: 'emulated',
    how: 'up: migration:run has no target, so metamig withholds the later pending migrations from the DataSource for one DataSource.runMigrations() call; down: migration:revert once per step, checking each time that the last executed migration is the planned one',
  },
  transactionalDdl: { postgres: true, sqlite: true },
};

interface Call {
  run: RunResult;
  doc: HelperDoc;
  dataSource: DataSourceRef;
}

const dataSourceOf = (project: Project): string => resolveDataSource(project, (rel) => existsSync(join(project.absRoot, rel)));

/** `"type"` of the package.json nearest to a file, looking no higher than the project root. */
function packageTypeOf(project: Project, rel: string): string | undefined {
  for (let dir = posix.dirname(rel); ; dir = posix.dirname(dir)) {
    const pkg = join(project.absRoot, dir, 'package.json');
    if (existsSync(pkg)) {
      try {
        return (JSON.parse(readFileSync(pkg, 'utf8')) as { type?: string }).type;
      } catch {
        return undefined;
      }
    }
    if (dir === '.' || dir === '/') return undefined;
  }
}

function dataSourceRef(project: Project): DataSourceRef {
  const file = dataSourceOf(project);
  return { file, esm: isEsmTypeScript(file, packageTypeOf(project, file)) };
}

async function callHelper(project: Project, ctx: AdapterContext, req: HelperRequest): Promise<Call> {
  const dataSource = dataSourceRef(project);
  registerUrl(project.databaseUrl);
  const node = ctx.toolchains.require(ctx.toolchains.node());
  // The ESM loader is resolved by node itself: without ts-node it could not even start the helper,
  // which then explains instead.
  const loader = dataSource.esm && findProjectPackage(project.absRoot, 'ts-node') !== undefined;
  const run = await ctx.runner.run(node, helperArgs(req, dataSource.file, loader), {
    cwd: project.absRoot,
    env: { ...project.env, ...overrideEnv(project.databaseUrl, project.absRoot) },
    signal: ctx.signal,
    ...(ctx.timeoutMs ? { timeoutMs: ctx.timeoutMs } : {}),
    tool: 'typeorm',
    installHint: INSTALL_HINT,
  });
  const doc = parseHelperOutput(run, req.op);
  if (!doc.ok && doc.stage === 'setup') throw setupError(doc, project.id, project.absRoot, dataSource);
  return { run, doc, dataSource };
}

const firstLine = (s: string) => s.split('\n')[0] ?? s;
const source = (call: Call, native: string) => sourceOf(call.run, native, call.doc.typeormVersion);
const native = (project: Project) => ({ url: project.databaseUrl, base: project.absRoot });

async function status(project: Project, ctx: AdapterContext): Promise<MigrationState> {
  const call = await callHelper(project, ctx, { op: 'status' });
  const { doc } = call;
  if (!doc.ok) {
    throw new MigratorError({
      code: 'TOOL.FAILED',
      summary: `TypeORM could not read the migration status of ${project.id}: ${firstLine(doc.error?.message ?? '')}`,
      toolOutput: typeormOutput(doc),
      fix: `Check that the database is reachable with the data source's settings (or the --database-url given); \`${nativeStatus(call.dataSource, undefined, project.absRoot)}\` reads the same.`,
    });
  }
  const { url, base } = native(project);
  return buildState({
    project: project.id,
    framework: 'typeorm',
    database: project.database.description,
    migrations: migrationsFromStatus(doc),
    ...currentAndHeads(doc),
    source: source(call, nativeStatus(call.dataSource, url, base)),
    warnings: statusWarnings(doc),
  });
}

/** Why the database is where it is after a failed run, from TypeORM's transaction mode. */
function upFailureWhy(doc: HelperDoc, steps: Migration[], failed: string): string {
  const mode = doc.transactionMode ?? 'all';
  const transactionalDdl = doc.engine === 'postgres' || doc.engine === 'sqlite';
  const failedStep = steps.find((s) => s.id === failed);
  if (mode === 'all') {
    return transactionalDdl
      ? `migrationsTransactionMode is "all": TypeORM ran the ${steps.length} migration(s) in one transaction, and the database rolled back the whole run, not only ${failed}.`
      : 'TypeORM ran the run in one transaction, but this database commits DDL immediately: statements that ran before the failure may remain.';
  }
  const partly = failedStep?.transactional === false ? ` ${failed} ran without a transaction, so it may be partly applied.` : ` ${failed} itself was rolled back.`;
  return `migrationsTransactionMode is "${mode}": migrations before ${failed} were committed one by one and stay executed.${partly}`;
}

async function up(project: Project, req: RunRequest, ctx: AdapterContext): Promise<ToolRun> {
  const pending = req.state.migrations.filter(isPendingLike).map((m) => m.id);
  const selected = req.steps.map((s) => s.id);
  const all = selected.length === pending.length && selected.every((id, i) => id === pending[i]);
  const call = await callHelper(project, ctx, all ? { op: 'up' } : { op: 'up', names: selected });
  const { doc } = call;
  const { url, base } = native(project);
  const withheld = doc.withheld ?? pending.filter((id) => !selected.includes(id));
  const mode: ToolRun['mode'] = all
    ? { kind: 'native' }
    : {
        kind: 'emulated',
        how: `TypeORM has no target for migration:run: metamig withheld ${withheld.join(', ')} from the DataSource for this run, and DataSource.runMigrations() ran ${selected.join(', ')} with TypeORM's own executor and transaction mode ("${doc.transactionMode ?? 'all'}").`,
      };
  const command = all ? nativeRun(call.dataSource, url, base) : nativeRunSelected(call.dataSource, url, base, withheld);
  const text = typeormOutput(doc);
  if (doc.ok) return { ok: true, source: source(call, command), output: text, mode, warnings: [] };
  const failed = failedMigrationFrom(doc);
  const message = doc.error?.message ?? 'TypeORM failed without a message';
  const error = isTransactionModeOverride(doc.error)
    ? new MigratorError({
        code: 'TOOL.FAILED',
        summary: `TypeORM refused to run the migrations of ${project.id}: ${firstLine(message)}`,
        why: 'migrationsTransactionMode is "all" (one transaction for the whole run), and a pending migration sets its own `transaction` property. Nothing ran.',
        toolOutput: text,
        fix: 'Set migrationsTransactionMode: "each" in the data source, or remove the `transaction` property from those migrations.',
      })
    : failed
      ? new MigratorError({ code: 'MIGRATION.FAILED', summary: `${project.id}: ${failed} failed: ${firstLine(message)}`, why: upFailureWhy(doc, req.steps, failed), toolOutput: text, exitCode: 1 })
      : new MigratorError({ code: 'TOOL.FAILED', summary: `TypeORM failed in ${project.id}: ${firstLine(message)}`, toolOutput: text });
  return { ok: false, source: source(call, command), output: text, error, mode, warnings: [], ...(failed ? { failedMigration: failed } : {}) };
}

async function down(project: Project, req: RunRequest, ctx: AdapterContext): Promise<ToolRun> {
  const names = req.steps.map((s) => s.id);
  const call = await callHelper(project, ctx, { op: 'down', names });
  const { doc } = call;
  const { url, base } = native(project);
  const command = nativeRevert(call.dataSource, url, base, names.length);
  const text = typeormOutput(doc);
  const mode: ToolRun['mode'] = { kind: 'native' };
  if (doc.ok) return { ok: true, source: source(call, command), output: text, mode, warnings: [] };
  const undone = doc.progress?.undone ?? [];
  const failed = doc.progress?.current ?? names[undone.length];
  const message = doc.error?.message ?? 'TypeORM failed without a message';
  const transaction = (doc.transactionMode ?? 'all') === 'none' ? 'without a transaction, so it may be partly reverted' : 'in a transaction that was rolled back, so it is still executed';
  const error = new MigratorError({
    code: 'MIGRATION.FAILED',
    summary: `${project.id}: reverting ${failed ?? 'a migration'} failed: ${firstLine(message)}`,
    why: `Reverted ${undone.length} of ${names.length} before it (${undone.join(', ') || 'none'}); ${failed ?? 'it'} ran ${transaction}; not attempted: ${names.slice(undone.length + 1).join(', ') || 'none'}.`,
    toolOutput: text,
    exitCode: 1,
  });
  return { ok: false, source: source(call, command), output: text, error, mode, warnings: [], ...(failed ? { failedMigration: failed } : {}) };
}

function adviceFor(state: MigrationState): string[] {
  const advice: string[] = [];
  const ooo = state.migrations.filter((m) => m.state === 'out-of-order').map((m) => m.id);
  if (ooo.length) {
    advice.push(
      `Either run them as they are: \`metamig up ${state.project}\` (TypeORM runs them silently after the newer migrations already executed; fine when they do not depend on order).`,
      `Or restamp them: \`metamig merge ${state.project} --restamp\` gives ${ooo.join(', ')} a new timestamp after every existing migration (file name, class name and \`name\`), so TypeORM's order matches the order they run in. Only do this if no other database (staging, a colleague's) has executed them under their current names: there they would run a second time.`,
    );
  }
  const late = appliedOutOfOrder(state.migrations);
  if (late.length) advice.push(`Already executed out of order (TypeORM knows them by name, so they keep it): ${late.map((m) => m.id).join(', ')}.`);
  return advice;
}

/** Apply one planned rename: the migration file (rewritten, moved), then files that refer to it. */
function applyRename(root: string, r: Rename, referrers: string[]): { refused?: string; updated: string[] } {
  const from = join(root, r.from);
  const to = join(root, r.to);
  if (!existsSync(from)) return { refused: 'the file is not there any more (status is stale): run `metamig status` and retry', updated: [] };
  if (r.to !== r.from && existsSync(to)) return { refused: `${r.to} already exists`, updated: [] };
  const text = readFileSync(from, 'utf8');
  if (/\.[cm]?js$/.test(r.from) && /\/\/# sourceMappingURL=/.test(text)) {
    return { refused: 'it is compiled output (it has a source map): restamp the TypeScript source it comes from, then rebuild', updated: [] };
  }
  const rewritten = restampMigrationSource(text, r.oldTimestamp, r.newTimestamp);
  if (!rewritten.text.includes(r.newId)) return { refused: `the file does not spell out its name ${r.id}, so metamig cannot rename it safely`, updated: [] };
  writeFileSync(to, rewritten.text);
  if (to !== from) unlinkSync(from);
  const updated: string[] = [];
  for (const rel of referrers) {
    const file = join(root, rel);
    if (rel === r.from || rel === r.to || !existsSync(file)) continue;
    const ref = restampReferences(readFileSync(file, 'utf8'), r);
    if (ref.count) {
      writeFileSync(file, ref.text);
      updated.push(rel);
    }
  }
  return { updated };
}

/** The data source, and the code files beside each migration (a barrel index listing them). */
function referrersOf(project: Project, dataSource: string, renames: Rename[]): string[] {
  const files = new Set([dataSource]);
  for (const dir of new Set(renames.map((r) => posix.dirname(r.from)))) {
    try {
      for (const f of readdirSync(join(project.absRoot, dir))) if (/\.[cm]?[jt]s$/.test(f)) files.add(posix.join(dir, f));
    } catch {
      /* unreadable folder: nothing to update there */
    }
  }
  return [...files];
}

async function mergeHeads(project: Project, opts: { restamp?: boolean; state: MigrationState }): Promise<MergeReport> {
  const started = performance.now();
  const { state } = opts;
  const headsBefore = timestampHeads(state);
  const report = (partial: Pick<MergeReport, 'headsAfter' | 'renamed' | 'refused' | 'message'>, cmd: string): MergeReport => ({
    project: project.id,
    framework: 'typeorm',
    headsBefore,
    created: [],
    ...partial,
    source: { command: [], native: cmd, durationMs: Math.round(performance.now() - started), via: 'tool' },
  });
  const plan = planRestamp(state.migrations, new Date());
  if (!opts.restamp) {
    const advice = adviceFor(state);
    const message = advice.length ? `TypeORM has no migration graph, so there is nothing to merge. ${advice.join(' ')}` : 'Nothing to resolve: every migration sorts after the ones executed before it.';
    return report({ headsAfter: headsBefore, renamed: [], refused: [], message }, '(none: typeorm has no merge command)');
  }
  const renamed: MergeReport['renamed'] = [];
  const refused = [...plan.refused];
  const updated = new Set<string>();
  const done: Rename[] = [];
  const referrers = plan.renames.length ? referrersOf(project, dataSourceOf(project), plan.renames) : [];
  for (const r of plan.renames) {
    const result = applyRename(project.absRoot, r, referrers.filter((f) => !plan.renames.some((x) => x.from === f)));
    if (result.refused) {
      refused.push({ file: r.from, reason: result.refused });
      continue;
    }
    renamed.push({ from: r.from, to: r.to });
    done.push(r);
    for (const u of result.updated) updated.add(u);
  }
  const newIdOf = new Map(done.map((r) => [r.id, r.newId]));
  const unresolved = state.migrations.filter((m) => m.state === 'out-of-order' && !newIdOf.has(m.id)).map((m) => m.id);
  const last = done.length ? done[done.length - 1]!.newId : state.heads[state.heads.length - 1];
  const headsAfter = [...unresolved, ...(last ? [last] : [])];
  const alsoUpdated = updated.size ? ` Also updated the references in ${[...updated].join(', ')}.` : '';
  const message = done.length
    ? `Gave ${done.length} unexecuted migration(s) a new timestamp after every existing one: ${done.map((r) => `${r.id} → ${r.newId}`).join(', ')} (file name, class name and \`name\`).${alsoUpdated} TypeORM will run them next, in this order.${refused.length ? ` Refused: ${refused.map((r) => r.file).join(', ')}.` : ''} Commit the changes.`
    : refused.length
      ? `Nothing renamed. Refused: ${refused.map((r) => `${r.file} (${r.reason})`).join('; ')}.`
      : 'Nothing to restamp: no unexecuted migration sorts before an executed one.';
  const cmd = renamed.length ? `${renamed.map((r) => `git mv ${r.from} ${r.to}`).join(' && ')}   # and rename the class and \`name\` inside` : '(nothing to rename)';
  return report({ headsAfter, renamed, refused, message }, cmd);
}

function findProjectPackage(root: string, name: string): { dir: string; version: string } | undefined {
  try {
    let dir = dirname(createRequire(join(root, 'package.json')).resolve(name));
    while (!existsSync(join(dir, 'package.json')) && dirname(dir) !== dir) dir = dirname(dir);
    const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { name?: string; version?: string };
    return pkg.name === name && pkg.version ? { dir, version: pkg.version } : undefined;
  } catch {
    return undefined;
  }
}

async function checkToolchain(project: Project, ctx: AdapterContext): Promise<ToolchainCheck[]> {
  const spec = ctx.toolchains.node();
  const node = ctx.toolchains.find(spec);
  const checks: ToolchainCheck[] = [
    node ? { name: 'node', found: true, path: node, ...(node === process.execPath ? { version: process.versions.node } : {}) } : { name: 'node', found: false, hint: spec.install },
  ];
  const typeorm = findProjectPackage(project.absRoot, 'typeorm');
  checks.push(typeorm ? { name: 'typeorm', found: true, path: typeorm.dir, version: typeorm.version } : { name: 'typeorm', found: false, hint: `Run \`npm install\` in ${project.absRoot}: metamig uses the project's own typeorm.` });
  let ds: string | undefined;
  try {
    ds = dataSourceOf(project);
  } catch {
    ds = undefined;
  }
  if (ds && /\.[cm]?ts$/.test(ds)) {
    const tsNode = findProjectPackage(project.absRoot, 'ts-node');
    checks.push(tsNode ? { name: 'ts-node', found: true, path: tsNode.dir, version: tsNode.version } : { name: 'ts-node', found: false, hint: `${ds} is TypeScript: \`npm install -D ts-node typescript\` in the project (typeorm-ts-node-commonjs needs it too).` });
  }
  return checks;
}


/** The commands a deployer types for ONE migration (rollback checklist). */
function commandsFor(project: Project, migration: Migration): NativeCommands {
  const ds = dataSourceRef(project);
  const apply = nativeRun(ds, undefined, project.absRoot);
  const note = 'TypeORM runs every pending migration and reverts the last executed one: apply in order, roll back in reverse order';
  if (migration.reversible === false) return { apply, rollback: null, rollbackMode: 'none', note: migration.irreversibleReason ?? 'its down() cannot undo it' };
  return { apply, rollback: nativeRevert(ds, undefined, project.absRoot, 1), rollbackMode: 'native', note };
}

export const adapter: MigrationAdapter = {
  commands: commandsFor,
  framework: 'typeorm',
  displayName: 'TypeORM',
  capabilities,
  toolchain: ['node', 'typeorm'],
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
    const { doc } = call;
    if (!doc.ok) {
      throw new MigratorError({
        code: 'TOOL.FAILED',
        summary: `TypeORM could not preview ${project.id}: ${firstLine(doc.error?.message ?? '')}`,
        toolOutput: typeormOutput(doc),
        fix: "Check that the database is reachable with the data source's settings (or the --database-url given).",
      });
    }
    const { steps, catalogReads } = planSteps(doc, req.steps, req.direction);
    const sideEffects = [...(doc.sideEffects ?? [])];
    const warnings = [
      "TypeORM migrations are code: the preview ran them against the current data. Anything they do outside the database (files, network) really happened, and data-dependent SQL may differ elsewhere.",
    ];
    if (doc.engine === 'postgres') {
      warnings.push(`The preview really ran the migrations inside a transaction on ${project.database.description}: it took their locks (ACCESS EXCLUSIVE for most DDL) until the rollback. Preview against a throwaway database (--sandbox), not a busy production one.`);
      sideEffects.push(
        `ran the ${req.direction}() methods through TypeORM's MigrationExecutor in one transaction on ${project.database.description} and rolled it back: no schema or data change remains (not even the migrations table), but their locks were held while they ran — preview only on a database where that is acceptable`,
      );
      if (steps.some((s) => s.statements.some((st) => /^\s*insert\b/i.test(st.sql)))) sideEffects.push('sequence values used by the captured INSERTs are not given back by the rollback');
    }
    if (catalogReads) warnings.push(`Left out: ${catalogReads} read-only catalog queries TypeORM ran to inspect the schema (information_schema / pg_catalog / sqlite_master).`);
    return {
      project: project.id,
      framework: 'typeorm',
      direction: req.direction,
      target: req.target,
      steps,
      sideEffects,
      source: source(call, '(none: typeorm has no dry run for migrations; metamig ran them and recorded their queries)'),
      warnings,
    };
  },
  async heads(_project, state) {
    return headsFromState(state, adviceFor(state));
  },
  mergeHeads,
};
