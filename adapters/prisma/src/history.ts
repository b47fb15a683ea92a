// The migrations folder + the `_prisma_migrations` table → per-migration states, with Prisma's own
// rules (schema-engine: diagnose_migration_history.rs, apply_migrations.rs):
//  - a row is applied when finished_at is set and rolled_back_at is not; failed when neither is set;
//    rows with rolled_back_at are ignored by `migrate deploy`, which applies the migration again;
//  - migrations are matched BY NAME, order ignored; the checksum is the SHA-256 of migration.sql
//    (also accepted with CRLF/LF swapped, and unpadded hex from old engines).
// `predictCliStatus` replays what `prisma migrate status` prints for the same table and folder, so
// the CLI's answer can be checked against the table read, line by line. Pure functions.
import { createHash } from 'node:crypto';
import { linearParents, markOutOfOrder, type Migration } from '@metamig/core';
import type { CliStatus } from './parse.js';
import { firstDataStatement, firstLine, splitStatements } from './sql.js';

export interface FolderMigration {
  /** The folder name: Prisma's migration id. */
  name: string;
  /** Paths relative to the project root (posix). */
  sqlFile: string;
  script: string;
  downFile?: string;
  downScript?: string;
}

export interface HistoryRow {
  id: string;
  checksum: string;
  finishedAt: string | null;
  migrationName: string;
  logs: string | null;
  rolledBackAt: string | null;
  startedAt: string;
  appliedStepsCount: number;
}

/** What the table read found; `hasTable: false` = the database is not managed by Prisma Migrate. */
export interface TableRead {
  hasTable: boolean;
  /** Ordered by started_at, as Prisma reads them. */
  rows: HistoryRow[];
}

export const checksumOf = (script: string) => createHash('sha256').update(script).digest('hex');
const unpadded = (script: string) => [...createHash('sha256').update(script).digest()].map((b) => b.toString(16)).join('');

export function checksumMatches(script: string, checksum: string): boolean {
  const variants = [script, script.replace(/\r\n/g, '\n'), script.replace(/\n/g, '\r\n')];
  const old = checksum.length !== 64;
  return variants.some((v) => (old ? unpadded(v) : checksumOf(v)) === checksum);
}

const isApplied = (r: HistoryRow) => r.finishedAt !== null && r.rolledBackAt === null;
const isFailed = (r: HistoryRow) => r.finishedAt === null && r.rolledBackAt === null;

/** What `prisma migrate status` (6.19 / 7.x, same text) prints for this folder and table. */
export function predictCliStatus(folderNames: string[], table: TableRead): CliStatus {
  const found = folderNames.length;
  const rows = table.hasTable ? table.rows : [];
  const inDb = new Set(rows.map((r) => r.migrationName)); // any row, even a rolled-back one
  const inFs = new Set(folderNames);
  const notInDb = folderNames.filter((n) => !inDb.has(n));
  const notInFs = rows.filter((r) => !inFs.has(r.migrationName)).map((r) => r.migrationName);
  if (notInDb.length && !notInFs.length) return { kind: 'pending', found, pending: notInDb };
  if (notInDb.length && notInFs.length) {
    const idx = folderNames.indexOf(notInDb[0]!);
    return { kind: 'diverged', found, lastCommon: idx > 0 ? folderNames[idx - 1]! : null, unapplied: notInDb, unpersisted: notInFs };
  }
  if (!table.hasTable) return { kind: 'notManaged', found };
  const failed = rows.filter(isFailed).map((r) => r.migrationName);
  if (failed.length) return { kind: 'failed', found, failed };
  return { kind: 'upToDate', found };
}

const sorted = (xs: string[]) => [...xs].sort();
const sameList = (a: string[], b: string[]) => JSON.stringify(sorted(a)) === JSON.stringify(sorted(b));

/** Differences between two status diagnoses, in words (empty = they agree). */
export function diagnosisDifferences(actual: CliStatus, expected: CliStatus): string[] {
  const say = describeCliStatus;
  if (actual.kind !== expected.kind) return [`prisma migrate status says "${say(actual)}", the table read predicts "${say(expected)}"`];
  const diffs: string[] = [];
  if ('found' in actual && 'found' in expected && actual.found !== expected.found) diffs.push(`prisma migrate status found ${actual.found} migration folders, metamig ${expected.found}`);
  if (actual.kind === 'pending' && expected.kind === 'pending' && !sameList(actual.pending, expected.pending)) diffs.push(`pending: prisma says ${actual.pending.join(', ')}; the table read says ${expected.pending.join(', ')}`);
  if (actual.kind === 'failed' && expected.kind === 'failed' && !sameList(actual.failed, expected.failed)) diffs.push(`failed: prisma says ${actual.failed.join(', ')}; the table read says ${expected.failed.join(', ')}`);
  if (actual.kind === 'diverged' && expected.kind === 'diverged') {
    if (!sameList(actual.unapplied, expected.unapplied)) diffs.push(`not applied: prisma says ${actual.unapplied.join(', ')}; the table read says ${expected.unapplied.join(', ')}`);
    if (!sameList(actual.unpersisted, expected.unpersisted)) diffs.push(`not in the folder: prisma says ${actual.unpersisted.join(', ')}; the table read says ${expected.unpersisted.join(', ')}`);
  }
  return diffs;
}

