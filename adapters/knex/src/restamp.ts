// Knex has no migration graph: "divergence" is a file that sorts before migrations already applied.
// Restamping gives such a file (only while it is unapplied: knex identifies a migration by its file
// name) a new timestamp newer than every existing migration. This module only PLANS the renames.
import { posix } from 'node:path';
import { isApplied, type Migration } from '@metamig/core';

export interface Rename {
  id: string;
  from: string;
  to: string;
  newId: string;
}
export interface RestampPlan {
  renames: Rename[];
  refused: { file: string; reason: string }[];
}

const STAMP = /^(\d{14})(?=_)/;

/** knex's own format (MigrationGenerator): yyyymmddhhmmss in UTC. */
export function knexTimestamp(d: Date): string {
  const p = (n: number, w = 2) => String(n).padStart(w, '0');
  return `${p(d.getUTCFullYear(), 4)}${p(d.getUTCMonth() + 1)}${p(d.getUTCDate())}${p(d.getUTCHours())}${p(d.getUTCMinutes())}${p(d.getUTCSeconds())}`;
}

export function parseKnexTimestamp(id: string): Date | undefined {
  const s = STAMP.exec(id)?.[1];
  if (!s) return undefined;
  const n = (a: number, b: number) => Number(s.slice(a, b));
  const d = new Date(Date.UTC(n(0, 4), n(4, 6) - 1, n(6, 8), n(8, 10), n(10, 12), n(12, 14)));
  return knexTimestamp(d) === s ? d : undefined; // rejects 20241399… style non-dates
}

/** Applied migrations that ran after one that sorts after them (knex applied them "as is"). */
export function appliedOutOfOrder(migrations: Migration[]): Migration[] {
  let newest = '';
  const out: Migration[] = [];
  for (const m of migrations.filter(isApplied)) {
    if (m.id < newest) out.push(m);
    else newest = m.id;
  }
  return out;
}

const fileOf = (m: Migration) => m.file ?? m.id;

/**
 * New names for the unapplied out-of-order migrations, in their current order, each one second after
 * the previous, starting after max(now, newest existing timestamp). Applied ones are refused.
 */
export function planRestamp(migrations: Migration[], now: Date): RestampPlan {
  const refused: RestampPlan['refused'] = appliedOutOfOrder(migrations).map((m) => ({
    file: fileOf(m),
    reason: `already applied (batch ${m.batch ?? '?'}): knex knows it by its file name, so renaming it would leave its knex_migrations row without a file and knex would refuse every command ("The migration directory is corrupt")`,
  }));
  const candidates = migrations.filter((m) => m.state === 'out-of-order');
  const renames: Rename[] = [];
  if (!candidates.length) return { renames, refused };

  const stamps = migrations.map((m) => parseKnexTimestamp(m.id)?.getTime() ?? -Infinity);
  let next = Math.max(Math.floor(now.getTime() / 1000) * 1000, Math.max(...stamps) + 1000);
  const untouched = migrations.filter((m) => !candidates.includes(m)).map((m) => m.id);
  let floor = untouched.reduce((a, b) => (b > a ? b : a), '');
  for (const m of candidates) {
    if (!m.file) {
      refused.push({ file: m.id, reason: 'its file path is unknown (a custom migrationSource): rename it by hand' });
      continue;
    }
    if (!parseKnexTimestamp(m.id)) {
      refused.push({ file: m.file, reason: "its name does not start with knex's yyyymmddhhmmss timestamp, so there is no timestamp to replace" });
      continue;
    }
    const newId = knexTimestamp(new Date(next)) + m.id.slice(14);
    if (newId <= floor) {
      refused.push({ file: m.file, reason: `a new name (${newId}) would still not sort after ${floor}` });
      continue;
    }
    renames.push({ id: m.id, from: m.file, to: posix.join(posix.dirname(m.file), newId), newId });
    floor = newId;
    next += 1000;
  }
  return { renames, refused };
}
