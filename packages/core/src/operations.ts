// The five normalized operations, the same for every framework: status before, the native run,
// status after, and a report built from the difference (what really changed, not what the log says).
import type { AdapterContext, MigrationAdapter, Project } from './adapter.js';
import { MigratorError, toMigratorError, trimOutput } from './errors.js';
import type { Change, Direction, HeadsReport, MigrationState, Plan, RunReport, Target } from './schemas.js';
import { isApplied } from './state.js';
import { assertReversible, selectSteps } from './targets.js';

export function diffStates(before: MigrationState, after: MigrationState): Change[] {
  const was = new Set(before.migrations.filter(isApplied).map((m) => m.id));
  const now = new Set(after.migrations.filter(isApplied).map((m) => m.id));
  const byId = new Map([...before.migrations, ...after.migrations].map((m) => [m.id, m]));
  const changes: Change[] = [];
  // Unapplied: in reverse of the before-order (the order they were rolled back).
  for (const m of [...before.migrations].reverse()) {
    if (was.has(m.id) && !now.has(m.id)) changes.push({ id: m.id, name: m.name, direction: 'down' });
  }
  for (const m of after.migrations) {
    if (now.has(m.id) && !was.has(m.id)) changes.push({ id: m.id, name: byId.get(m.id)?.name ?? m.name, direction: 'up' });
  }
  return changes;
}

const appliedSummary = (s: MigrationState) => ({ current: s.current, applied: s.summary.applied });

export interface RunMigrationsOptions {
  /** Called after the selection is known and before anything runs (confirmation prompts). */
  confirm?: (project: Project, steps: MigrationState['migrations']) => Promise<void>;
  /** A status read just before (by the caller, e.g. the previous step of `verify`): skips one read. */
  before?: MigrationState;
}

export interface RunOutcome {
  report: RunReport;
  /** The status read after the run: the next step can reuse it as its `before`. */
  after: MigrationState;
}

export async function runMigrations(
  adapter: MigrationAdapter,
  project: Project,
  direction: Direction,
  target: Target,
  ctx: AdapterContext,
  opts: RunMigrationsOptions = {},
): Promise<RunReport> {
  return (await runMigrationsWithState(adapter, project, direction, target, ctx, opts)).report;
}

/** `runMigrations`, also returning the status read afterwards. */
export async function runMigrationsWithState(
  adapter: MigrationAdapter,
  project: Project,
  direction: Direction,
  target: Target,
  ctx: AdapterContext,
  opts: RunMigrationsOptions = {},
): Promise<RunOutcome> {
  const before = opts.before ?? (await adapter.status(project, ctx));
  const steps = selectSteps(before, direction, target);
  if (direction === 'down') assertReversible(project.id, steps);
  if (before.history?.kind === 'failed' && direction === 'up') {
    ctx.logger.warn(`${project.id}: ${before.history.migration} is recorded as failed; the tool decides whether it can continue.`);
  }
  // A failed migration and nothing else to do: the tool will not move on, so this is not "up to date".
  const blockedBy = direction === 'up' && steps.length === 0 && before.history?.kind === 'failed' ? before.history : undefined;
  if (steps.length === 0) {
    const report: RunReport = {
      project: project.id,
      framework: adapter.framework,
      operation: direction,
      target,
      ok: true,
      changes: [],
      before: appliedSummary(before),
      after: appliedSummary(before),
      mode: { kind: 'native' },
      source: { command: [], native: '(nothing to do)', durationMs: 0, via: 'tool' },
      warnings: blockedBy ? [] : [direction === 'up' ? 'Already up to date: nothing to apply.' : 'Nothing to roll back.'],
    };
    if (blockedBy) {
      report.ok = false;
      report.failedMigration = blockedBy.migration;
      report.error = new MigratorError({
        code: 'MIGRATION.FAILED',
        summary: `${project.id}: ${blockedBy.migration} is recorded as failed; nothing else is pending, so nothing was run.`,
        why: blockedBy.detail,
        fix: `Fix ${blockedBy.migration} (and undo what it partly did), mark it resolved with ${adapter.displayName}'s own command, then run \`metamig up ${project.id}\` again.`,
      }).toJSON();
      report.recovery = `The database of ${project.id} is unchanged; ${blockedBy.migration} is still recorded as failed.`;
    }
    return { report, after: before };
  }
  await opts.confirm?.(project, steps);

  const req = { target, steps, state: before };
  const run = direction === 'up' ? await adapter.up(project, req, ctx) : await adapter.down(project, req, ctx);

  let after: MigrationState;
  const warnings = [...run.warnings];
  try {
    after = await adapter.status(project, ctx);
  } catch (e) {
    const err = toMigratorError(e);
    throw new MigratorError({
      code: err.code,
      summary: `${project.id}: the ${direction} command ${run.ok ? 'finished' : 'failed'}, but reading the status afterwards failed: ${err.summary}`,
      why: run.ok ? undefined : run.error?.summary,
      toolOutput: run.output,
      fix: 'The database may have changed. Run `metamig status` once the problem is fixed to see its state.',
    });
  }
  const changes = diffStates(before, after);
  const report: RunReport = {
    project: project.id,
    framework: adapter.framework,
    operation: direction,
    target,
    ok: run.ok,
    changes,
    before: appliedSummary(before),
    after: appliedSummary(after),
    mode: run.mode,
    source: run.source,
    warnings: [...warnings, ...after.warnings.filter((w) => !warnings.includes(w))],
  };
  if (run.output.trim()) report.output = trimOutput(run.output);
  if (run.failedMigration) report.failedMigration = run.failedMigration;
  if (!run.ok) {
    const err = run.error ?? new MigratorError({ code: 'TOOL.FAILED', summary: `${adapter.displayName} failed.`, toolOutput: run.output });
    report.error = err.toJSON();
    report.recovery = recoveryAdvice(project, direction, after, changes, run.failedMigration);
  }
  return { report, after };
}

