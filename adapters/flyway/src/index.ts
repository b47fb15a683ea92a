// The Flyway adapter: the real Flyway 12.4.0 command line (info/validate/migrate, JSON output) via
// ctx.runner; what Flyway Community lacks (undo, dry run, merge) is emulated and labelled so.
import { existsSync, renameSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import {
  MigratorError,
  headsFromState,
  isPendingLike,
  sourceOf,
  type AdapterContext,
  type Capabilities,
  type MergeReport,
  type NativeCommands,
  type Migration,
  type MigrationAdapter,
  Toolchains,
  type MigrationState,
  type Project,
  type RunRequest,
  type ToolRun,
  type ToolchainCheck,
} from '@metamig/core';
import { nativeCommand } from './argv.js';
import { type FlywayProject, INSTALL_HINT, SESSION_LOCK_ARG, loadProject, needsSessionLock, runFlyway, sessionLockWarning } from './context.js';
import { describeDatabase, detect } from './detect.js';
import { type FlywayErrorJson, type MigrateJson, classifyMigrateError, databaseMessage, errorText, failedMigrationFrom, firstLine } from './parse.js';
import { buildPlan } from './plan.js';
import { appliedOutOfOrder, planRestamp } from './restamp.js';
import { statusFast } from './fast.js';
import { readStatus } from './status.js';
import { UNDO_HOW, emulatedDown } from './undo.js';

export { detector } from './detect.js';

export const capabilities: Capabilities = {
  status: { support: 'native', command: 'flyway info validate -outputType=json (one JVM: info for the states, validate for edited applied files)' },
  up: { support: 'native', command: 'flyway migrate [-target=<version>] [-outOfOrder=true]' },
  down: { support: 'emulated', how: `${UNDO_HOW}. Versions without a U file are irreversible; repeatables have no undo` },
  dryRun: { support: 'emulated', how: 'reads the pending V/R files (down: the U files), placeholders expanded, split into statements with file and line; Flyway\'s own dryRunOutput is a paid feature' },
  mergeHeads: { support: 'emulated', how: 'Flyway has no migration graph: --restamp renames unapplied out-of-order V files (with their U and .conf siblings) to a version above every existing one; applied ones are refused' },
  stepTargets: { support: 'native', command: 'flyway migrate -target=<version> (down: the emulated undo takes any number of steps)' },
  transactionalDdl: { postgres: true, sqlite: true },
};

function outOfOrderAdvice(state: MigrationState, fp: FlywayProject | undefined): string[] {
  const ooo = state.migrations.filter((m) => m.state === 'out-of-order').map((m) => m.id);
  if (!ooo.length) return [];
  const on = fp?.outOfOrder ?? false;
  return [
    on
      ? `outOfOrder is on for ${state.project}: \`metamig up ${state.project}\` applies ${ooo.join(', ')} after the newer versions already applied (fine when they do not depend on what came after them).`
      : `Either apply them out of order: set \`options: { outOfOrder: true }\` for ${state.project} in the metamig config (metamig then passes -outOfOrder=true to Flyway), or \`outOfOrder = true\` in the [flyway] section of flyway.toml (FLYWAY_OUT_OF_ORDER=true), then run \`metamig up ${state.project}\`. Until then Flyway shows them as Ignored and refuses every migrate.`,
    `Or renumber them: \`metamig merge ${state.project} --restamp\` renames ${ooo.map((v) => `V${v}`).join(', ')} (with their U and .conf files) to versions above every existing one. Only if no other database (staging, production, a colleague's) has applied them under their current version: there they would run a second time.`,
  ];
}

function adviceFor(state: MigrationState, fp?: FlywayProject): string[] {
  const advice = outOfOrderAdvice(state, fp);
  const late = appliedOutOfOrder(state.migrations);
  if (late.length) advice.push(`Already applied out of order (Flyway keeps them as they are): ${late.map((m) => m.id).join(', ')}.`);
  if (state.migrations.some((m) => m.state === 'missing-file')) advice.push('If a missing migration was removed on purpose, `flyway repair` marks it deleted in the schema history.');
  if (state.migrations.some((m) => m.state === 'edited')) advice.push('An applied migration was edited: Flyway refuses to migrate until the file is reverted, or `flyway repair` records its new checksum.');
  return advice;
}

function migrateFailure(fp: FlywayProject, req: RunRequest, message: string, failed: string | undefined, error?: FlywayErrorJson): MigratorError {
  const id = fp.project.id;
  const kind = classifyMigrateError(message);
  const step = req.steps.find((s) => s.id === failed) ?? req.state.migrations.find((s) => s.id === failed);
  if (kind === 'out-of-order') {
    return new MigratorError({
      code: 'MIGRATION.DIVERGENT',
      summary: `Flyway refuses to migrate ${id}: ${req.state.migrations.filter((m) => m.state === 'out-of-order').map((m) => m.id).join(', ') || 'a version'} is lower than the newest applied version.`,
      why: 'Flyway validates before migrating: nothing ran.',
      toolOutput: message,
      fix: outOfOrderAdvice(req.state, fp).join('\n'),
    });
  }
  if (kind === 'checksum' || kind === 'missing') {
    return new MigratorError({
      code: 'MIGRATION.DIVERGENT',
      summary: `Flyway refuses to migrate ${id}: ${kind === 'checksum' ? 'an applied migration was edited' : 'an applied migration has no file'}.`,
      why: 'Flyway validates before migrating: nothing ran.',
      toolOutput: message,
      fix:
        kind === 'checksum'
          ? 'Revert the file to what was applied. If the change is intended (and already reflected in every database), `flyway repair` records the new checksum.'
          : 'Restore the file (or check out the branch that has it); if it was removed on purpose, `flyway repair` marks it deleted.',
    });
  }
  if (kind === 'failed-row') {
    return new MigratorError({
      code: 'MIGRATION.FAILED',
      summary: `Flyway refuses to migrate ${id}: a failed migration is recorded in the schema history.`,
      why: 'Flyway validates before migrating: nothing ran.',
      toolOutput: message,
      fix: 'Remove what the failed migration half-did, then run `flyway repair` to delete its failed row, and migrate again.',
    });
  }
  if (kind === 'placeholder') {
    return new MigratorError({ code: 'CONFIG.INVALID', summary: `Flyway cannot run ${id}: ${firstLine(message)}`, toolOutput: message, fix: 'Define the placeholder in the Flyway config ([flyway.placeholders]) or FLYWAY_PLACEHOLDERS_<NAME>.' });
  }
  if (!failed) return new MigratorError({ code: 'TOOL.FAILED', summary: `flyway migrate failed in ${id}: ${firstLine(message)}`, toolOutput: message });
  const transactional = step?.transactional === true;
  const why = transactional
    ? `Flyway ran ${failed} in its own transaction, which was rolled back: nothing of it remains and it is not recorded (it stays pending). Migrations before it in this run are committed.`
    : fp.engine === 'postgres'
      ? `${failed} runs outside a transaction: its statements before the failing one stay applied. On PostgreSQL Flyway records no failed row, so it still shows as pending and the next migrate runs the whole file again.`
      : `${failed} runs outside a transaction: its statements before the failing one stay applied. Flyway recorded it as Failed and refuses to migrate until the half-done changes are removed and \`flyway repair\` is run.`;
  const where = step?.file ? ` (${step.file}${error?.lineNumber ? ` line ${error.lineNumber}` : ''})` : '';
  return new MigratorError({ code: 'MIGRATION.FAILED', summary: `${id}: ${failed} failed${where}: ${databaseMessage(message)}`, why, toolOutput: message });
}

function migrateSummary(m: MigrateJson | undefined): string {
  if (!m) return '';
  if (!m.migrationsExecuted) return 'Schema is up to date. No migration necessary.';
  const list = m.migrations.map((x) => `${x.version ? `${x.version} - ` : ''}${x.description}`).join('\n');
  return `Successfully applied ${m.migrationsExecuted} migration${m.migrationsExecuted === 1 ? '' : 's'}${m.targetSchemaVersion ? `, now at version ${m.targetSchemaVersion}` : ''}:\n${list}`;
}

async function up(project: Project, req: RunRequest, ctx: AdapterContext): Promise<ToolRun> {
  const fp = loadProject(project, ctx);
  const warnings = [...fp.warnings];
  const extra: string[] = [];
  const pending = req.state.migrations.filter(isPendingLike);
  if (req.target.kind !== 'latest' && req.steps.length < pending.length) {
    const last = req.steps[req.steps.length - 1]!;
    if (last.id.startsWith('R__')) {
      throw new MigratorError({
        code: 'USAGE.INVALID',
        summary: `${project.id}: Flyway cannot stop at the repeatable migration ${last.id}.`,
        why: 'Repeatable migrations have no version: Flyway runs every pending one after the versioned migrations.',
        fix: `Run \`metamig up ${project.id}\` to apply everything, or give a version with --to.`,
      });
    }
    extra.push(`-target=${last.id}`);
    const pendingR = pending.filter((m) => m.id.startsWith('R__'));
    if (pendingR.length) warnings.push(`Flyway's -target also runs the pending repeatable migrations (${pendingR.map((m) => m.id).join(', ')}): repeatables always run after the versioned ones.`);
  }
  const waiting = needsSessionLock(fp, req.steps.map((m) => m.id));
  if (waiting.length) {
    extra.unshift(SESSION_LOCK_ARG);
    warnings.push(sessionLockWarning(waiting));
  }
  const { run, parsed } = await runFlyway(fp, ctx, ['migrate'], extra);
  const source = sourceOf(run, nativeCommand(fp.inv, ['migrate'], extra), parsed?.flywayVersion);
  const migrate = parsed?.migrate;
  warnings.push(...(migrate?.warnings ?? []));
  if (migrate?.success && !parsed?.error && run.exitCode === 0) {
    return { ok: true, source, output: migrateSummary(migrate), mode: { kind: 'native' }, warnings };
  }
  if (!parsed) {
    const error = new MigratorError({ code: 'TOOL.OUTPUT_UNPARSEABLE', summary: `flyway migrate exited ${run.exitCode} without a JSON result in ${project.id}.`, toolOutput: run.stdout + run.stderr });
    return { ok: false, source, output: run.stdout + run.stderr, error, mode: { kind: 'native' }, warnings };
  }
  const message = parsed.error ? errorText(parsed.error) : `flyway migrate exited ${run.exitCode}`;
  const withFiles = req.state.migrations.map((m) => ({ id: m.id, filepath: m.file ? join(fp.root, m.file) : '' }));
  const failed = parsed.error ? failedMigrationFrom(parsed.error, withFiles) : undefined;
  const output = [migrateSummary(migrate), message].filter(Boolean).join('\n');
  return { ok: false, source, output, error: migrateFailure(fp, req, message, failed, parsed.error), mode: { kind: 'native' }, warnings, ...(failed ? { failedMigration: failed } : {}) };
}

async function mergeHeads(project: Project, opts: { restamp?: boolean; state: MigrationState }, ctx: AdapterContext): Promise<MergeReport> {
  const started = performance.now();
  const { state } = opts;
  const fp = loadProject(project, ctx);
  const ooo = state.migrations.filter((m) => m.state === 'out-of-order').map((m) => m.id);
  const headsBefore = [...ooo, ...state.heads.filter((h) => !ooo.includes(h))];
  const report = (partial: Pick<MergeReport, 'headsAfter' | 'renamed' | 'refused' | 'message'>, native: string): MergeReport => ({
    project: project.id,
    framework: 'flyway',
    headsBefore,
    created: [],
    ...partial,
    source: { command: [], native, durationMs: Math.round(performance.now() - started), via: 'tool' },
  });
  if (!opts.restamp) {
    const advice = adviceFor(state, fp);
    const message = advice.length ? `Flyway has no migration graph, so there is nothing to merge. ${advice.join(' ')}` : 'Nothing to resolve: no unapplied version is lower than an applied one.';
    return report({ headsAfter: headsBefore, renamed: [], refused: [], message }, '(none: Flyway has no merge command)');
  }
  const plan = planRestamp(state.migrations, fp.scan.files, fp.settings);
  const renamed: MergeReport['renamed'] = [];
  const refused = [...plan.refused];
  const movedIds = new Map<string, string>();
  for (const id of [...new Set(plan.renames.map((r) => r.id))]) {
    const group = plan.renames.filter((r) => r.id === id);
    const clash = group.find((r) => existsSync(join(fp.root, r.to)) || !existsSync(join(fp.root, r.from)));
    if (clash) {
      refused.push({ file: group[0]!.from, reason: existsSync(join(fp.root, clash.to)) ? `${clash.to} already exists` : `${clash.from} is not there any more (status is stale): run \`metamig status\` and retry` });
      continue;
    }
    for (const r of group) {
      renameSync(join(fp.root, r.from), join(fp.root, r.to));
      renamed.push({ from: r.from, to: r.to });
    }
    movedIds.set(id, group[0]!.newId);
  }
  const unresolved = ooo.filter((id) => !movedIds.has(id));
  const newHead = [...movedIds.values()].pop() ?? state.heads[0];
  const headsAfter = [...unresolved, ...(newHead ? [newHead] : [])];
  const message = movedIds.size
    ? `Renumbered ${[...movedIds].map(([a, b]) => `${a} → ${b}`).join(', ')}: Flyway will run them as new versions after every existing one.${refused.length ? ` Refused: ${refused.map((r) => r.file).join(', ')}.` : ''} Commit the renames.`
    : refused.length
      ? `Nothing renamed. Refused: ${refused.map((r) => `${r.file} (${r.reason})`).join('; ')}.`
      : 'Nothing to restamp: no unapplied version is lower than an applied one.';
  const native = renamed.length ? renamed.map((r) => `git mv ${r.from} ${r.to}`).join(' && ') : '(nothing to rename)';
  return report({ headsAfter, renamed, refused, message }, native);
}

async function checkToolchain(project: Project, ctx: AdapterContext): Promise<ToolchainCheck[]> {
  const checks: ToolchainCheck[] = [];
  const javaSpec = ctx.toolchains.java();
  const java = ctx.toolchains.find(javaSpec);
  if (!java) checks.push({ name: 'java', found: false, hint: javaSpec.install });
  else {
    const r = await ctx.runner.run(java, ['-version'], { cwd: project.absRoot, signal: ctx.signal, tool: 'java' }).catch(() => undefined);
    const version = /version "([^"]+)"/.exec(r?.stderr ?? '')?.[1];
    checks.push({ name: 'java', found: true, path: java, ...(version ? { version } : {}) });
  }
  const spec = ctx.toolchains.flyway();
  const flyway = ctx.toolchains.find(spec);
  if (!flyway) checks.push({ name: 'flyway', found: false, hint: INSTALL_HINT });
  else {
    const r = java ? await ctx.runner.run(flyway, ['-v'], { cwd: project.absRoot, signal: ctx.signal, tool: 'flyway' }).catch(() => undefined) : undefined;
    const version = /Flyway \w+ Edition (\S+)/.exec(r?.stdout ?? '')?.[1];
    checks.push({ name: 'flyway', found: true, path: flyway, ...(version ? { version } : {}) });
  }
  return checks;
}


