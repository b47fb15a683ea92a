// Flyway's schema history table, as the emulated undo reads and writes it. Pure.
//
// Flyway Teams' `undo` appends an UNDO_SQL row; Flyway Community cannot even read such a row
// ("Unknown migration type 'UNDO_SQL' found in schema history", verified with 12.4.0). What
// Community does understand is the DELETE row its own `repair` writes for a migration removed on
// purpose: MigrationInfoServiceImpl marks the latest row of that version "Deleted", leaves it out of
// the current version, and lists the version as Pending again, so `migrate` re-applies it.

export interface HistoryRow {
  installed_rank: number;
  version: string | null;
  description: string;
  type: string;
  script: string;
  checksum: number | null;
  success: boolean | number;
}

/** Row types that are markers, never a migration (CoreMigrationType.isSynthetic). */
const SYNTHETIC = new Set(['SCHEMA', 'BASELINE', 'DELETE']);

/**
 * The row that makes `version` applied, replaying DELETE rows the way Flyway does (each marks the
 * latest not-yet-deleted row of its version). undefined: not applied (never, or deleted since).
 */
export function effectiveRow(rows: HistoryRow[], version: string): HistoryRow | { baseline: HistoryRow } | undefined {
  const live: { row: HistoryRow; deleted: boolean }[] = [];
  let baseline: HistoryRow | undefined;
  for (const row of [...rows].sort((a, b) => a.installed_rank - b.installed_rank)) {
    if (row.version !== version) continue;
    if (row.type === 'DELETE') {
      if (!row.success) continue;
      const target = live[live.length - 1]; // Flyway marks the latest row; a second DELETE for it is corruption
      if (target && !target.deleted) target.deleted = true;
      continue;
    }
    if (row.type === 'BASELINE') baseline = row;
    if (SYNTHETIC.has(row.type)) continue;
    live.push({ row, deleted: false });
  }
  const last = [...live].reverse().find((x) => !x.deleted);
  if (last) return last.row;
  return baseline ? { baseline } : undefined;
}

/** Flyway's identifier quoting for PostgreSQL and SQLite: "name", inner quotes doubled. */
export const quoteIdent = (name: string): string => `"${name.replace(/"/g, '""')}"`;

/** `"schema"."table"` (what Table.toString() gives, and what the advisory lock is keyed on). */
export const qualifiedTable = (schema: string | undefined, table: string): string => (schema ? `${quoteIdent(schema)}.${quoteIdent(table)}` : quoteIdent(table));

/** java.lang.String#hashCode. */
export function javaHashCode(s: string): number {
  let h = 0;
  for (let i = 0; i < s.length; i++) h = (Math.imul(31, h) + s.charCodeAt(i)) | 0;
  return h;
}

/** 'F','l','y','w','a','y' packed into a long: PostgreSQLAdvisoryLockTemplate.LOCK_MAGIC_NUM. */
const LOCK_MAGIC_NUM = (0x46n << 40n) + (0x6cn << 32n) + (0x79n << 24n) + (0x77n << 16n) + (0x61n << 8n) + 0x79n;

/** The advisory lock Flyway takes on PostgreSQL while it migrates this history table. */
export function advisoryLockKey(schema: string, table: string): string {
  return (LOCK_MAGIC_NUM + BigInt(javaHashCode(qualifiedTable(schema, table)))).toString();
}

export interface DeleteRowValues {
  version: string;
  description: string;
  script: string;
  checksum: number | null;
  installedBy: string;
  executionTime: number;
}

/** The INSERT of the DELETE row (installed_rank = max + 1, as Flyway's calculateInstalledRank). */
export function insertDeleteRow(engine: 'postgres' | 'sqlite', table: string, v: DeleteRowValues): { sql: string; params: unknown[] } {
  const p = engine === 'postgres' ? (i: number) => `$${i}` : () => '?';
  const sql =
    `INSERT INTO ${table} (installed_rank, version, description, type, script, checksum, installed_by, execution_time, success) ` +
    `SELECT COALESCE(MAX(installed_rank), 0) + 1, ${p(1)}, ${p(2)}, 'DELETE', ${p(3)}, ${p(4)}, ${p(5)}, ${p(6)}, ${engine === 'postgres' ? 'true' : '1'} FROM ${table}`;
  return { sql, params: [v.version, v.description, v.script, v.checksum, v.installedBy, v.executionTime] };
}
