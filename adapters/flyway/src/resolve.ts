// The migrations Flyway 12.4.0 (OSS) resolves from filesystem: locations, with the checksum it
// computes for each — for the fast status path, which must see exactly what `flyway info` sees. Read
// from Flyway's own code: FileSystemScanner (recursive, hidden folders skipped, symlinks followed),
// Scanner.getResources, ResourceNameParser (longest prefix first, case-insensitive suffixes, callbacks
// and B prefixes competing), SqlMigrationResolver and ChecksumCalculator (CRC-32 of the UTF-8 bytes of
// each line, terminators dropped, a leading BOM ignored; repeatables with placeholders replaced).
// Whatever Flyway would resolve differently, or fail on, is returned as a refusal (a string).
import { accessSync, constants, readFileSync, readdirSync, realpathSync, statSync } from 'node:fs';
import { join, posix, relative, sep } from 'node:path';
import { type FlywaySettings, historySchema } from './config.js';

// ---- names (ResourceNameParser) ------------------------------------------------------------------

/** Event ids (org.flywaydb.core.api.callback.Event): SQL callbacks, not migrations. */
export const EVENT_IDS = [
  'beforeClean', 'afterClean', 'afterCleanError', 'beforeMigrate', 'beforeEachMigrate', 'beforeEachMigrateStatement',
  'afterEachMigrateStatement', 'afterEachMigrateStatementError', 'afterEachMigrate', 'afterEachMigrateError',
  'beforeRepeatables', 'afterVersioned', 'afterMigrateApplied', 'afterMigrate', 'afterMigrateError', 'beforeUndo',
  'beforeEachUndo', 'beforeEachUndoStatement', 'afterEachUndoStatement', 'afterEachUndoStatementError', 'afterEachUndo',
  'afterEachUndoError', 'afterUndo', 'afterUndoError', 'beforeValidate', 'afterValidate', 'afterValidateError',
  'beforeBaseline', 'afterBaseline', 'afterBaselineError', 'beforeRepair', 'afterRepair', 'afterRepairError',
  'beforeInfo', 'afterInfo', 'afterInfoError', 'afterInfoOperationFinish', 'createSchema', 'beforeCreateSchema',
  'beforeConnect', 'afterConnect',
] as const;

/** Callbacks Flyway runs during `info validate` itself: SQL there could change what it reads. */
const STATUS_EVENTS = ['beforeInfo', 'afterInfo', 'beforeValidate', 'afterValidate', 'beforeConnect', 'afterConnect'];

/** ScriptMigrationResolver's file types. */
const SCRIPT_TYPES = ['cmd', 'bat', 'ps1', 'py', 'sh', 'bash'];

export type PrefixKind = 'versioned' | 'repeatable' | 'callback' | 'baseline';

export type NameRules = Pick<FlywaySettings, 'sqlMigrationPrefix' | 'repeatableSqlMigrationPrefix' | 'sqlMigrationSeparator' | 'sqlMigrationSuffixes'>;

/** The B prefix of baseline migrations (BaselineMigrationConfigurationExtension default). */
export const BASELINE_PREFIX = 'B';

/** Every prefix the parser knows, longest first (a stable sort, in plugin order: V, R, events, B). */
export function resourcePrefixes(s: NameRules): [string, PrefixKind][] {
  const pairs: [string, PrefixKind][] = [
    [s.sqlMigrationPrefix, 'versioned'],
    [s.repeatableSqlMigrationPrefix, 'repeatable'],
    ...EVENT_IDS.map((id): [string, PrefixKind] => [id, 'callback']),
    [BASELINE_PREFIX, 'baseline'],
  ];
  return pairs.sort((a, b) => b[0].length - a[0].length);
}

export type ParsedResource =
  | { valid: false; exotic?: string }
  | { valid: true; prefix: string; kind: PrefixKind; version: string; description: string; rawDescription: string; suffix: string };

/**
 * MigrationVersion.fromVersion's acceptance: 'ok' for dotted/underscored ASCII numbers, 'invalid' for
 * what it rejects, 'exotic' for what it accepts that metamig does not mirror (signs, non-ASCII
 * digits, the words latest/current/next).
 */