function recoveryAdvice(project: Project, direction: Direction, after: MigrationState, changes: Change[], failed?: string): string {
  const at = after.current.length ? after.current.join(', ') : 'no migration applied (empty history)';
  const done = changes.length
    ? `${changes.length} migration(s) completed before the failure: ${changes.map((c) => c.id).join(', ')}.`
    : 'No migration completed: the database history is unchanged.';
  const failedState = failed ? after.migrations.find((m) => m.id === failed)?.state : undefined;
  const lines = [
    `The database of ${project.id} is now at: ${at}.`,
    done,
    failed ? `${failed} failed and is recorded as "${failedState ?? 'unknown'}".` : '',
    direction === 'up'
      ? `Fix the failing migration, then run \`metamig up ${project.id}\` again; to undo what completed, run \`metamig down ${project.id} --steps ${Math.max(changes.length, 1)}\`.`
      : `Fix the failing rollback, then run \`metamig down ${project.id}\` again with the remaining steps; \`metamig status ${project.id}\` shows where it stands.`,
  ];
  if (failedState === 'failed') {
    lines.push('The tool recorded a failed migration: it may have been partly applied. Inspect the schema before retrying.');
  }
  return lines.filter(Boolean).join(' ');
}

export async function planMigrations(
  adapter: MigrationAdapter,
  project: Project,
  direction: Direction,
  target: Target,
  ctx: AdapterContext,
): Promise<Plan> {
  const state = await adapter.status(project, ctx);
  const steps = selectSteps(state, direction, target);
  if (steps.length === 0) {
    return {
      project: project.id,
      framework: adapter.framework,
      direction,
      target,
      steps: [],
      sideEffects: [],
      source: { command: [], native: '(nothing to preview)', durationMs: 0, via: 'tool' },
      warnings: [direction === 'up' ? 'Nothing pending.' : 'Nothing applied.'],
    };
  }
  return adapter.plan(project, { direction, target, steps, state }, ctx);
}

/** Generic heads report: the tool-agnostic view of divergence, with advice per history kind. */
export function headsFromState(state: MigrationState, advice: string[] = []): HeadsReport {
  const h = state.history;
  const divergent = state.heads.length > 1 || h?.kind === 'outOfOrder' || h?.kind === 'diverged';
  const generic: string[] = [];
  if (h?.kind === 'multipleHeads') generic.push(`${h.heads.length} heads: ${h.heads.join(', ')}. Run \`metamig merge ${state.project}\` to join them.`);
  if (h?.kind === 'outOfOrder') generic.push(`Not applied but older than the newest applied migration: ${h.migrations.join(', ')}.`);
  if (h?.kind === 'diverged') generic.push(`Applied in the database but missing from the code: ${h.unknownToCode.join(', ')}. Check out the branch that has them, or roll them back from there.`);
  return {
    project: state.project,
    framework: state.framework,
    heads: state.heads,
    divergent,
    history: h,
    advice: [...generic, ...advice],
    source: state.source,
  };
}
