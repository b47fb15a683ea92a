// What `flyway info validate -outputType=json` prints, computed from the resolved migrations and the
// schema history rows — a port of Flyway 12.4.0's MigrationInfoServiceImpl.refresh/current/validate,
// MigrationInfoImpl.getState/compareTo/validate, BaseAppliedMigration.getState and
// CommandResultFactory, for what Flyway Community does with SQL migrations (no target, cherryPick,
// undo or baseline migrations; ignoreMigrationPatterns at its default "*:future"). Pure: the fast
// status path feeds these documents to the same code that reads Flyway's own.
import type { InfoJson, InfoMigrationJson, InvalidMigrationJson, ValidateJson } from './parse.js';
import { type ResolvedMigration, compareVersionText } from './resolve.js';

export type RowType = 'SQL' | 'BASELINE' | 'DELETE' | 'SCHEMA';
export const ROW_TYPES: readonly RowType[] = ['SQL', 'BASELINE', 'DELETE', 'SCHEMA'];
/** CoreMigrationType.isSynthetic: markers, never a migration. */
const SYNTHETIC = new Set<RowType>(['SCHEMA', 'BASELINE', 'DELETE']);

/** One schema history row, as JdbcTableSchemaHistory reads it. */
export interface AppliedRow {
  installedRank: number;
  /** MigrationVersion display text; null for repeatables. */
  version: string | null;
  description: string;
  type: RowType;
  script: string;
  checksum: number | null;
  /** Instant.toString() of installed_on, as `installedOnUTC` shows it ("" when unreadable). */
  installedOn: string;
  success: boolean;
}

type State =
  | 'Pending' | 'Above Target' | 'Below Baseline' | 'Ignored (Baseline)' | 'Baseline' | 'Ignored' | 'Missing'
  | 'Failed (Missing)' | 'Success' | 'Undone' | 'Available' | 'Failed' | 'Out of Order' | 'Future'
  | 'Failed (Future)' | 'Outdated' | 'Superseded' | 'Deleted';

/** MigrationState's `applied` and `failed` flags. */
const APPLIED = new Set<State>(['Baseline', 'Missing', 'Failed (Missing)', 'Success', 'Undone', 'Failed', 'Out of Order', 'Future', 'Failed (Future)', 'Outdated', 'Superseded', 'Deleted']);
const FAILED = new Set<State>(['Failed (Missing)', 'Failed', 'Failed (Future)']);

/** MigrationVersion.compareTo with EMPTY as undefined (below everything) and null as "no such version" (everything is above it). */
const cmp = (a: string, b: string | undefined | null): number => (b === null ? 1 : b === undefined ? 1 : compareVersionText(a, b));

interface Context {
  outOfOrder: boolean;
  /** undefined: MigrationVersion.EMPTY. */
  lastResolved: string | undefined;
  lastApplied: string | undefined;
  appliedBaseline: string | null;
  latestRepeatableRuns: Map<string, number>;
}

interface Info {
  resolved?: ResolvedMigration;
  applied?: AppliedRow;
  outOfOrder: boolean;
  deleted: boolean;
}

const versionOf = (i: Info): string | null => (i.applied ? i.applied.version : (i.resolved!.version ?? null));
const typeOf = (i: Info): RowType => i.applied?.type ?? 'SQL';
const descriptionOf = (i: Info): string => (i.applied ? i.applied.description : i.resolved!.description);

/** ResolvedMigration.checksumMatches. */
const checksumMatches = (r: ResolvedMigration, checksum: number | null) => checksum === r.checksum || (r.equivalentChecksum !== undefined && checksum === r.equivalentChecksum);