export function describeCliStatus(s: CliStatus): string {
  switch (s.kind) {
    case 'upToDate':
      return 'Database schema is up to date';
    case 'pending':
      return `${s.pending.length} not yet applied: ${s.pending.join(', ')}`;
    case 'failed':
      return `failed: ${s.failed.join(', ')}`;
    case 'diverged':
      return `histories diverge (not applied: ${s.unapplied.join(', ')}; not found locally: ${s.unpersisted.join(', ')})`;
    case 'notManaged':
      return 'not managed by Prisma Migrate';
    case 'error':
      return `error${s.code ? ` ${s.code}` : ''}: ${s.message.split('\n')[0]}`;
  }
}

/** Where `prisma migrate status` is silent or misleading for this table (not a disagreement). */
export function cliBlindSpots(folder: FolderMigration[], table: TableRead): string[] {
  if (!table.hasTable) return [];
  const out: string[] = [];
  const byName = new Map(folder.map((f) => [f.name, f]));
  const cli = predictCliStatus(folder.map((f) => f.name), table);
  for (const f of folder) {
    const rows = table.rows.filter((r) => r.migrationName === f.name);
    if (rows.length && !rows.some((r) => r.rolledBackAt === null)) {
      out.push(`${f.name} has only rolled-back rows in _prisma_migrations: prisma migrate status counts it as applied, but prisma migrate deploy will apply it again (metamig reports it pending).`);
    }
  }
  const missing = [...new Set(table.rows.filter((r) => !byName.has(r.migrationName) && r.rolledBackAt === null).map((r) => r.migrationName))];
  if (missing.length && cli.kind !== 'diverged') {
    out.push(`prisma migrate status does not report migrations applied to the database but missing from the folder when nothing is pending: ${missing.join(', ')}.`);
  }
  const failed = table.rows.filter(isFailed).map((r) => r.migrationName);
  if (failed.length && (cli.kind === 'pending' || cli.kind === 'diverged')) {
    out.push(`prisma migrate status lists only the unapplied migrations while these are recorded as failed: ${failed.join(', ')} (prisma migrate deploy refuses to run until they are resolved, P3009).`);
  }
  const edited = folder.filter((f) => editedRow(f, table.rows)).map((f) => f.name);
  if (edited.length) out.push(`prisma migrate status does not report edited migrations (migration.sql changed after it was applied): ${edited.join(', ')}.`);
  return out;
}

/** The applied row whose checksum no longer matches the file. */
function editedRow(f: FolderMigration, rows: HistoryRow[]): HistoryRow | undefined {
  const applied = rows.filter((r) => r.migrationName === f.name && isApplied(r));
  const last = applied[applied.length - 1];
  return last && !checksumMatches(f.script, last.checksum) ? last : undefined;
}

export interface Reversibility {
  reversible: boolean | 'unknown';
  irreversibleReason?: string;
  /** How a rollback would get its SQL. */
  down: 'down.sql' | 'generate' | 'none';
}

/** Decided from the files, before anyone rolls back. */
export function reversibilityOf(f: FolderMigration): Reversibility {
  if (f.downScript !== undefined) return { reversible: true, down: 'down.sql' };
  const data = firstDataStatement(splitStatements(f.script));
  if (data) {
    return {
      reversible: false,
      down: 'none',
      irreversibleReason: `no down.sql, and none can be generated: line ${data.line} changes data (${firstLine(data.sql).slice(0, 60)}), which a schema diff (prisma migrate diff) cannot reverse. Write ${f.sqlFile.replace(/migration\.sql$/, 'down.sql')} to make it reversible.`,
    };
  }
  return { reversible: 'unknown', down: 'generate' };
}

const shortName = (id: string) => id.replace(/^\d+_/, '');

export interface StateOptions {
  /** Whether Prisma runs a migration.sql in one transaction for this project (engine + database). */
  transactional: boolean;
}

