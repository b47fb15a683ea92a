// Rails has no migration graph: "divergence" is a pending migration whose version sorts before the
// newest applied one (typically merged from a branch). Restamping renames such a file
// `<version>_<name>.rb` → `<new version>_<name>.rb`, newer than every existing version; the class name
// comes from `<name>`, so it stays valid. Applied migrations are never renamed: ActiveRecord knows a
// migration only by its version, so a renamed applied file would show as NO FILE + a new pending
// migration and run a second time. This module only PLANS the renames.
import { posix } from 'node:path';
import type { Migration } from '@metamig/core';

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

/** `rails generate migration`'s format: UTC yyyymmddhhmmss. */
export function railsTimestamp(d: Date): string {
  const p = (n: number, w = 2) => String(n).padStart(w, '0');
  return `${p(d.getUTCFullYear(), 4)}${p(d.getUTCMonth() + 1)}${p(d.getUTCDate())}${p(d.getUTCHours())}${p(d.getUTCMinutes())}${p(d.getUTCSeconds())}`;
}

export function parseRailsTimestamp(version: string): Date | undefined {
  if (!/^\d{14}$/.test(version)) return undefined;
  const n = (a: number, b: number) => Number(version.slice(a, b));
  const d = new Date(Date.UTC(n(0, 4), n(4, 6) - 1, n(6, 8), n(8, 10), n(10, 12), n(12, 14)));
  return railsTimestamp(d) === version ? d : undefined; // rejects 20241399… style non-dates
}

/**
 * New versions for the pending out-of-order migrations, in their current order, one second apart,
 * starting after max(now, newest existing version). Projects with plain numbered migrations
 * (`timestamped_migrations = false`: 001_, 002_ …) get the next numbers instead.
 */
export function planRestamp(migrations: Migration[], now: Date): RestampPlan {
  const candidates = migrations.filter((m) => m.state === 'out-of-order');
  const renames: Rename[] = [];
  const refused: RestampPlan['refused'] = [];
  if (!candidates.length) return { renames, refused };
  const all = migrations.map((m) => m.id);
  const timestamped = all.every((id) => parseRailsTimestamp(id) !== undefined);
  const numbered = !timestamped && all.every((id) => /^\d+$/.test(id) && id.length < 14);
  let nextStamp = Math.max(Math.floor(now.getTime() / 1000) * 1000, ...all.map((id) => (parseRailsTimestamp(id)?.getTime() ?? 0) + 1000));
  let nextNumber = all.reduce((m, id) => Math.max(m, Number(id)), 0) + 1;
  for (const m of candidates) {
    if (!m.file) {
      refused.push({ file: m.id, reason: 'its file path is unknown: rename it by hand' });
      continue;
    }
    const base = posix.basename(m.file);
    if (!base.startsWith(`${m.id}_`)) {
      refused.push({ file: m.file, reason: `its file name does not start with its version ${m.id}_` });
      continue;
    }
    let newId: string;
    if (timestamped) {
      newId = railsTimestamp(new Date(nextStamp));
      nextStamp += 1000;
    } else if (numbered) {
      newId = String(nextNumber).padStart(3, '0');
      nextNumber += 1;
    } else {
      refused.push({ file: m.file, reason: 'the project mixes timestamp and plain-number versions: pick the new version by hand' });
      continue;
    }
    const to = posix.join(posix.dirname(m.file), `${newId}${base.slice(m.id.length)}`);
    renames.push({ id: m.id, from: m.file, to, newId });
  }
  return { renames, refused };
}
