// Flyway has no migration graph: "divergence" is a version lower than one already applied (Flyway
// shows it Ignored and refuses to migrate unless outOfOrder=true). Restamping renames such a file,
// while it is unapplied, to a version above every existing one, together with its U file and
// `.conf` siblings. Applied migrations are refused: Flyway knows them by version. Plans only.
import { posix } from 'node:path';
import type { Migration } from '@metamig/core';
import { type MigrationFile, type NamingSettings, compareVersions, isVersion, undoFilesFor, versionParts } from './files.js';

export interface Rename {
  id: string;
  newId: string;
  from: string;
  to: string;
}
export interface RestampPlan {
  renames: Rename[];
  refused: { file: string; reason: string }[];
}

/** Applied after a higher version (Flyway's "Out of Order"). */
export const appliedOutOfOrder = (migrations: Migration[]): Migration[] => migrations.filter((m) => m.state === 'applied' && /out of order/.test(m.detail ?? ''));

/** The file name with its version replaced (prefix, separator and description kept). */
export function renameVersion(fileName: string, prefix: string, oldVersion: string, newVersion: string, separator: string): string | undefined {
  if (!fileName.startsWith(prefix)) return undefined;
  const rest = fileName.slice(prefix.length);
  const at = rest.indexOf(separator);
  if (at < 0 || versionParts(rest.slice(0, at)).join('.') !== versionParts(oldVersion).join('.')) return undefined;
  return `${prefix}${newVersion}${rest.slice(at)}`;
}

export function planRestamp(migrations: Migration[], files: MigrationFile[], naming: NamingSettings): RestampPlan {
  const refused: RestampPlan['refused'] = appliedOutOfOrder(migrations).map((m) => ({
    file: m.file ?? m.id,
    reason: `already applied (as version ${m.id}): Flyway identifies it by its version, so a new version would run it again and leave its history row Missing`,
  }));
  const candidates = migrations.filter((m) => m.state === 'out-of-order' && isVersion(m.id)).sort((a, b) => compareVersions(a.id, b.id));
  const renames: Rename[] = [];
  if (!candidates.length) return { renames, refused };

  const versions = [...migrations.map((m) => m.id), ...files.map((f) => f.version ?? '')].filter(isVersion);
  let next = versions.reduce((max, v) => (versionParts(v)[0]! > max ? versionParts(v)[0]! : max), 0n) + 1n;
  for (const m of candidates) {
    const own = files.filter((f) => f.kind === 'versioned' && f.version !== undefined && compareVersions(f.version, m.id) === 0);
    if (own.length !== 1) {
      refused.push({ file: m.file ?? m.id, reason: own.length ? 'several files have this version: rename them by hand' : 'its file is not in the locations' });
      continue;
    }
    const newId = String(next++);
    const group = [...own, ...undoFilesFor(files, m.id)];
    const planned: Rename[] = [];
    for (const f of group) {
      const prefix = f.kind === 'undo' ? naming.undoSqlMigrationPrefix : naming.sqlMigrationPrefix;
      const name = renameVersion(posix.basename(f.rel), prefix, m.id, newId, naming.sqlMigrationSeparator);
      if (!name) continue;
      const to = posix.join(posix.dirname(f.rel), name);
      planned.push({ id: m.id, newId, from: f.rel, to });
      if (f.conf) planned.push({ id: m.id, newId, from: f.conf.rel, to: `${to}.conf` });
    }
    renames.push(...planned);
  }
  return { renames, refused };
}
