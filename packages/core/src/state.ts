// Pure helpers every adapter uses to build its MigrationState the same way: the summary and the
// history diagnostic are derived from the per-migration states, never decided per tool.
import type { RunResult } from './runner.js';
import { formatCommand } from './runner.js';
import type { FrameworkId, HistoryDiagnostic, Migration, MigrationState, Source } from './schemas.js';

export interface StateInput {
  project: string;
  framework: FrameworkId;
  database: string;
  migrations: Migration[];
  current: string[];
  heads: string[];
  source: Source;
  warnings?: string[];
}

export const isApplied = (m: Migration): boolean => m.state === 'applied' || m.state === 'edited';
export const isPendingLike = (m: Migration): boolean => m.state === 'pending' || m.state === 'out-of-order';

export function deriveHistory(migrations: Migration[], heads: string[]): HistoryDiagnostic | null {
  const failed = migrations.find((m) => m.state === 'failed');
  if (failed) return { kind: 'failed', migration: failed.id, detail: failed.detail ?? 'the tool recorded this migration as failed' };
  const missing = migrations.filter((m) => m.state === 'missing-file');
  if (missing.length) {
    const ids = new Set(missing.map((m) => m.id));
    const common = [...migrations].reverse().find((m) => isApplied(m) && !ids.has(m.id));
    return { kind: 'diverged', unknownToCode: missing.map((m) => m.id), ...(common ? { lastCommon: common.id } : {}) };
  }
  const edited = migrations.filter((m) => m.state === 'edited');
  if (edited.length) return { kind: 'edited', migrations: edited.map((m) => m.id) };
  if (heads.length > 1) return { kind: 'multipleHeads', heads: [...heads] };
  const ooo = migrations.filter((m) => m.state === 'out-of-order');
  if (ooo.length) return { kind: 'outOfOrder', migrations: ooo.map((m) => m.id) };
  const pending = migrations.filter((m) => m.state === 'pending');
  if (pending.length) return { kind: 'databaseBehind', pending: pending.map((m) => m.id) };
  return null;
}

export function buildState(input: StateInput): MigrationState {
  const { migrations } = input;
  const applied = migrations.filter(isApplied).length;
  const pending = migrations.filter(isPendingLike).length;
  const problems = migrations.filter((m) => ['failed', 'missing-file', 'edited', 'out-of-order'].includes(m.state)).length;
  return {
    project: input.project,
    framework: input.framework,
    database: input.database,
    migrations,
    current: input.current,
    heads: input.heads,
    history: deriveHistory(migrations, input.heads),
    summary: { total: migrations.length, applied, pending, problems },
    source: input.source,
    warnings: input.warnings ?? [],
  };
}

/**
 * Timestamp-ordered tools (Knex, Laravel, Rails, TypeORM, Flyway): a migration that is not applied
 * but sorts before the newest applied one is out of order. `sortKey` gives the tool's own ordering.
 */
export function markOutOfOrder(migrations: Migration[], sortKey: (m: Migration) => string | number, why: string): Migration[] {
  let newestApplied: string | number | undefined;
  for (const m of migrations) {
    if (!isApplied(m)) continue;
    const k = sortKey(m);
    if (newestApplied === undefined || k > newestApplied) newestApplied = k;
  }
  if (newestApplied === undefined) return migrations;
  const newest = newestApplied;
  return migrations.map((m) =>
    m.state === 'pending' && sortKey(m) < newest ? { ...m, state: 'out-of-order', detail: m.detail ?? why } : m,
  );
}

/** Linear tools: each migration's parent is the previous one in order. */
export function linearParents<T extends { id: string }>(items: T[]): (T & { parents: string[] })[] {
  return items.map((m, i) => ({ ...m, parents: i === 0 ? [] : [items[i - 1]!.id] }));
}

export function sourceOf(run: Pick<RunResult, 'command' | 'durationMs'>, native: string, toolVersion?: string): Source {
  return {
    command: run.command,
    native,
    durationMs: run.durationMs,
    via: 'tool',
    ...(toolVersion ? { toolVersion } : {}),
  };
}

export const nativeCommand = formatCommand;

/**
 * What the fast path must reproduce exactly: every migration's identity, order, edges and state, the
 * applied and code heads, the history diagnosis and the summary. Left out: what only the framework's
 * code analysis knows (reversible, transactional, details) and how the answer was obtained (source).
 */
export function comparableState(s: MigrationState) {
  return {
    migrations: s.migrations.map((m) => ({ id: m.id, name: m.name, file: m.file, parents: m.parents, state: m.state, appliedAt: m.appliedAt })),
    current: [...s.current].sort(),
    heads: [...s.heads].sort(),
    history: s.history,
    summary: s.summary,
  };
}
