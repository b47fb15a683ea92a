// What Flyway's command line will read as its configuration, re-read here for the parts metamig
// needs outside the JVM: the database (emulated undo), locations, the history table, placeholders
// and the file-name conventions. Same files, same order, same environment variables as Flyway 12.4.0
// (ModernConfigurationManager / LegacyConfigurationManager): defaults < install conf < home <
// working directory < -configFiles < FLYWAY_* environment < command-line arguments.
import { existsSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { TomlError, type TomlTable, type TomlValue, mergeToml, parseToml, tomlTable } from './toml.js';

export type ConfigFormat = 'toml' | 'conf';

export interface FlywaySettings {
  /** Which of Flyway's two configuration managers applies. */
  format: ConfigFormat;
  /** Files read, in order (absolute paths that exist). */
  files: string[];
  /** TOML environment in use (`[flyway] environment`, default "default"). */
  environment: string;
  url?: string;
  user?: string;
  password?: string;
  /** Where `url` was set: a file name, or FLYWAY_URL. */
  urlSource?: string;
  schemas: string[];
  defaultSchema?: string;
  table: string;
  /** As configured (undefined: not configured anywhere). */
  locations?: string[];
  placeholders: Record<string, string>;
  placeholderPrefix: string;
  placeholderSuffix: string;
  placeholderSeparator: string;
  placeholderReplacement: boolean;
  sqlMigrationPrefix: string;
  undoSqlMigrationPrefix: string;
  repeatableSqlMigrationPrefix: string;
  sqlMigrationSeparator: string;
  sqlMigrationSuffixes: string[];
  outOfOrder: boolean;
  mixed: boolean;
  executeInTransaction: boolean;
  validateOnMigrate: boolean;
  installedBy?: string;
  /** flyway.postgresql.transactional.lock (default true): the advisory lock is held in a transaction. */
  postgresqlTransactionalLock: boolean;
  /** Values that use a resolver metamig cannot evaluate (vault, secrets managers …): key → raw text. */
  unresolved: Record<string, string>;
  /**
   * Every property set anywhere (files and FLYWAY_* variables): its raw value and where the value
   * comes from (a file name or the variable). Includes what the settings above leave out (TOML
   * environment keys such as jdbcProperties, FLYWAY_JDBC_PROPERTIES_*), so the fast status path can
   * refuse what it cannot model.
   */
  configured: Record<string, Configured>;
}

export interface Configured {
  value: string;
  /** A file name, or the environment variable. */
  from: string;
}

export interface ReadOptions {
  /** The project's config file passed with -configFiles (absolute), if any. */
  configFile?: string;
  /** Flyway's working directory (the JVM's cwd): the project root. */
  cwd: string;
  env: Record<string, string | undefined>;
  /** Java's user.home. */
  home?: string;
  /** Flyway's install dir (it reads <install>/conf/). */
  installDir?: string;
  /** Read a file, or undefined when it does not exist (injectable for tests). */
  read?: (path: string) => string | undefined;
}

export class FlywayConfigError extends Error {
  constructor(
    message: string,
    readonly file: string,
  ) {
    super(message);
  }
}

const readIfExists = (p: string): string | undefined => (existsSync(p) ? readFileSync(p, 'utf8') : undefined);

/** The files Flyway reads by default, in its order (ConfigUtils.getDefault*ConfigFileLocations). */
export function defaultConfigFiles(format: ConfigFormat, o: Pick<ReadOptions, 'cwd' | 'home' | 'installDir'>): string[] {
  const names = format === 'toml' ? ['flyway.toml', 'flyway.user.toml'] : ['flyway.conf'];
  const dirs = [o.installDir ? join(o.installDir, 'conf') : undefined, o.home, o.cwd].filter((d): d is string => !!d);
  return dirs.flatMap((d) => names.map((n) => join(d, n)));
}

/** Flyway's choice between its TOML and legacy .conf managers (ConfigurationManagerImpl.useModernConfig). */
export function formatFor(o: ReadOptions): ConfigFormat {
  if (o.configFile) return o.configFile.endsWith('.toml') ? 'toml' : 'conf';
  const read = o.read ?? readIfExists;
  if (defaultConfigFiles('toml', o).some((f) => read(f) !== undefined)) return 'toml';
  if (defaultConfigFiles('conf', o).some((f) => read(f) !== undefined)) return 'conf';
  return 'toml';
}

// ---- legacy .conf (java.util.Properties, with ${ENV} expansion) ----------------------------------

/** Properties-file reading as Flyway does it: `${VAR}` expands to the environment (or ""). */
export function parseConf(text: string, env: Record<string, string | undefined>): Map<string, string> {
  const expanded = text.replace(/\$\{([A-Za-z0-9_]+)}/g, (_m, name: string) => env[name] ?? '');
  const out = new Map<string, string>();
  const lines = expanded.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    let line = lines[i]!.trim();
    if (!line || line.startsWith('#') || line.startsWith('!')) continue;
    while (line.endsWith('\\') && i + 1 < lines.length) line = line.slice(0, -1) + lines[++i]!.trim();
    const m = /^((?:\\.|[^=:\s])+)\s*[=:\s]\s*(.*)$/.exec(line);
    if (!m) {
      out.set(line, '');
      continue;
    }
    out.set(m[1]!.replace(/\\(.)/g, '$1'), m[2]!.replace(/\\(.)/g, (_x, c: string) => ({ n: '\n', t: '\t', r: '\r' })[c] ?? c));
  }
  return out;
}