export function versionValidity(raw: string): 'ok' | 'invalid' | 'exotic' {
  if (/^(latest|current|next)$/i.test(raw) || raw === '9223372036854775807') return 'exotic';
  const parts = raw.replace(/_/g, '.').split(/\.(?=[0-9])/);
  if (parts.every((p) => /^[0-9]+$/.test(p))) return 'ok';
  return parts.every((p) => /^[+-]?\p{Nd}+$/u.test(p)) ? 'exotic' : 'invalid';
}

/** ResourceNameParser.parse: suffix stripped (case-insensitively), longest prefix, split at the first separator. */
export function parseResourceName(fileName: string, prefixes: [string, PrefixKind][], separator: string, suffixes: readonly string[]): ParsedResource {
  const suffix = suffixes.find((x) => fileName.toUpperCase().endsWith(x.toUpperCase()));
  const stem = suffix === undefined ? fileName : fileName.slice(0, fileName.length - suffix.length);
  const found = prefixes.find(([p]) => stem.startsWith(p));
  if (!found) return { valid: false };
  const [prefix, kind] = found;
  const name = stem.slice(prefix.length);
  const at = name.indexOf(separator);
  const version = at >= 0 ? name.slice(0, at) : name;
  const rawDescription = at >= 0 ? name.slice(at + separator.length) : '';
  const versioned = kind === 'versioned' || kind === 'baseline';
  if (!versioned && version !== '') return { valid: false };
  if (versioned) {
    if (version === '') return { valid: false };
    const v = versionValidity(version);
    if (v === 'invalid') return { valid: false };
    if (v === 'exotic') return { valid: false, exotic: `${fileName}: Flyway reads "${version}" as a version, in a way metamig does not mirror` };
  }
  return { valid: true, prefix, kind, version, description: rawDescription.replace(/_/g, ' '), rawDescription, suffix: fileName.slice(stem.length) };
}

/** StringUtils.startsAndEndsWith, as Scanner.getResources filters by prefix and suffixes. */
const startsAndEndsWith = (name: string, prefix: string, suffixes: readonly string[]) =>
  (!prefix || name.startsWith(prefix)) && suffixes.some((x) => name.toUpperCase().endsWith(x.toUpperCase()) && name.length > (prefix + x).length);

/** ScriptMigrationResolver.isNotScriptFile, negated, on a non-Windows machine: no extension, or a script type. */
function isScriptFile(fileName: string): boolean {
  const base = fileName.split(/[|/\\]/).pop() ?? '';
  const parts = base.split('.');
  while (parts.length && parts[parts.length - 1] === '') parts.pop(); // Java's split drops trailing empty strings
  const extension = parts.length < 2 ? '' : parts[parts.length - 1]!;
  return extension === '' || SCRIPT_TYPES.includes(extension.toLowerCase());
}

// ---- checksums (ChecksumCalculator, PlaceholderReplacingReader) -----------------------------------

const CRC_TABLE = (() => {
  const t = new Int32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c;
  }
  return t;
})();

/** java.util.zip.CRC32 over these bytes, as Flyway stores it: `(int) crc32.getValue()`. */
export function crc32(bytes: Uint8Array): number {
  let c = -1;
  for (let i = 0; i < bytes.length; i++) c = CRC_TABLE[(c ^ bytes[i]!) & 0xff]! ^ (c >>> 8);
  return ~c | 0;
}

/** Flyway's checksum of a script's text: every line (BufferedReader.readLine) in UTF-8, terminators dropped, the first line's BOM removed. */
export function flywayChecksum(text: string): number {
  const lines = text.split(/\r\n|\r|\n/);
  if (lines[lines.length - 1] === '') lines.pop(); // a final terminator ends the last line, it does not start one
  if (lines.length && lines[0]!.startsWith('\ufeff')) lines[0] = lines[0]!.slice(1);
  return crc32(new TextEncoder().encode(lines.join('')));
}

export type PlaceholderValue = string | { dynamic: string };

/**
 * PlaceholderReplacingReader, character by character as Flyway reads it (a partial prefix is passed
 * through unscanned; no suffix reads to the end). `lookup` gets lower-cased names; a dynamic value
 * (from the connection, or the clock) cannot be reproduced here. Returns the text or why not.
 */
