// Laravel has no migration graph: "divergence" is a file that sorts before migrations already applied
// (typically merged from another branch). Restamping gives such a file — only while it is unapplied:
// Laravel identifies a migration by its file name — a new Y_m_d_His prefix newer than every existing
// migration. The class name (if any) comes from the part after the date, so it does not change.
// This module only PLANS the renames.
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

const STAMP = /^(\d{4})_(\d{2})_(\d{2})_(\d{2})(\d{2})(\d{2})_/;

/** Laravel's own prefix (MigrationCreator::getDatePrefix, `Y_m_d_His`), in UTC. */
export function laravelTimestamp(d: Date): string {
  const p = (n: number, w = 2) => String(n).padStart(w, '0');
  return `${p(d.getUTCFullYear(), 4)}_${p(d.getUTCMonth() + 1)}_${p(d.getUTCDate())}_${p(d.getUTCHours())}${p(d.getUTCMinutes())}${p(d.getUTCSeconds())}`;
}

export function parseLaravelTimestamp(id: string): Date | undefined {
  const m = STAMP.exec(id);
  if (!m) return undefined;
  const [y, mo, d, h, mi, s] = m.slice(1).map(Number) as [number, number, number, number, number, number];
  const date = new Date(Date.UTC(y, mo - 1, d, h, mi, s));
  return laravelTimestamp(date) === id.slice(0, 17) ? date : undefined; // rejects 2024_13_45_… non-dates
}

/** Applied migrations that ran after one that sorts after them (Laravel ran them "as is"). */
export function appliedOutOfOrder(migrations: Migration[]): Migration[] {
  let newest = '';
  const out: Migration[] = [];
  for (const m of migrations.filter(isApplied)) {
    if (m.id < newest) out.push(m);
    else newest = m.id;
  }
  return out;
}

const fileOf = (m: Migration) => m.file ?? `${m.id}.php`;

/**
 * New names for the unapplied out-of-order migrations, in their current order, one second apart,
 * starting after max(now, the newest existing timestamp). Applied ones are refused.
 */
export function planRestamp(migrations: Migration[], now: Date): RestampPlan {
  const refused: RestampPlan['refused'] = appliedOutOfOrder(migrations).map((m) => ({
    file: fileOf(m),
    reason: `already applied (batch ${m.batch ?? '?'}): Laravel knows it by its file name, so renaming it would leave its row in the migrations table without a file, and \`migrate\` would run it a second time under the new name`,
  }));
  const candidates = migrations.filter((m) => m.state === 'out-of-order');
  const renames: Rename[] = [];
  if (!candidates.length) return { renames, refused };

  const stamps = migrations.map((m) => parseLaravelTimestamp(m.id)?.getTime() ?? -Infinity);
  let next = Math.max(Math.floor(now.getTime() / 1000) * 1000, Math.max(...stamps) + 1000);
  let floor = migrations
    .filter((m) => !candidates.includes(m))
    .map((m) => m.id)
    .reduce((a, b) => (b > a ? b : a), '');
  for (const m of candidates) {
    if (!m.file) {
      refused.push({ file: fileOf(m), reason: 'its file path is unknown: rename it by hand' });
      continue;
    }
    if (m.file.startsWith('/') || m.file.startsWith('../')) {
      refused.push({ file: m.file, reason: "it lives outside the project (a package's migrations): rename it where it is maintained" });
      continue;
    }
    if (!parseLaravelTimestamp(m.id)) {
      refused.push({ file: m.file, reason: "its name does not start with Laravel's Y_m_d_His timestamp, so there is no timestamp to replace" });
      continue;
    }
    const newId = laravelTimestamp(new Date(next)) + m.id.slice(17);
    if (newId <= floor) {
      refused.push({ file: m.file, reason: `a new name (${newId}) would still not sort after ${floor}` });
      continue;
    }
    renames.push({ id: m.id, from: m.file, to: posix.join(posix.dirname(m.file), `${newId}.php`), newId });
    floor = newId;
    next += 1000;
  }
  return { renames, refused };
}
