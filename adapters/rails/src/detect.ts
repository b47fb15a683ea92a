// Finding Rails / ActiveRecord projects. Two layouts:
//  - a Rails app: `bin/rails` next to `config/database.yml` or `db/migrate/` (not an engine's
//    bin/rails, not the dummy app of an engine's test suite);
//  - a standalone ActiveRecord project: a Rakefile that loads ActiveRecord's database tasks, next to
//    `db/migrate/`.
// Loaded by `metamig discover`, so it stays light: marker files are read, nothing is executed.
import { existsSync, readFileSync } from 'node:fs';
import { join, posix } from 'node:path';
import { type DatabaseTarget, type DetectedProject, type Detector, type RepoListing, dirOf, engineOf, redact, registerUrl } from '@metamig/core';

export const RAKEFILE_NAMES = ['Rakefile', 'rakefile', 'Rakefile.rb', 'rakefile.rb'] as const;
export type Layout = 'app' | 'standalone';

/** A Rakefile that sets up ActiveRecord's own db:* tasks (the standalone layout). */
export const rakefileLoadsDatabaseTasks = (text: string): boolean =>
  /active_record\/railties\/databases(\.rake)?['"]/.test(text) || /\bActiveRecord::Tasks\b|\bDatabaseTasks\s*\./.test(text);

/** An engine's bin/rails runs engine commands, not the migrations of an app. */
export const isEngineBinRails = (text: string): boolean => /\bENGINE_ROOT\b/.test(text);

const DUMMY_APP = /(^|\/)(test|spec)\/dummy$/;

function readText(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
}

const under = (root: string, rel: string) => (root === '.' ? rel : `${root}/${rel}`);

export function detect(listing: RepoListing): DetectedProject[] {
  const files = new Set(listing.files);
  const hasMigrations = (root: string) => {
    const prefix = `${under(root, 'db/migrate')}/`;
    return listing.files.some((f) => f.startsWith(prefix) && f.endsWith('.rb'));
  };
  const found = new Map<string, DetectedProject>();
  for (const file of listing.files) {
    if (file !== 'bin/rails' && !file.endsWith('/bin/rails')) continue;
    const root = dirOf(dirOf(file));
    if (DUMMY_APP.test(root)) continue;
    const yml = under(root, 'config/database.yml');
    if (!files.has(yml) && !hasMigrations(root)) continue;
    const text = readText(join(listing.root, file));
    if (text !== undefined && isEngineBinRails(text)) continue;
    found.set(root, { framework: 'rails', root, configFile: files.has(yml) ? yml : file });
  }
  for (const file of listing.files) {
    const base = posix.basename(file);
    if (!(RAKEFILE_NAMES as readonly string[]).includes(base)) continue;
    const root = dirOf(file);
    if (found.has(root) || DUMMY_APP.test(root) || !hasMigrations(root)) continue;
    const text = readText(join(listing.root, file));
    if (text !== undefined && rakefileLoadsDatabaseTasks(text)) found.set(root, { framework: 'rails', root, configFile: file });
  }
  return [...found.values()].sort((a, b) => a.root.localeCompare(b.root));
}

/** At run time: the layout decides the native command (`bin/rails` vs `rake`) and rake's app name. */
export const layoutOf = (absRoot: string): Layout => (existsSync(join(absRoot, 'bin/rails')) ? 'app' : 'standalone');

// ---- config/database.yml, read statically (best effort: ERB and exotic YAML are reported as such) --

export type YamlMap = { [key: string]: YamlValue };
export type YamlValue = string | YamlMap;

const unquote = (s: string) => {
  const t = s.trim();
  return (t.startsWith('"') && t.endsWith('"')) || (t.startsWith("'") && t.endsWith("'")) ? t.slice(1, -1) : t;
};

/**
 * The subset of YAML database.yml files use: nested maps by indentation, scalars, `&anchor` on a map
 * and `<<: *anchor` merges. Lists and flow collections are kept as raw text.
 */
export function parseDatabaseYml(text: string): YamlMap {
  const anchors = new Map<string, YamlMap>();
  const root: YamlMap = {};
  const stack: { indent: number; map: YamlMap }[] = [{ indent: -1, map: root }];
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.replace(/\s+#.*$/, '');
    if (!line.trim() || /^\s*#/.test(line) || /^\s*-/.test(line)) continue;
    const m = /^(\s*)([^:]+?):(?:\s+(.*))?$/.exec(line);
    if (!m) continue;
    const indent = m[1]!.length;
    const key = unquote(m[2]!);
    const value = (m[3] ?? '').trim();
    while (stack.length > 1 && stack[stack.length - 1]!.indent >= indent) stack.pop();
    const parent = stack[stack.length - 1]!.map;
    if (key === '<<' && value.startsWith('*')) {
      const source = anchors.get(value.slice(1));
      if (source) for (const [k, v] of Object.entries(source)) if (!(k in parent)) parent[k] = v;
      continue;
    }
    if (value === '' || value.startsWith('&')) {
      const child: YamlMap = {};
      parent[key] = child;
      if (value.startsWith('&')) anchors.set(value.slice(1), child);
      stack.push({ indent, map: child });
    } else {
      parent[key] = unquote(value);
    }
  }
  return root;
}

const DB_KEYS = ['adapter', 'database', 'url', 'host'];

/** The database configurations of one environment, by name (2-tier files have one, "primary"). */
export function databasesFor(yml: YamlMap, env: string): Map<string, YamlMap> {
  const block = yml[env];
  const out = new Map<string, YamlMap>();
  if (!block || typeof block === 'string') return out;
  if (DB_KEYS.some((k) => k in block)) {
    out.set('primary', block);
    return out;
  }
  for (const [name, cfg] of Object.entries(block)) if (typeof cfg !== 'string') out.set(name, cfg);
  return out;
}

const ENGINE_OF_ADAPTER: Record<string, DatabaseTarget['engine']> = {
  postgresql: 'postgres',
  postgis: 'postgres',
  sqlite3: 'sqlite',
  mysql2: 'mysql',
  trilogy: 'mysql',
};

export function describeFromYml(text: string | undefined, env: string, ymlPath: string, envUrl?: string): DatabaseTarget {
  if (envUrl) {
    registerUrl(envUrl);
    const shown = redact(envUrl);
    return { engine: engineOf(envUrl), url: shown, source: 'tool-config', description: `${shown} (DATABASE_URL in the environment; it overrides ${ymlPath} for ${env})` };
  }
  if (text === undefined) return { engine: 'unknown', source: 'tool-config', description: `configured by the Rakefile (no ${ymlPath})` };
  const dbs = databasesFor(parseDatabaseYml(text), env);
  const [name, cfg] = [...dbs.entries()][0] ?? [];
  if (!name || !cfg) return { engine: 'unknown', source: 'tool-config', description: `${ymlPath} has no ${env} environment` };
  const adapter = typeof cfg.adapter === 'string' ? cfg.adapter : undefined;
  const url = typeof cfg.url === 'string' ? cfg.url : undefined;
  const others = [...dbs.keys()].slice(1);
  const also = others.length ? `; also ${others.join(', ')} (multi-database app: metamig manages ${name} unless options.database says otherwise)` : '';
  const where = `${ymlPath}, ${env}${dbs.size > 1 ? `/${name}` : ''}`;
  if (url && !url.includes('<%')) {
    registerUrl(url);
    return { engine: engineOf(url), url: redact(url), source: 'tool-config', description: `${redact(url)} (${where}${also})` };
  }
  const database = typeof cfg.database === 'string' ? cfg.database : undefined;
  const engine = adapter && !adapter.includes('<%') ? (ENGINE_OF_ADAPTER[adapter] ?? 'unknown') : 'unknown';
  const what = [adapter ?? 'adapter not set', database ?? (url ? 'url set by ERB' : 'database not set')].map((s) => (s.includes('<%') ? 'set by ERB' : s)).join(' ');
  return { engine, source: 'tool-config', description: `${what} (${where}${also})` };
}

export function describeDatabase(project: DetectedProject, repoRoot: string): DatabaseTarget {
  const env = process.env.RAILS_ENV || process.env.RACK_ENV || 'development';
  const ymlRel = 'config/database.yml';
  const text = readText(join(repoRoot, project.root, ymlRel));
  return describeFromYml(text, env, ymlRel, process.env.DATABASE_URL || undefined);
}

export const detector: Detector = { framework: 'rails', detect, describeDatabase };