/** FLYWAY_OUT_OF_ORDER → outOfOrder, FLYWAY_PLACEHOLDERS_X → placeholders.x (ConfigUtils.convertKey). */
export function envKeyToProperty(key: string): string | undefined {
  if (!key.startsWith('FLYWAY_') || key === 'FLYWAY_CONFIG_FILES') return undefined;
  const rest = key.slice('FLYWAY_'.length);
  if (rest.startsWith('PLACEHOLDERS_') && rest.length > 'PLACEHOLDERS_'.length) return `placeholders.${rest.slice('PLACEHOLDERS_'.length).toLowerCase()}`;
  if (rest.startsWith('JDBC_PROPERTIES_')) return undefined;
  if (rest === 'POSTGRESQL_TRANSACTIONAL_LOCK') return 'postgresql.transactional.lock'; // PostgreSQLConfigurationExtension
  return rest.toLowerCase().replace(/_([a-z0-9])/g, (_m, c: string) => c.toUpperCase());
}

// ---- merged view -----------------------------------------------------------------------------

/** One flat map of Flyway property names (`url`, `locations`, `placeholders.x` …) to strings. */
type Flat = Map<string, string>;

const toStr = (v: TomlValue): string => (Array.isArray(v) ? v.map(toStr).join(',') : typeof v === 'object' ? '' : String(v));

function flattenInto(out: Flat, table: TomlTable | undefined, prefix = ''): void {
  if (!table) return;
  for (const [k, v] of Object.entries(table)) {
    const t = tomlTable(v);
    if (t) flattenInto(out, t, `${prefix}${k}.`);
    else out.set(`${prefix}${k}`, toStr(v));
  }
}

const ENV_LEVEL = new Set(['url', 'user', 'password', 'schemas', 'driver']);

/** The properties one TOML document sets for this environment (as Flyway merges them), and the environment keys metamig does not read. */
function tomlProperties(t: TomlTable, environment: string): { flat: Flat; unread: Flat } {
  const flat: Flat = new Map();
  flattenInto(flat, tomlTable(t.flyway));
  const env = tomlTable(tomlTable(t.environments)?.[environment]);
  for (const k of ENV_LEVEL) if (env?.[k] !== undefined) flat.set(k, toStr(env[k]!));
  flattenInto(flat, tomlTable(env?.flyway)); // [environments.<name>.flyway] overrides [flyway]
  flat.delete('environment');
  const unread = new Map<string, string>();
  for (const [k, v] of Object.entries(env ?? {})) if (!ENV_LEVEL.has(k) && k !== 'flyway') flattenInto(unread, tomlTable(v) ?? { [k]: v }, tomlTable(v) ? `${k}.` : '');
  return { flat, unread: new Map([...unread].map(([k, v]) => [`environments.${environment}.${k}`, v])) };
}