function stateOf(i: Info, c: Context): State {
  if (i.deleted) return 'Deleted';
  const a = i.applied;
  if (!a) {
    const r = i.resolved!;
    if (r.version !== undefined) {
      const base = c.lastApplied === undefined ? null : c.appliedBaseline; // pendingBaseline is null: no B migrations
      const b = cmp(r.version, base);
      if (b < 0) return 'Below Baseline';
      if (b === 0) return 'Ignored (Baseline)';
      if (c.lastApplied !== undefined && compareVersionText(r.version, c.lastApplied) < 0 && !c.outOfOrder) return 'Ignored';
    }
    return 'Pending';
  }
  if (a.type === 'DELETE') return 'Success';
  if (a.type === 'BASELINE') return 'Baseline';
  const latest = a.version === null ? c.latestRepeatableRuns.get(a.description) : undefined;
  if (!i.resolved && (a.version !== null || latest === undefined || latest === a.installedRank)) {
    if (a.type === 'SCHEMA') return 'Success';
    if (a.version === null || (c.lastResolved !== undefined && compareVersionText(a.version, c.lastResolved) < 0)) return a.success ? 'Missing' : 'Failed (Missing)';
    return a.success ? 'Future' : 'Failed (Future)';
  }
  if (!a.success) return 'Failed';
  if (a.type === 'SCHEMA') return 'Success';
  if (a.version === null) {
    if (a.installedRank === latest) return i.resolved && checksumMatches(i.resolved, a.checksum) ? 'Success' : 'Outdated';
    return 'Superseded';
  }
  return i.outOfOrder ? 'Out of Order' : 'Success';
}

/** MigrationInfoImpl.compareVersion. */
function compareVersion(x: Info, y: Info): number {
  const vx = versionOf(x);
  const vy = versionOf(y);
  if (vx !== null && vy !== null) {
    const v = compareVersionText(vx, vy);
    if (v !== 0) return v;
    const bx = typeOf(x) === 'BASELINE';
    const by = typeOf(y) === 'BASELINE';
    return bx === by ? 0 : bx ? 1 : -1;
  }
  if (vx !== null) return -1;
  if (vy !== null) return 1;
  const dx = descriptionOf(x);
  const dy = descriptionOf(y);
  return dx < dy ? -1 : dx > dy ? 1 : 0;
}

/** MigrationInfoImpl.compareTo: applied by installed rank, below-baseline ones first, pending after. */
function compareInfo(x: Info, y: Info, c: Context): number {
  const rx = x.applied?.installedRank;
  const ry = y.applied?.installedRank;
  if (rx !== undefined && ry !== undefined) return rx - ry;
  const sx = stateOf(x, c);
  const sy = stateOf(y, c);
  const below = (s: State) => s === 'Below Baseline' || s === 'Ignored (Baseline)';
  if (below(sx) && APPLIED.has(sy)) return -1;
  if (APPLIED.has(sx) && below(sy)) return 1;
  if (rx !== undefined) return -1;
  if (ry !== undefined) return 1;
  return compareVersion(x, y);
}