/** The commands a deployer types for ONE migration (rollback checklist). Flyway Community has no undo. */
function commandsFor(project: Project, migration: Migration): NativeCommands {
  // loadProject only needs the toolchains (to name the flyway launcher); nothing runs here.
  const fp = loadProject(project, { toolchains: new Toolchains() } as AdapterContext);
  const apply = migration.repeatable ? nativeCommand(fp.inv, ['migrate']) : nativeCommand(fp.inv, ['migrate'], [`-target=${migration.id}`]);
  if (migration.reversible === false) return { apply, rollback: null, rollbackMode: 'none', note: migration.irreversibleReason ?? 'no U file' };
  return {
    apply,
    rollback: `npx metamig down ${project.id} --steps 1 --yes`,
    rollbackMode: 'emulated',
    note: `Flyway Community has no undo: metamig runs U${migration.id}__*.sql and records the rollback in flyway_schema_history (as \`flyway repair\` would), in one transaction`,
  };
}

export const adapter: MigrationAdapter = {
  commands: commandsFor,
  framework: 'flyway',
  displayName: 'Flyway',
  capabilities,
  toolchain: ['java', 'flyway'],
  detect,
  describeDatabase,
  checkToolchain,
  async status(project, ctx) {
    return readStatus(loadProject(project, ctx), ctx);
  },
  statusFast,
  up,
  async down(project, req, ctx) {
    return emulatedDown(loadProject(project, ctx), req.steps, ctx);
  },
  async plan(project, req, ctx) {
    const started = performance.now();
    return buildPlan(loadProject(project, ctx), req, started);
  },
  async heads(project, state, ctx) {
    return headsFromState(state, adviceFor(state, loadProject(project, ctx)));
  },
  mergeHeads,
};