function readToml(o: ReadOptions, files: string[]): { flat: Flat; environment: string; urlSource?: string; configured: Record<string, Configured> } {
  const read = o.read ?? readIfExists;
  let merged: TomlTable = {};
  let urlSource: string | undefined;
  const perFile: [string, TomlTable][] = [];
  const envName = (t: TomlTable) => {
    const e = tomlTable(t.flyway)?.environment;
    return typeof e === 'string' ? e : 'default';
  };
  for (const f of files) {
    const text = read(f);
    if (text === undefined) continue;
    let t: TomlTable;
    try {
      t = parseToml(text);
    } catch (e) {
      throw new FlywayConfigError(`${basename(f)}: ${e instanceof TomlError ? e.message : String(e)}`, f);
    }
    merged = mergeToml(merged, t);
    perFile.push([basename(f), t]);
    if (tomlTable(tomlTable(t.environments)?.[envName(merged)])?.url !== undefined) urlSource = basename(f);
  }
  const environment = envName(merged);
  const { flat } = tomlProperties(merged, environment);
  const configured: Record<string, Configured> = {};
  for (const [name, t] of perFile) {
    const own = tomlProperties(t, environment);
    for (const [k, value] of [...own.flat, ...own.unread]) configured[k] = { value, from: name };
  }
  return { flat, environment, configured, ...(urlSource ? { urlSource } : {}) };
}

function readConf(o: ReadOptions, files: string[]): { flat: Flat; urlSource?: string; configured: Record<string, Configured> } {
  const read = o.read ?? readIfExists;
  const flat: Flat = new Map();
  const configured: Record<string, Configured> = {};
  let urlSource: string | undefined;
  for (const f of files) {
    const text = read(f);
    if (text === undefined) continue;
    for (const [k, v] of parseConf(text, o.env)) {
      if (!k.startsWith('flyway.')) continue;
      flat.set(k.slice('flyway.'.length), v);
      configured[k.slice('flyway.'.length)] = { value: v, from: basename(f) };
      if (k === 'flyway.url') urlSource = basename(f);
    }
  }
  return { flat, configured, ...(urlSource ? { urlSource } : {}) };
}

/** TOML resolvers: `${env.X}` is evaluated; `!{…}` is verbatim; any other resolver is left unresolved. */
export function resolveValue(raw: string, env: Record<string, string | undefined>): { value: string; unresolved: boolean } {
  const verbatim = /^!\{(.*)\}$/s.exec(raw);
  if (verbatim) return { value: verbatim[1]!, unresolved: false };
  let unresolved = false;
  const value = raw.trim().replace(/\$\{([^.}]+)\.([^.}]+?)\}/g, (m, resolver: string, name: string) => {
    if (resolver === 'env' && env[name] !== undefined) return env[name]!;
    unresolved = true;
    return m;
  });
  return { value, unresolved };
}

const list = (s: string | undefined): string[] | undefined =>
  s === undefined ? undefined : s.split(',').map((x) => x.trim()).filter(Boolean);
const bool = (s: string | undefined, dflt: boolean): boolean => (s === undefined || s === '' ? dflt : s.trim().toLowerCase() === 'true');