/** MigrationInfoImpl.validate with the default ignore pattern "*:future" (no pending/ignored/missing ignored). */
function validateInfo(i: Info, c: Context): { errorCode: string; errorMessage: string } | undefined {
  const state = stateOf(i, c);
  if (state === 'Undone' || state === 'Above Target' || state === 'Deleted' || state === 'Future') return undefined;
  const version = versionOf(i);
  const description = descriptionOf(i);
  if (FAILED.has(state) && state !== 'Failed (Future)') {
    if (version === null) return { errorCode: 'FAILED_REPEATABLE_MIGRATION', errorMessage: `Detected failed repeatable migration: ${description}.\nPlease remove any half-completed changes then run repair to fix the schema history.` };
    return { errorCode: 'FAILED_VERSIONED_MIGRATION', errorMessage: `Detected failed migration to version ${version} (${description}).\nPlease remove any half-completed changes then run repair to fix the schema history.` };
  }
  const a = i.applied;
  if (!i.resolved && a && !SYNTHETIC.has(a.type) && state !== 'Superseded' && state !== 'Failed (Future)') {
    if (a.version !== null) return { errorCode: 'APPLIED_VERSIONED_MIGRATION_NOT_RESOLVED', errorMessage: `Detected applied migration not resolved locally: ${version}.\nIf you removed this migration intentionally, run repair to mark the migration as deleted.` };
    return { errorCode: 'APPLIED_REPEATABLE_MIGRATION_NOT_RESOLVED', errorMessage: `Detected applied migration not resolved locally: ${description}.\nIf you removed this migration intentionally, run repair to mark the migration as deleted.` };
  }
  if (state === 'Ignored') {
    if (version !== null) return { errorCode: 'RESOLVED_VERSIONED_MIGRATION_NOT_APPLIED', errorMessage: `Detected resolved migration not applied to database: ${version}.\nTo ignore this migration, set -ignoreMigrationPatterns='*:ignored'. To allow executing this migration, set -outOfOrder=true.` };
    return { errorCode: 'RESOLVED_REPEATABLE_MIGRATION_NOT_APPLIED', errorMessage: `Detected resolved repeatable migration not applied to database: ${description}.\nTo ignore this migration, set -ignoreMigrationPatterns='*:ignored'.` };
  }
  if (state === 'Pending') {
    if (version !== null) return { errorCode: 'RESOLVED_VERSIONED_MIGRATION_NOT_APPLIED', errorMessage: `Detected resolved migration not applied to database: ${version}.\nTo fix this error, either run migrate, or set -ignoreMigrationPatterns='*:pending'.` };
    return { errorCode: 'RESOLVED_REPEATABLE_MIGRATION_NOT_APPLIED', errorMessage: `Detected resolved repeatable migration not applied to database: ${description}.\nTo fix this error, either run migrate, or set -ignoreMigrationPatterns='*:pending'.` };
  }
  if (state === 'Outdated') return { errorCode: 'OUTDATED_REPEATABLE_MIGRATION', errorMessage: `Detected outdated resolved repeatable migration that should be re-applied to database: ${description}.\nRun migrate to execute this migration.` };
  const r = i.resolved;
  if (r && a && a.type !== 'DELETE' && (a.version === null || cmp(a.version, c.appliedBaseline) > 0)) {
    const id = a.version === null ? a.script : `version ${a.version}`;
    const mismatch = (what: string, applied: unknown, resolved: unknown) =>
      `Migration ${what} mismatch for migration ${id}\n-> Applied to database : ${String(applied)}\n-> Resolved locally    : ${String(resolved)}\nEither revert the changes to the migration, or run repair to update the schema history.`;
    if (a.type !== 'SQL') return { errorCode: 'TYPE_MISMATCH', errorMessage: mismatch('type', a.type, 'SQL') };
    const resolvedChecksum = r.checksum;
    if (r.version !== undefined && a.checksum !== null && resolvedChecksum !== a.checksum) {
      return { errorCode: 'CHECKSUM_MISMATCH', errorMessage: mismatch('checksum', a.checksum, resolvedChecksum) };
    }
    const abbreviated = r.description.length <= 200 ? r.description : `${r.description.slice(0, 197)}...`;
    if (a.description === '<< no description >>' ? r.description !== '' : abbreviated !== a.description) {
      return { errorCode: 'DESCRIPTION_MISMATCH', errorMessage: mismatch('description', a.description, r.description) };
    }
  }
  return undefined;
}

export interface InfoOptions {
  /** outOfOrder in effect (config, FLYWAY_OUT_OF_ORDER, or metamig's -outOfOrder=true). */
  outOfOrder: boolean;
}

