// What the fast status path reads instead of booting the project: config/database.yml (only the plain
// YAML subset database.yml files use; ERB only where it cannot matter), a standalone Rakefile's
// DatabaseTasks settings, and the code Rails loads at boot, scanned for anything that moves the
// migrations or renames schema_migrations. Files only, never executed; every answer is either exact
// or a reason (a string) to refuse. Pure except for reading files.
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { isAbsolute, join, posix, relative, resolve } from 'node:path';
import { type YamlMap, type YamlValue, parseDatabaseYml } from './detect.js';

const read = (file: string): string | undefined => {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
};

// ---- config/database.yml ------------------------------------------------------------------------

const ERB_VALUE = /^(?:[^<]|<(?!%))*<%=[^%]*%>.*$/;

/**
 * Why this YAML is outside the subset parseDatabaseYml reads exactly (block lists, block scalars,
 * flow maps, tags, multi-line scalars, escapes), or undefined. `erb`: the file goes through ERB
 * first (a Rails app); then `<%= … %>` is allowed inside a single-line value, never as structure.
 */
export function ymlSubsetProblem(text: string, erb: boolean): string | undefined {
  const lines = text.split(/\r?\n/);
  for (const [i, raw] of lines.entries()) {
    const line = raw.replace(/\s+#.*$/, '');
    const at = `line ${i + 1}`;
    if (!line.trim() || /^\s*#/.test(line)) continue;
    if (i === 0 && line.trim() === '---') continue;
    if (/^\t| \t/.test(line)) return `${at}: tab indentation`;
    if (line.includes('<%')) {
      if (!erb) return `${at}: ERB, which this file does not go through`;
      const kv = /^\s*[^:<]+:\s+(.*)$/.exec(line);
      if (!kv || !ERB_VALUE.test(kv[1]!) || /<%(?!=)/.test(kv[1]!.replace(/<%=/g, ''))) return `${at}: ERB outside a single value (${line.trim().slice(0, 40)})`;
      continue;
    }
    const kv = /^(\s*)([^:]+?|"[^"]*"|'[^']*'):(?:\s+(.*))?$/.exec(line);
    if (!kv) return `${at}: not a "key: value" line (${line.trim().slice(0, 40)})`;
    const key = kv[2]!.trim();
    const value = (kv[3] ?? '').trim();
    if (/^[?-]/.test(key)) return `${at}: a list or a complex key`;
    if (key === '<<') {
      if (!/^\*[\w-]+$/.test(value)) return `${at}: a merge of something other than one alias`;
      continue;
    }
    if (!value || /^&[\w-]+$/.test(value)) continue;
    if (/^[|>{!*&]/.test(value)) return `${at}: a ${value[0] === '{' ? 'flow map' : value[0] === '|' || value[0] === '>' ? 'block scalar' : value[0] === '!' ? 'tag' : 'alias or anchor'} (${key})`;
    if (value.startsWith('[') && !/^\[(?:\s*(?:[^[\]{}"'&*!|>\\,]+|"[^"\\,]*"|'[^',]*')\s*(?:,|(?=\])))*\]$/.test(value)) return `${at}: a flow list metamig does not read (${key})`;
    if (value.startsWith('"') && (!value.endsWith('"') || value.length < 2 || value.includes('\\'))) return `${at}: a double-quoted value with escapes (${key})`;
    if (value.startsWith("'") && (!value.endsWith("'") || value.length < 2 || value.slice(1, -1).includes("'"))) return `${at}: a single-quoted value with quotes inside (${key})`;
  }
  return undefined;
}

/** A map with no keys is how parseDatabaseYml reads `key:` with no value (YAML null). */
const isMap = (v: YamlValue | undefined): v is YamlMap => typeof v === 'object' && Object.keys(v).length > 0;
const str = (v: YamlValue | undefined): string | undefined => (typeof v === 'string' ? v : undefined);
const truthy = (v: YamlValue | undefined) => typeof v === 'string' && /^(true|yes|on)$/i.test(v);

export interface DbConfig {
  name: string;
  /** The keys of this database's entry (empty when it comes from DATABASE_URL alone). */
  config: YamlMap;
}

/**
 * The databases ActiveRecord 6.1 builds for `env` (DatabaseConfigurations#build_configs): three-tier
 * when every value of the environment is a hash, else one "primary"; replicas left out as
 * `configs_for(env_name:)` leaves them out.
 */
export function databasesOf(yml: YamlMap, env: string): DbConfig[] {
  const block = yml[env];
  if (block === undefined || typeof block === 'string') return [];
  const entries = Object.entries(block);
  if (!entries.length) return [];
  if (!entries.every(([, v]) => isMap(v))) return [{ name: 'primary', config: block }];
  return entries.filter(([, v]) => !truthy((v as YamlMap).replica)).map(([name, v]) => ({ name, config: v as YamlMap }));
}

/** helpers/metamig_rails.rb's select_database: the named one, else "primary", else the first. */
export function selectDatabase(dbs: DbConfig[], name: string | undefined): DbConfig | undefined {
  return name ? dbs.find((d) => d.name === name) : (dbs.find((d) => d.name === 'primary') ?? dbs[0]);
}

/** `migrations_paths: db/x` or `[db/x, db/y]`: undefined when not set. */
export function migrationsPathsOf(config: YamlMap): string[] | undefined | string {
  const v = config.migrations_paths;
  if (v === undefined || (typeof v === 'object' && !isMap(v))) return undefined;
  if (typeof v !== 'string') return 'migrations_paths is not a string or a flow list';
  if (!v.startsWith('[')) return [v];
  return v
    .slice(1, -1)
    .split(',')
    .map((s) => s.trim().replace(/^(['"])(.*)\1$/, '$2'))
    .filter(Boolean);
}

/** A PostgreSQL schema_search_path of one schema (qualify the table), none, or a reason. */
export function searchPathOf(config: YamlMap): { schema?: string } | string {
  const v = config.schema_search_path;
  if (v === undefined || (typeof v === 'object' && !isMap(v))) return {};
  const s = str(v)?.trim();
  if (s && /^"?[A-Za-z_][\w$]*"?$/.test(s)) return { schema: s.replace(/"/g, '') };
  return `schema_search_path is ${JSON.stringify(v)} (only one schema is read directly)`;
}

export const erbIn = (config: YamlMap, keys: string[]): string | undefined => keys.find((k) => typeof config[k] === 'string' && (config[k] as string).includes('<%'));

export function parseYml(text: string, erb: boolean): YamlMap | string {
  const problem = ymlSubsetProblem(text, erb);
  return problem ?? parseDatabaseYml(text);
}

// ---- a standalone Rakefile ------------------------------------------------------------------------

export interface RakefileSettings {
  /** Relative to the project root (or absolute). */
  migrationsPaths: string[];
  /** The YAML file DatabaseTasks.database_configuration loads, relative to the project root. */
  databaseYml: string;
  /** Whether that file goes through ERB first. */
  erb: boolean;
}

/** `File.join(__dir__, "db/migrate")`, `File.expand_path("db/migrate", __dir__)`, `"db/migrate"`. */
function pathExpr(expr: string): string | undefined {
  const e = expr.trim();
  const join = /^File\.join\(\s*__dir__\s*,\s*["']([^"'#]+)["']\s*\)$/.exec(e);
  if (join) return join[1];
  const expand = /^File\.expand_path\(\s*["']([^"'#]+)["']\s*,\s*__dir__\s*\)$/.exec(e);
  if (expand) return expand[1];
  const lit = /^["']([^"'#]+)["']$/.exec(e);
  return lit?.[1];
}

/**
 * The DatabaseTasks settings of a standalone ActiveRecord Rakefile, when it writes them in the forms
 * metamig's fixtures and ActiveRecord's own README use; a reason otherwise.
 */
export function rakefileSettings(text: string): RakefileSettings | string {
  const code = text.replace(/^\s*#.*$/gm, '');
  if (/\b(require_relative|import)\b|\bload\s+(?!["']active_record\/railties\/databases\.rake["'])/.test(code)) {
    return 'the Rakefile loads other files, which could change the database tasks';
  }
  if (/schema_migrations_table_name|table_name_prefix|table_name_suffix/.test(code)) return 'the Rakefile renames the schema_migrations table';
  const env = /^\s*DatabaseTasks\.env\s*=\s*(.+?)\s*$/m.exec(code)?.[1];
  if (!env || !/^(ENV\[["']RAILS_ENV["']\]|ENV\.fetch\(["']RAILS_ENV["'](\s*,\s*["']\w+["'])?\))$/.test(env)) {
    return `the Rakefile sets DatabaseTasks.env to ${env ?? 'nothing'}, not ENV["RAILS_ENV"]`;
  }
  const paths = /^\s*DatabaseTasks\.migrations_paths\s*=\s*\[(.*)\]\s*$/m.exec(code)?.[1];
  const migrationsPaths = paths?.split(/,(?![^(]*\))/).map(pathExpr);
  if (!migrationsPaths?.length || migrationsPaths.some((p) => p === undefined)) return 'the Rakefile does not set DatabaseTasks.migrations_paths to a list of plain paths';
  const config = /^\s*DatabaseTasks\.database_configuration\s*=\s*(.+?)\s*$/m.exec(code)?.[1] ?? '';
  const loadFile = /^YAML\.(?:safe_)?load_file\((.+?)(?:,\s*aliases:\s*true)?\)$/.exec(config);
  const withErb = /^YAML\.(?:safe_)?load\(\s*ERB\.new\(\s*File\.read\((.+?)\)\s*\)\.result(?:\(\))?(?:\s*,\s*aliases:\s*true)?\s*\)$/.exec(config);
  const ymlPath = pathExpr((loadFile ?? withErb)?.[1] ?? '');
  if (!ymlPath) return `the Rakefile builds DatabaseTasks.database_configuration in code (${config.slice(0, 60) || 'not set'})`;
  if (/DatabaseTasks\.(migrations_paths|database_configuration|env)\s*(<<|\+=|\.push|\.concat|\.merge!)/.test(code)) return 'the Rakefile changes the database tasks settings after setting them';
  return { migrationsPaths: migrationsPaths as string[], databaseYml: ymlPath, erb: Boolean(withErb) };
}

// ---- a Rails app's code -------------------------------------------------------------------------

const MOVES_MIGRATIONS = /migrations_paths|paths\s*\[\s*["'](?:db|config\/database)\b|paths\.add\s*\(?\s*["'](?:db|config\/database)\b|database_configuration|DatabaseTasks/;
const RENAMES_TABLE = /schema_migrations_table_name|table_name_prefix|table_name_suffix/;

function rubyFiles(dir: string, out: string[] = [], depth = 0): string[] {
  if (depth > 8 || !existsSync(dir)) return out;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    if (e.name.startsWith('.')) continue;
    const p = join(dir, e.name);
    if (e.isDirectory()) rubyFiles(p, out, depth + 1);
    else if (e.name.endsWith('.rb')) out.push(p);
  }
  return out;
}

/** The app's own boot code (config/**, lib/**): anything that moves migrations or renames the table. */
export function appCodeProblem(absRoot: string): string | undefined {
  for (const file of [...rubyFiles(join(absRoot, 'config')), ...rubyFiles(join(absRoot, 'lib'))]) {
    const text = (read(file) ?? '').replace(/^\s*#.*$/gm, '');
    const where = relative(absRoot, file);
    if (RENAMES_TABLE.test(text)) return `${where} renames the schema_migrations table (table_name_prefix / schema_migrations_table_name)`;
    if (MOVES_MIGRATIONS.test(text)) return `${where} sets the migrations paths or the database configuration in code`;
  }
  return undefined;
}

// ---- gems: Rails engines and railties can add migration paths ----------------------------------

/** Rails' own frameworks: none of them adds to the app's migration paths. */
const RAILS_FRAMEWORKS = new Set(['rails', 'railties', 'actioncable', 'actionmailbox', 'actionmailer', 'actionpack', 'actiontext', 'actionview', 'activejob', 'activemodel', 'activerecord', 'activestorage', 'activesupport']);

export interface LockedGem {
  name: string;
  version: string;
  source: 'GEM' | 'PATH' | 'GIT';
  /** The section's `remote:` (PATH: the gem's folder). */
  remote?: string;
  deps: string[];
}

/** The specs of Gemfile.lock's GEM, PATH and GIT sections, with their direct dependencies. */
export function parseGemfileLock(text: string): LockedGem[] {
  const gems: LockedGem[] = [];
  let source: LockedGem['source'] | undefined;
  let remote: string | undefined;
  let current: LockedGem | undefined;
  for (const line of text.split(/\r?\n/)) {
    if (/^\S/.test(line)) {
      source = line === 'GEM' || line === 'PATH' || line === 'GIT' ? line : undefined;
      remote = undefined;
      current = undefined;
      continue;
    }
    if (!source) continue;
    const r = /^ {2}remote: (.+)$/.exec(line);
    if (r) remote = r[1]!.trim();
    const spec = /^ {4}([^\s(]+) \(([^)]+)\)$/.exec(line);
    if (spec) {
      current = { name: spec[1]!, version: spec[2]!, source, ...(remote ? { remote } : {}), deps: [] };
      gems.push(current);
      continue;
    }
    const dep = /^ {6}([^\s(]+)/.exec(line);
    if (dep && current) current.deps.push(dep[1]!);
  }
  return gems;
}

/** Where installed gems live: the project's bundle path, then the usual RubyGems folders. */
function gemRoots(absRoot: string): string[] {
  const roots: string[] = [];
  const globDirs = (base: string) => {
    try {
      return readdirSync(base).map((d) => join(base, d));
    } catch {
      return [];
    }
  };
  const bundleConfig = read(join(absRoot, '.bundle/config')) ?? '';
  const bundlePath = /^BUNDLE_PATH:\s*["']?([^"'\n]+)["']?\s*$/m.exec(bundleConfig)?.[1];
  for (const p of [bundlePath ? resolve(absRoot, bundlePath) : undefined, join(absRoot, 'vendor/bundle')]) if (p) roots.push(...globDirs(join(p, 'ruby')));
  for (const p of [process.env.GEM_HOME, ...(process.env.GEM_PATH ?? '').split(':')]) if (p) roots.push(p);
  for (const base of ['/var/lib/gems', '/usr/lib/ruby/gems', '/usr/local/lib/ruby/gems', join(homedir(), '.gem/ruby'), join(homedir(), '.local/share/gem/ruby')]) roots.push(...globDirs(base));
  roots.push('/usr/share/rubygems-integration/all');
  return roots;
}

function gemDir(gem: LockedGem, absRoot: string, roots: string[]): string | undefined {
  if (gem.source === 'PATH' && gem.remote) return resolve(absRoot, gem.remote);
  if (gem.source !== 'GEM') return undefined;
  for (const root of roots) {
    const p = join(root, 'gems', `${gem.name}-${gem.version}`);
    try {
      if (statSync(p).isDirectory()) return p;
    } catch {
      /* not in this root */
    }
  }
  return undefined;
}

/**
 * Gems that depend on Rails (engines, railties) run code at boot that can add migration paths:
 * each is read (lib/, config/) and any that mentions the migrations paths makes the fast path refuse.
 */
export function gemsProblem(absRoot: string): string | undefined {
  if (!existsSync(join(absRoot, 'Gemfile'))) return 'the app has no Gemfile, so the gems it loads at boot are unknown';
  const lock = read(join(absRoot, 'Gemfile.lock'));
  if (lock === undefined) return 'the app has no Gemfile.lock, so the gems it loads at boot are unknown';
  const roots = gemRoots(absRoot);
  for (const gem of parseGemfileLock(lock)) {
    if (RAILS_FRAMEWORKS.has(gem.name) || !gem.deps.some((d) => d === 'railties' || d === 'rails')) continue;
    const dir = gemDir(gem, absRoot, roots);
    if (!dir) return `the gem ${gem.name} (${gem.version}) depends on Rails and could not be found on disk to check whether it adds migration paths`;
    for (const file of [...rubyFiles(join(dir, 'lib')), ...rubyFiles(join(dir, 'config'))]) {
      const text = read(file) ?? '';
      if (/db\/migrate|migrations_paths/.test(text) || RENAMES_TABLE.test(text)) {
        return `the gem ${gem.name} (${posix.join(...relative(dir, file).split(/[\\/]/))}) touches the migrations paths or the schema_migrations table at boot`;
      }
    }
  }
  return undefined;
}

export const absoluteUnder = (absRoot: string, p: string) => (isAbsolute(p) ? p : resolve(absRoot, p));
