// TypeORM has no migration graph: "divergence" is a migration whose timestamp is older than one
// already executed. Its identity is its NAME (class name or `name` property), whose last 13
// characters are that timestamp; the file name carries it too (`1705500000000-AddOwner.ts`).
// Restamping an unexecuted one therefore rewrites the class name, the `name` property and the file
// name together. This module only PLANS and REWRITES text; index.ts touches the files.
import { posix } from 'node:path';
import { isApplied, type Migration } from '@metamig/core';
import { timestampOf } from './parse.js';

export interface Rename {
  id: string;
  newId: string;
  oldTimestamp: string;
  newTimestamp: string;
  from: string;
  to: string;
}
export interface RestampPlan {
  renames: Rename[];
  refused: { file: string; reason: string }[];
}

const STAMP = /\d{13}$/;

/** Executed migrations that ran after one with a newer timestamp (TypeORM ran them as they were). */
export function appliedOutOfOrder(migrations: Migration[]): Migration[] {
  let newest = -Infinity;
  const out: Migration[] = [];
  for (const m of migrations.filter(isApplied)) {
    const ts = timestampOf(m.id);
    if (ts < newest) out.push(m);
    else newest = ts;
  }
  return out;
}

/** `src/migrations/1705500000000-AddOwner.ts` with its timestamp replaced; unchanged when it has none. */
export function restampedPath(file: string, oldTimestamp: string, newTimestamp: string): string {
  const base = posix.basename(file);
  return base.includes(oldTimestamp) ? posix.join(posix.dirname(file), base.replace(oldTimestamp, newTimestamp)) : file;
}

/**
 * New names for the unexecuted out-of-order migrations, in their current order, one millisecond
 * apart, after max(now, newest existing timestamp). Executed ones are refused.
 */
export function planRestamp(migrations: Migration[], now: Date): RestampPlan {
  const refused: RestampPlan['refused'] = appliedOutOfOrder(migrations).map((m) => ({
    file: m.file ?? m.id,
    reason:
      'already executed: TypeORM knows it by its name, so renaming it would leave its row in the migrations table without a class (migration:revert fails) and run it a second time',
  }));
  const candidates = migrations.filter((m) => m.state === 'out-of-order');
  const renames: Rename[] = [];
  const stamps = migrations.map((m) => timestampOf(m.id)).filter((n) => Number.isFinite(n));
  let next = Math.max(now.getTime(), ...stamps.map((s) => s + 1));
  for (const m of candidates) {
    if (!STAMP.test(m.id)) {
      refused.push({ file: m.file ?? m.id, reason: 'its name does not end in a 13-digit timestamp, so there is no timestamp to replace' });
      continue;
    }
    if (!m.file) {
      refused.push({ file: m.id, reason: 'metamig could not tell which file defines it (it is not loaded through CommonJS): rename it by hand' });
      continue;
    }
    const oldTimestamp = m.id.slice(-13);
    const newTimestamp = String(next);
    renames.push({ id: m.id, newId: m.id.slice(0, -13) + newTimestamp, oldTimestamp, newTimestamp, from: m.file, to: restampedPath(m.file, oldTimestamp, newTimestamp) });
    next += 1;
  }
  return { renames, refused };
}

const escapeRe = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * The migration file itself: every identifier or string that ends in the old timestamp (the class
 * name, `name = 'AddOwner1705500000000'`, a `.name` check) gets the new one.
 */
export function restampMigrationSource(text: string, oldTimestamp: string, newTimestamp: string): { text: string; count: number } {
  let count = 0;
  const re = new RegExp(`(?<![\\w$])([A-Za-z_$][\\w$]*?)${escapeRe(oldTimestamp)}(?![\\w$])`, 'g');
  const out = text.replace(re, (_m, prefix: string) => {
    count++;
    return `${prefix}${newTimestamp}`;
  });
  return { text: out, count };
}

/**
 * Another file that refers to the migration (a data source listing classes, a barrel file): the exact
 * old name, and the old file name inside an import path (`./migrations/1705500000000-AddOwner`).
 */
export function restampReferences(text: string, rename: Pick<Rename, 'id' | 'newId' | 'from' | 'to'>): { text: string; count: number } {
  let count = 0;
  const swap = (re: RegExp, to: string) => (s: string) =>
    s.replace(re, () => {
      count++;
      return to;
    });
  const stem = (f: string) => posix.basename(f).replace(/\.[^.]+$/, '');
  let out = swap(new RegExp(`(?<![\\w$])${escapeRe(rename.id)}(?![\\w$])`, 'g'), rename.newId)(text);
  if (stem(rename.from) !== stem(rename.to)) {
    out = swap(new RegExp(`(?<=[/'"\`])${escapeRe(stem(rename.from))}(?=(\\.[cm]?[jt]s)?['"\`])`, 'g'), stem(rename.to))(out);
  }
  return { text: out, count };
}
