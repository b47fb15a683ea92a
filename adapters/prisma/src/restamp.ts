// Prisma has no migration graph: "divergence" is a folder that sorts before migrations already
// applied (deploy applies it anyway, by name, after the newer ones). Restamping gives such a folder,
// only while it is unapplied (Prisma knows a migration by its folder name), a new timestamp after
// every existing one, so the folder order matches the order it really runs in. Plans only.
import { posix } from 'node:path';
import { isApplied, type Migration } from '@metamig/core';

export interface FolderRename {
  id: string;
  /** Folder paths relative to the project root. */
  from: string;
  to: string;
  newId: string;
}
export interface RestampPlan {
  renames: FolderRename[];
  refused: { file: string; reason: string }[];
}

const STAMP = /^(\d{14})(?=_)/;

/** Prisma's format (chrono `%Y%m%d%H%M%S`, UTC). */
export function prismaTimestamp(d: Date): string {
  const p = (n: number, w = 2) => String(n).padStart(w, '0');
  return `${p(d.getUTCFullYear(), 4)}${p(d.getUTCMonth() + 1)}${p(d.getUTCDate())}${p(d.getUTCHours())}${p(d.getUTCMinutes())}${p(d.getUTCSeconds())}`;
}

export function parsePrismaTimestamp(id: string): Date | undefined {
  const s = STAMP.exec(id)?.[1];
  if (!s) return undefined;
  const n = (a: number, b: number) => Number(s.slice(a, b));
  const d = new Date(Date.UTC(n(0, 4), n(4, 6) - 1, n(6, 8), n(8, 10), n(10, 12), n(12, 14)));
  return prismaTimestamp(d) === s ? d : undefined;
}

/** Applied migrations that ran after one that sorts after them. */
export function appliedOutOfOrder(migrations: Migration[]): Migration[] {
  let newest = '';
  const out: Migration[] = [];
  for (const m of migrations.filter(isApplied)) {
    if (m.id < newest) out.push(m);
    else newest = m.id;
  }
  return out;
}

const folderOf = (m: Migration) => (m.file ? posix.dirname(m.file) : m.id);

export function planRestamp(migrations: Migration[], now: Date): RestampPlan {
  const refused: RestampPlan['refused'] = appliedOutOfOrder(migrations).map((m) => ({
    file: folderOf(m),
    reason: 'already applied: _prisma_migrations knows it by its folder name, so a renamed folder would be applied a second time and the old row would have no folder',
  }));
  const candidates = migrations.filter((m) => m.state === 'out-of-order');
  const renames: FolderRename[] = [];
  if (!candidates.length) return { renames, refused };
  const stamps = migrations.map((m) => parsePrismaTimestamp(m.id)?.getTime() ?? -Infinity);
  let next = Math.max(Math.floor(now.getTime() / 1000) * 1000, Math.max(...stamps) + 1000);
  let floor = migrations.filter((m) => !candidates.includes(m)).reduce((a, m) => (m.id > a ? m.id : a), '');
  for (const m of candidates) {
    if (!m.file) {
      refused.push({ file: m.id, reason: 'its folder is unknown' });
      continue;
    }
    if (!parsePrismaTimestamp(m.id)) {
      refused.push({ file: folderOf(m), reason: "its name does not start with Prisma's yyyymmddhhmmss timestamp, so there is no timestamp to replace" });
      continue;
    }
    const newId = prismaTimestamp(new Date(next)) + m.id.slice(14);
    if (newId <= floor) {
      refused.push({ file: folderOf(m), reason: `a new name (${newId}) would still not sort after ${floor}` });
      continue;
    }
    const from = folderOf(m);
    renames.push({ id: m.id, from, to: posix.join(posix.dirname(from), newId), newId });
    floor = newId;
    next += 1000;
  }
  return { renames, refused };
}