export function replacePlaceholders(text: string, prefix: string, suffix: string, lookup: (name: string) => PlaceholderValue | undefined): { text: string } | { problem: string } {
  if (!prefix || !suffix) return { problem: 'an empty placeholder prefix or suffix' };
  let out = '';
  let pos = 0;
  let buffer = '';
  for (;;) {
    if (buffer.length) {
      out += buffer[0];
      buffer = buffer.slice(1);
      continue;
    }
    do {
      if (pos >= text.length) break;
      buffer += text[pos++];
    } while (buffer.length < prefix.length && buffer === prefix.slice(0, buffer.length));
    if (!buffer.endsWith(prefix)) {
      if (!buffer.length) return { text: out };
      continue;
    }
    buffer = '';
    let name = '';
    do {
      if (pos >= text.length) break;
      name += text[pos++];
    } while (!name.endsWith(suffix));
    if (name.length < suffix.length) return { problem: `an unterminated placeholder ${prefix}${name}` };
    name = name.slice(0, name.length - suffix.length);
    const value = lookup(name.toLowerCase());
    if (value === undefined) return { problem: `no value for the placeholder ${prefix}${name}${suffix} (Flyway fails to compute the checksum)` };
    if (typeof value !== 'string') return { problem: `the placeholder ${prefix}${name}${suffix} is ${value.dynamic}, known only when Flyway runs` };
    out += value;
  }
}

// ---- resolution ------------------------------------------------------------------------------------

export interface ResolvedMigration {
  kind: 'versioned' | 'repeatable';
  /** MigrationVersion display text ("1.1" for V1_1__x.sql); undefined for repeatables. */
  version?: string;
  description: string;
  /** Path relative to its location (Flyway's `script`). */
  script: string;
  /** Absolute path, as `info` reports it (`filepath`). */
  physicalLocation: string;
  checksum: number;
  /** Repeatables: the checksum without placeholder replacement (ResolvedMigrationImpl.equivalentChecksum). */
  equivalentChecksum?: number;
}

interface Resource {
  abs: string;
  /** Relative to its location, posix. */
  rel: string;
  name: string;
}

/** FileSystemScanner: every readable file below the folder; hidden folders skipped, symlinks followed. */
export function scanLocation(dir: string): Resource[] | string {
  let st;
  try {
    st = statSync(dir);
  } catch {
    return `the location ${dir} does not exist (Flyway fails: "Failed to find filesystem location")`;
  }
  if (!st.isDirectory()) return `the location ${dir} is not a folder (Flyway fails on it)`;
  const out: Resource[] = [];
  const seen = new Set<string>();
  const walk = (folder: string): string | undefined => {
    const real = realpathSync(folder);
    if (seen.has(real)) return `${folder} links back to a folder already scanned (Flyway would loop)`;
    seen.add(real);
    for (const name of readdirSync(folder)) {
      const abs = join(folder, name);
      let s;
      try {
        s = statSync(abs);
        accessSync(abs, constants.R_OK);
      } catch {
        continue; // File.canRead() is false: Flyway skips it
      }
      if (s.isDirectory()) {
        if (name.startsWith('.')) continue; // File.isHidden
        const problem = walk(abs);
        if (problem) return problem;
      } else {
        out.push({ abs, rel: relative(dir, abs).split(sep).join(posix.sep), name });
      }
    }
    seen.delete(real);
    return undefined;
  };
  const problem = walk(dir);
  return problem ?? out;
}

export interface ScriptConf {
  placeholderReplacement?: boolean;
}

