// Flyway's migration files as Flyway names them: V<version>__<description>.sql (versioned),
// U<version>__….sql (undo: ignored by Flyway Community, run by metamig's emulated down),
// R__<description>.sql (repeatable), each with an optional `<file>.conf` script configuration.
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { join, posix, relative, sep } from 'node:path';
import type { FlywaySettings } from './config.js';

export type FileKind = 'versioned' | 'undo' | 'repeatable';

export interface MigrationFile {
  kind: FileKind;
  /** Display version ("1.1" for V1_1__x.sql); undefined for repeatables. */
  version?: string;
  /** As Flyway shows it: underscores become spaces. */
  description: string;
  /** Absolute path. */
  path: string;
  /** Relative to the project root, posix. */
  rel: string;
  /** The `<file>.conf` script configuration, when there is one. */
  conf?: ScriptConfig;
}

export interface ScriptConfig {
  executeInTransaction?: boolean;
  placeholderReplacement?: boolean;
  encoding?: string;
  /** Relative path of the .conf file. */
  rel: string;
}

export type NamingSettings = Pick<FlywaySettings, 'sqlMigrationPrefix' | 'undoSqlMigrationPrefix' | 'repeatableSqlMigrationPrefix' | 'sqlMigrationSeparator' | 'sqlMigrationSuffixes'>;

// ---- versions (MigrationVersion) -------------------------------------------------------------

/** Numeric parts with trailing zeros dropped: "1.0" equals "1", "1.10" is after "1.9". */
export function versionParts(v: string): bigint[] {
  const parts = v.replace(/_/g, '.').split('.').map((p) => BigInt(p));
  while (parts.length > 1 && parts[parts.length - 1] === 0n) parts.pop();
  return parts;
}

export function compareVersions(a: string, b: string): number {
  const pa = versionParts(a);
  const pb = versionParts(b);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const x = pa[i] ?? 0n;
    const y = pb[i] ?? 0n;
    if (x !== y) return x < y ? -1 : 1;
  }
  return 0;
}

export const isVersion = (s: string): boolean => /^\d+([._]\d+)*$/.test(s);

// ---- file names ------------------------------------------------------------------------------

export interface ParsedName {
  kind: FileKind;
  version?: string;
  description: string;
}

/** How Flyway reads a file name; undefined when it is not a migration name (Flyway skips it). */
export function parseMigrationName(file: string, s: NamingSettings): ParsedName | undefined {
  const suffix = s.sqlMigrationSuffixes.find((x) => file.endsWith(x));
  if (!suffix) return undefined;
  const stem = file.slice(0, -suffix.length);
  const prefixes: [FileKind, string][] = [
    ['repeatable', s.repeatableSqlMigrationPrefix],
    ['undo', s.undoSqlMigrationPrefix],
    ['versioned', s.sqlMigrationPrefix],
  ];
  // The longest matching prefix wins (a custom prefix may start with another one).
  prefixes.sort((a, b) => b[1].length - a[1].length);
  for (const [kind, prefix] of prefixes) {
    if (!prefix || !stem.startsWith(prefix)) continue;
    const rest = stem.slice(prefix.length);
    const at = rest.indexOf(s.sqlMigrationSeparator);
    if (at < 0) continue;
    const version = rest.slice(0, at);
    const description = rest.slice(at + s.sqlMigrationSeparator.length).replace(/_/g, ' ');
    if (kind === 'repeatable') {
      if (version !== '') continue;
      return { kind, description };
    }
    if (!isVersion(version)) continue;
    return { kind, version: version.replace(/_/g, '.'), description };
  }
  return undefined;
}

export function parseScriptConfig(text: string, rel: string): ScriptConfig {
  const conf: ScriptConfig = { rel };
  for (const raw of text.split(/\r?\n/)) {
    const m = /^\s*([A-Za-z]+)\s*=\s*(.*?)\s*$/.exec(raw);
    if (!m || raw.trim().startsWith('#')) continue;
    const [, k, v] = m;
    if (k === 'executeInTransaction') conf.executeInTransaction = v!.toLowerCase() === 'true';
    if (k === 'placeholderReplacement') conf.placeholderReplacement = v!.toLowerCase() === 'true';
    if (k === 'encoding') conf.encoding = v!;
  }
  return conf;
}

// ---- scanning --------------------------------------------------------------------------------

const toPosix = (p: string) => p.split(sep).join(posix.sep);

function walk(dir: string, out: string[]): void {
  let entries;
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    return;
  }
  for (const e of entries) {
    const p = join(dir, e.name);
    if (e.isDirectory()) walk(p, out);
    else if (e.isFile()) out.push(p);
  }
}

export interface Scan {
  files: MigrationFile[];
  /** Files in the locations whose names look like migrations but that Flyway will not run. */
  skipped: string[];
}

/** Every migration file under the given location folders (recursive, as Flyway scans them). */
export function scanLocations(root: string, dirs: string[], s: NamingSettings): Scan {
  const files: MigrationFile[] = [];
  const skipped: string[] = [];
  for (const dir of dirs) {
    if (!existsSync(dir) || !statSync(dir).isDirectory()) continue;
    const all: string[] = [];
    walk(dir, all);
    for (const path of all.sort()) {
      const name = path.slice(path.lastIndexOf(sep) + 1);
      if (name.endsWith('.conf')) continue;
      const parsed = parseMigrationName(name, s);
      const rel = toPosix(relative(root, path));
      if (!parsed) {
        if (s.sqlMigrationSuffixes.some((x) => name.endsWith(x))) skipped.push(rel);
        continue;
      }
      const file: MigrationFile = { ...parsed, path, rel };
      const confPath = `${path}.conf`;
      if (existsSync(confPath)) file.conf = parseScriptConfig(readFileSync(confPath, 'utf8'), `${rel}.conf`);
      files.push(file);
    }
  }
  return { files, skipped };
}

/** The U file(s) of a version (matched numerically, as Flyway Teams matches them). */
export const undoFilesFor = (files: MigrationFile[], version: string): MigrationFile[] =>
  files.filter((f) => f.kind === 'undo' && f.version !== undefined && compareVersions(f.version, version) === 0);

/** Id metamig shows: the version for versioned migrations, R__<description> for repeatables. */
export const repeatableId = (description: string): string => `R__${description.replace(/ /g, '_')}`;