function base(f: FolderMigration | undefined, name: string, opts: StateOptions): Migration {
  const m: Migration = { id: name, name: shortName(name), parents: [], state: 'pending', reversible: false };
  if (!f) {
    m.irreversibleReason = 'its folder is not in the migrations directory: there is no SQL to run';
    return m;
  }
  m.file = f.sqlFile;
  m.transactional = opts.transactional;
  const r = reversibilityOf(f);
  m.reversible = r.reversible;
  if (r.irreversibleReason) m.irreversibleReason = r.irreversibleReason;
  return m;
}

const trimLogs = (logs: string) => logs.trim().split('\n').slice(0, 12).join('\n');

/** Table + folder → migrations in Prisma's apply order (started_at), then the pending ones by name. */
export function migrationsFromHistory(folder: FolderMigration[], table: TableRead, opts: StateOptions): Migration[] {
  const byName = new Map(folder.map((f) => [f.name, f]));
  const attempted: Migration[] = [];
  const seen = new Set<string>();
  // One entry per name, placed where its deciding row was started.
  const active = table.rows.filter((r) => r.rolledBackAt === null);
  const deciding = new Map<string, HistoryRow>();
  for (const r of active) {
    const prev = deciding.get(r.migrationName);
    // A failed row decides (deploy refuses while it exists); otherwise the newest applied row.
    if (!prev || !isFailed(prev)) deciding.set(r.migrationName, r);
  }
  for (const r of [...deciding.values()].sort((a, b) => (a.startedAt < b.startedAt ? -1 : a.startedAt > b.startedAt ? 1 : 0))) {
    const f = byName.get(r.migrationName);
    const m = base(f, r.migrationName, opts);
    if (isFailed(r)) {
      m.state = 'failed';
      m.detail = r.logs?.trim() ? trimLogs(r.logs) : `started at ${r.startedAt} and never finished (no logs recorded)`;
      if (!f) m.detail += ' — and its folder is missing from the migrations directory';
    } else if (!f) {
      m.state = 'missing-file';
      m.appliedAt = r.finishedAt!;
      m.detail = `applied at ${r.finishedAt} but its folder is not in the migrations directory (applied from another branch, or deleted)`;
    } else {
      m.appliedAt = r.finishedAt!;
      if (checksumMatches(f.script, r.checksum)) m.state = 'applied';
      else {
        m.state = 'edited';
        m.detail = `migration.sql changed after it was applied: checksum ${r.checksum.slice(0, 12)}… in _prisma_migrations, ${checksumOf(f.script).slice(0, 12)}… on disk`;
      }
    }
    attempted.push(m);
    seen.add(r.migrationName);
  }
  const pending = folder
    .filter((f) => !seen.has(f.name))
    .map((f) => {
      const m = base(f, f.name, opts);
      const rolledBack = table.rows.filter((r) => r.migrationName === f.name && r.rolledBackAt !== null);
      if (rolledBack.length) m.detail = `rolled back at ${rolledBack[rolledBack.length - 1]!.rolledBackAt} (rolled_back_at set): prisma migrate deploy applies it again`;
      return m;
    });
  const ordered = markOutOfOrder(
    [...attempted, ...pending],
    (m) => m.id,
    'sorts before a migration that is already applied; prisma migrate deploy applies it anyway (by name, order ignored), after the newer ones',
  );
  return linearParents(ordered);
}

/** Folder + the CLI's diagnosis only (the table could not be read): no times, no checksums. */
export function migrationsFromCli(folder: FolderMigration[], cli: Exclude<CliStatus, { kind: 'error' }>, opts: StateOptions): Migration[] {
  const pending = new Set(cli.kind === 'pending' ? cli.pending : cli.kind === 'diverged' ? cli.unapplied : cli.kind === 'notManaged' ? folder.map((f) => f.name) : []);
  const failed = new Set(cli.kind === 'failed' ? cli.failed : []);
  const missing = cli.kind === 'diverged' ? [...new Set(cli.unpersisted)] : [];
  const known = folder.map((f) => {
    const m = base(f, f.name, opts);
    if (failed.has(f.name)) m.state = 'failed';
    else if (!pending.has(f.name)) m.state = 'applied';
    if (failed.has(f.name)) m.detail = 'prisma migrate status reports it failed (the logs are in _prisma_migrations)';
    return m;
  });
  const gone = missing.map((name) => ({ ...base(undefined, name, opts), state: 'missing-file' as const, detail: 'in _prisma_migrations but its folder is not in the migrations directory' }));
  const applied = known.filter((m) => m.state !== 'pending');
  return linearParents([...applied, ...gone, ...known.filter((m) => m.state === 'pending')]);
}