/** A `<file>.conf` script configuration, read only when it holds nothing but what status can honour. */
export function parseScriptConf(text: string, rel: string, placeholderPrefix: string): ScriptConf | string {
  const conf: ScriptConf = {};
  for (const raw of text.replace(/^\ufeff/, '').split(/\r\n|\r|\n/)) {
    const line = raw.trim();
    if (!line || line.startsWith('#') || line.startsWith('!')) continue;
    if (line.includes(placeholderPrefix) || line.endsWith('\\')) return `${rel} uses placeholders or continuation lines`;
    const m = /^([A-Za-z]+)\s*[=:]\s*(.*)$/.exec(line);
    if (!m) return `${rel} has a line metamig does not read: ${line}`;
    const [, key, value] = m;
    if (key === 'executeInTransaction' || key === 'placeholderReplacement') {
      if (!/^(true|false)$/i.test(value!)) return `${rel}: ${key} is not true or false (Flyway fails)`;
      if (key === 'placeholderReplacement') conf.placeholderReplacement = value!.toLowerCase() === 'true';
    } else if (key === 'encoding') {
      if (!/^utf-?8$/i.test(value!)) return `${rel} sets encoding ${value} (only UTF-8 is read directly)`;
    } else {
      return `${rel} sets ${key}, which Flyway ${key === 'shouldExecute' ? 'Community refuses' : 'does not know'}`;
    }
  }
  return conf;
}

export interface ResolveContext {
  settings: FlywaySettings;
  /** Location folders (absolute), as metamig passes them with -locations. */
  locations: string[];
  /** The JVM's working directory, resolved (Flyway's ${flyway:workingDirectory}). */
  workingDirectory: string;
  read?: (abs: string) => Buffer;
}

const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** The migrations `flyway info` resolves here, sorted as Flyway sorts them; or why this cannot be exact. */
export function resolveMigrations(c: ResolveContext): ResolvedMigration[] | string {
  const s = c.settings;
  const read = c.read ?? ((p: string) => readFileSync(p));
  if (!s.sqlMigrationPrefix || !s.repeatableSqlMigrationPrefix || !s.sqlMigrationSeparator || !s.sqlMigrationSuffixes.length) return 'an empty migration prefix, separator or suffix list';
  const resources: Resource[] = [];
  for (const dir of c.locations) {
    const found = scanLocation(dir);
    if (typeof found === 'string') return found;
    resources.push(...found);
  }
  // Scanner.getResource (the .conf lookup) is keyed by the lower-cased relative path across locations.
  const byRel = new Map<string, Resource>();
  for (const r of resources) {
    const key = r.rel.toLowerCase();
    const other = byRel.get(key);
    if (other && other.abs !== r.abs) return `${other.abs} and ${r.abs} have the same path within their locations (Flyway mixes up their .conf files)`;
    byRel.set(key, r);
  }
  const prefixes = resourcePrefixes(s);
  const sep = s.sqlMigrationSeparator;
  const out = new Map<string, ResolvedMigration>();
  for (const r of resources) {
    const event = STATUS_EVENTS.find((e) => r.name.startsWith(e));
    if (event) return `${r.rel} is a ${event} callback: Flyway runs it during \`info validate\``;
    for (const prefix of [s.sqlMigrationPrefix, s.repeatableSqlMigrationPrefix, BASELINE_PREFIX]) {
      if (r.name.startsWith(prefix) && r.name.length > prefix.length && isScriptFile(r.name)) {
        const p = parseResourceName(r.name, prefixes, sep, SCRIPT_TYPES.map((t) => `.${t}`));
        if (p.valid && p.prefix === prefix && p.kind !== 'callback') return `${r.rel} is a script migration (Flyway runs it with a shell), not read directly`;
      }
      if (!startsAndEndsWith(r.name, prefix, s.sqlMigrationSuffixes)) continue;
      const p = parseResourceName(r.name, prefixes, sep, s.sqlMigrationSuffixes);
      if (!p.valid) {
        if (p.exotic) return p.exotic;
        continue;
      }
      if (p.prefix !== prefix || p.kind === 'callback') continue;
      if (p.kind === 'baseline') return `${r.rel} is a baseline migration (B prefix), not read directly`;
      const m = resolveOne(c, r, p, byRel, read);
      if (typeof m === 'string') return m;
      // Collectors.toSet(): the same file reached twice (a location listed twice) counts once.
      const key = `${m.kind}\0${m.version ?? ''}\0${m.description}\0${m.script}\0${m.checksum}`;
      out.set(key, m);
    }
  }
  const list = [...out.values()].sort(compareResolved);
  for (let i = 0; i + 1 < list.length; i++) {
    if (compareResolved(list[i]!, list[i + 1]!) === 0) {
      const what = list[i]!.version !== undefined ? `version ${list[i]!.version}` : `repeatable description "${list[i]!.description}"`;
      return `two migrations have ${what} (${list[i]!.physicalLocation}, ${list[i + 1]!.physicalLocation}): Flyway refuses`;
    }
  }
  return list;
}