/** `info` and `validate` as Flyway computes them; a string when Flyway itself would fail on this history. */
export function simulateInfo(resolved: ResolvedMigration[], rows: AppliedRow[], opts: InfoOptions): { info: InfoJson; validate: ValidateJson } | string {
  const c: Context = { outOfOrder: opts.outOfOrder, lastResolved: undefined, lastApplied: undefined, appliedBaseline: null, latestRepeatableRuns: new Map() };
  const resolvedVersioned = resolved.filter((r) => r.version !== undefined);
  for (const r of resolvedVersioned) if (c.lastResolved === undefined || compareVersionText(r.version!, c.lastResolved) > 0) c.lastResolved = r.version;
  const resolvedRepeatable = new Map(resolved.filter((r) => r.version === undefined).map((r) => [r.description, r]));
  const lookupVersioned = (row: AppliedRow) => (row.type === 'SQL' ? resolvedVersioned.find((r) => compareVersionText(r.version!, row.version!) === 0) : undefined);

  const ordered = [...rows].sort((a, b) => a.installedRank - b.installedRank);
  const appliedVersioned: Info[] = [];
  for (const row of ordered) {
    if (row.version === null) continue;
    if (row.type === 'BASELINE' && (c.appliedBaseline === null || compareVersionText(row.version, c.appliedBaseline) > 0)) c.appliedBaseline = row.version;
    if (row.type === 'DELETE' && row.success) {
      // markAsDeleted: the latest non-synthetic row of that version.
      const target = [...appliedVersioned].reverse().find((x) => !SYNTHETIC.has(x.applied!.type) && compareVersionText(x.applied!.version!, row.version!) === 0);
      if (target?.deleted) return `Corrupted schema history: multiple delete entries for version ${row.version} (Flyway fails)`;
      if (target) target.deleted = true;
      continue;
    }
    appliedVersioned.push({ applied: row, outOfOrder: false, deleted: false });
  }
  const appliedRepeatable: Info[] = [];
  for (const row of ordered) {
    if (row.version !== null) continue;
    appliedRepeatable.push({ applied: row, outOfOrder: false, deleted: false });
    if (row.type === 'DELETE' && row.success) {
      const target = [...appliedRepeatable].reverse().find((x) => !SYNTHETIC.has(x.applied!.type) && x.applied!.description === row.description);
      if (target) target.deleted = true;
    }
  }
  for (const av of appliedVersioned) {
    const a = av.applied!;
    if (c.lastApplied === undefined || compareVersionText(a.version!, c.lastApplied) > 0) {
      if (a.type !== 'DELETE' && !av.deleted) c.lastApplied = a.version!;
    } else {
      av.outOfOrder = true;
    }
  }

  const infos: Info[] = [];
  const pendingVersioned = new Set(resolvedVersioned);
  for (const av of appliedVersioned) {
    const r = lookupVersioned(av.applied!);
    if (r) av.resolved = r;
    infos.push(av);
    if (r && !av.deleted && av.applied!.type !== 'DELETE') pendingVersioned.delete(r);
  }
  for (const r of pendingVersioned) infos.push({ resolved: r, outOfOrder: false, deleted: false });

  for (const ar of appliedRepeatable) {
    const a = ar.applied!;
    const latest = c.latestRepeatableRuns.get(a.description);
    if (latest === undefined || a.installedRank > latest) c.latestRepeatableRuns.set(a.description, a.installedRank);
  }
  const pendingRepeatable = new Set(resolvedRepeatable.values());
  for (const ar of appliedRepeatable) {
    const a = ar.applied!;
    const r = resolvedRepeatable.get(a.description);
    if (r) ar.resolved = r;
    infos.push(ar);
    if (!ar.deleted && a.type !== 'DELETE' && r && a.installedRank === c.latestRepeatableRuns.get(a.description) && checksumMatches(r, a.checksum)) pendingRepeatable.delete(r);
  }
  for (const r of pendingRepeatable) infos.push({ resolved: r, outOfOrder: false, deleted: false });
  infos.sort((x, y) => compareInfo(x, y, c));

  // current(): the highest applied version; a repeatable fallback has no version to show.
  let current: string | null = null;
  for (const i of infos) {
    const s = stateOf(i, c);
    const v = versionOf(i);
    if (APPLIED.has(s) && s !== 'Deleted' && typeOf(i) !== 'DELETE' && s !== 'Undone' && v !== null && (current === null || compareVersionText(v, current) > 0)) current = v;
  }

  const migrations: InfoMigrationJson[] = infos.map((i) => ({
    category: SYNTHETIC.has(typeOf(i)) ? '' : versionOf(i) === null ? 'Repeatable' : 'Versioned',
    version: versionOf(i) ?? '',
    description: descriptionOf(i),
    type: typeOf(i),
    installedOnUTC: i.applied?.installedOn ?? '',
    state: stateOf(i, c),
    filepath: i.resolved?.physicalLocation ?? '',
  }));
  const invalidMigrations: InvalidMigrationJson[] = [];
  for (const i of infos) {
    const error = validateInfo(i, c);
    if (error) invalidMigrations.push({ version: versionOf(i) ?? '', description: descriptionOf(i), filepath: i.resolved?.physicalLocation ?? '', errorDetails: error });
  }
  return {
    info: { operation: 'info', schemaVersion: current, migrations },
    validate: { operation: 'validate', validationSuccessful: invalidMigrations.length === 0, invalidMigrations },
  };
}