export function readFlywaySettings(o: ReadOptions): FlywaySettings {
  const format = formatFor(o);
  const read = o.read ?? readIfExists;
  const candidates = [...defaultConfigFiles(format, o)];
  const fromEnv = list(o.env.FLYWAY_CONFIG_FILES)?.map((f) => (f.startsWith('/') ? f : join(o.cwd, f))) ?? [];
  candidates.push(...fromEnv.filter((f) => (format === 'toml') === f.endsWith('.toml')));
  if (o.configFile) candidates.push(o.configFile);
  const files = [...new Set(candidates)].filter((f) => read(f) !== undefined);

  const base = format === 'toml' ? readToml(o, files) : readConf(o, files);
  const flat = base.flat;
  const configured = { ...base.configured };
  let urlSource = base.urlSource;
  for (const [k, v] of Object.entries(o.env)) {
    if (v === undefined) continue;
    if (k.startsWith('FLYWAY_JDBC_PROPERTIES_')) configured[`jdbcProperties.${k.slice('FLYWAY_JDBC_PROPERTIES_'.length)}`] = { value: v, from: k };
    const prop = envKeyToProperty(k);
    if (!prop) continue;
    flat.set(prop, v);
    configured[prop] = { value: v, from: k };
    if (prop === 'url') urlSource = k;
  }

  const unresolved: Record<string, string> = {};
  const resolved = (k: string): string | undefined => {
    const raw = flat.get(k);
    if (raw === undefined) return undefined;
    if (format === 'conf') return raw;
    const r = resolveValue(raw, o.env);
    if (r.unresolved) unresolved[k] = raw;
    return r.value;
  };
  const placeholders: Record<string, string> = {};
  for (const [k, v] of flat) if (k.startsWith('placeholders.')) placeholders[k.slice('placeholders.'.length)] = v;

  const settings: FlywaySettings = {
    format,
    files,
    environment: 'environment' in base && typeof base.environment === 'string' ? base.environment : 'default',
    schemas: list(resolved('schemas')) ?? [],
    table: flat.get('table') || 'flyway_schema_history',
    placeholders,
    placeholderPrefix: flat.get('placeholderPrefix') ?? '${',
    placeholderSuffix: flat.get('placeholderSuffix') ?? '}',
    placeholderSeparator: flat.get('placeholderSeparator') ?? ':',
    placeholderReplacement: bool(flat.get('placeholderReplacement'), true),
    sqlMigrationPrefix: flat.get('sqlMigrationPrefix') ?? 'V',
    undoSqlMigrationPrefix: flat.get('undoSqlMigrationPrefix') ?? 'U',
    repeatableSqlMigrationPrefix: flat.get('repeatableSqlMigrationPrefix') ?? 'R',
    sqlMigrationSeparator: flat.get('sqlMigrationSeparator') ?? '__',
    sqlMigrationSuffixes: list(flat.get('sqlMigrationSuffixes')) ?? ['.sql'],
    outOfOrder: bool(flat.get('outOfOrder'), false),
    mixed: bool(flat.get('mixed'), false),
    executeInTransaction: bool(flat.get('executeInTransaction'), true),
    validateOnMigrate: bool(flat.get('validateOnMigrate'), true),
    postgresqlTransactionalLock: bool(flat.get('postgresql.transactional.lock'), true),
    unresolved,
    configured,
  };
  const url = resolved('url');
  const user = resolved('user');
  const password = resolved('password');
  const locations = list(flat.get('locations'));
  const defaultSchema = flat.get('defaultSchema');
  const installedBy = flat.get('installedBy');
  if (url) settings.url = url;
  if (url && urlSource) settings.urlSource = urlSource;
  if (user !== undefined) settings.user = user;
  if (password !== undefined) settings.password = password;
  if (locations) settings.locations = locations;
  if (defaultSchema) settings.defaultSchema = defaultSchema;
  if (installedBy) settings.installedBy = installedBy;
  return settings;
}

/** The schema that holds the history table: defaultSchema, else the first of schemas (Flyway's rule). */
export const historySchema = (s: FlywaySettings): string | undefined => s.defaultSchema ?? s.schemas[0];