/** ResolvedMigrationComparator: versions (numerically), then repeatables by description. */
export function compareResolved(a: { version?: string; description: string }, b: { version?: string; description: string }): number {
  if (a.version !== undefined && b.version !== undefined) return compareVersionText(a.version, b.version);
  if (a.version !== undefined) return -1;
  if (b.version !== undefined) return 1;
  return a.description < b.description ? -1 : a.description > b.description ? 1 : 0;
}

/** MigrationVersion.compareTo for two display versions (trailing zero parts do not count). */
export function compareVersionText(a: string, b: string): number {
  const pa = a.split('.').map((x) => BigInt(x));
  const pb = b.split('.').map((x) => BigInt(x));
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const x = pa[i] ?? 0n;
    const y = pb[i] ?? 0n;
    if (x !== y) return x < y ? -1 : 1;
  }
  return 0;
}

function resolveOne(c: ResolveContext, r: Resource, p: Extract<ParsedResource, { valid: true }>, byRel: Map<string, Resource>, read: (abs: string) => Buffer): ResolvedMigration | string {
  const s = c.settings;
  const confResource = byRel.get(`${r.rel}.conf`.toLowerCase());
  let conf: ScriptConf = {};
  if (confResource) {
    if (confResource.name !== `${r.name}.conf`) return `${confResource.rel}: a script configuration whose name differs from ${r.name}.conf in case`;
    let text: string;
    try {
      text = utf8.decode(read(confResource.abs));
    } catch {
      return `${confResource.rel} is not valid UTF-8`;
    }
    const parsed = parseScriptConf(text, confResource.rel, s.placeholderPrefix);
    if (typeof parsed === 'string') return parsed;
    conf = parsed;
  }
  let text: string;
  try {
    text = utf8.decode(read(r.abs));
  } catch {
    return `${r.rel} is not valid UTF-8 (Flyway fails to compute its checksum)`;
  }
  const raw = flywayChecksum(text);
  const base = { description: p.description, script: r.rel, physicalLocation: r.abs };
  if (p.kind === 'versioned') return { kind: 'versioned', version: p.version.replace(/_/g, '.'), ...base, checksum: raw };
  if (!(conf.placeholderReplacement ?? s.placeholderReplacement)) return { kind: 'repeatable', ...base, checksum: raw, equivalentChecksum: raw };
  const filename = p.description === '' ? `${p.prefix}${p.version}${p.suffix}` : `${p.prefix}${p.version}${s.sqlMigrationSeparator}${p.rawDescription}${p.suffix}`;
  const replaced = replacePlaceholders(text, s.placeholderPrefix, s.placeholderSuffix, placeholderLookup(c, filename));
  if ('problem' in replaced) return `${r.rel}: ${replaced.problem}`;
  return { kind: 'repeatable', ...base, checksum: flywayChecksum(replaced.text), equivalentChecksum: raw };
}

/** Config placeholders, then ParsingContext's built-ins over them (keys lower-cased, as Flyway's map). */
export function placeholderLookup(c: ResolveContext, filename: string): (name: string) => PlaceholderValue | undefined {
  const s = c.settings;
  const values = new Map<string, PlaceholderValue>();
  for (const [k, v] of Object.entries(s.placeholders)) {
    values.set(k.toLowerCase(), s.format === 'toml' && /[$!]\{/.test(v) ? { dynamic: 'resolved by Flyway from its configuration' } : v);
  }
  const name = (n: string) => `flyway${s.placeholderSeparator}${n}`.toLowerCase();
  const schema = historySchema(s);
  values.set(name('defaultSchema'), schema ?? { dynamic: "the connection's current schema" });
  values.set(name('database'), { dynamic: "the connection's database" });
  values.set(name('user'), { dynamic: "the connection's user" });
  values.set(name('timestamp'), { dynamic: 'the current time' });
  values.set(name('workingDirectory'), c.workingDirectory);
  values.set(name('table'), s.table);
  values.set(name('environment'), s.environment);
  values.set(name('filename'), filename);
  return (n) => values.get(n);
}
