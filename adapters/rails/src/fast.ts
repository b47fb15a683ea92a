// `metamig status --fast`: what `status` returns, from the migration files on disk and
// schema_migrations read through core's HistoryReader — no Ruby, no boot. The settings that decide
// which files and which table (database.yml, a standalone Rakefile's DatabaseTasks, the app's boot
// code and its Rails gems) are read statically by static-config.ts; whenever exactness would need
// the project to run, it refuses with OPERATION.UNSUPPORTED and the CLI runs the full path.
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { isAbsolute, join, relative, sep } from 'node:path';
import {
  type AdapterContext,
  type MigrationState,
  MigratorError,
  type ParsedDatabaseUrl,
  type Project,
  buildState,
  formatPostgresUrl,
  isMigratorError,
  parseDatabaseUrl,
  registerUrl,
} from '@metamig/core';
import { railsEnvFor, railsOptions, urlVariable } from './argv.js';
import { layoutOf } from './detect.js';
import { type DatabaseEntry, type FileInfo, migrationsFromStatus, stateHeads } from './parse.js';
import { type DbConfig, absoluteUnder, appCodeProblem, databasesOf, erbIn, gemsProblem, migrationsPathsOf, parseYml, rakefileSettings, searchPathOf, selectDatabase } from './static-config.js';

// ---- migration files, as ActiveRecord::MigrationContext#migrations reads them ----------------------

/** ActiveRecord::Migration::MigrationFilenameRegexp (6.1 … 8.x). */
const MIGRATION_FILENAME = /^([0-9]+)_([_a-z0-9]*)\.?([_a-z0-9]*)?\.rb$/;
/** The glob `[0-9]*_*.rb`. */
const GLOB = /^[0-9].*_.*\.rb$/s;

/** `format("%.3d", version.to_i)`, the helper's normalization, for a version of digits. */
export const normalizeVersion = (digits: string) => BigInt(digits).toString().padStart(3, '0');

/** `Dir["#{path}/**\/[0-9]*_*.rb"]`: recursive, not into dot folders nor symlinked folders. */
function globMigrations(dir: string, out: string[] = []): string[] {
  let entries;
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    return out;
  }
  for (const e of entries) {
    const p = join(dir, e.name);
    if (e.isDirectory()) {
      if (!e.name.startsWith('.')) globMigrations(p, out);
    } else if (GLOB.test(e.name) && (e.isFile() || (e.isSymbolicLink() && isFile(p)))) out.push(p);
  }
  return out;
}
const isFile = (p: string) => {
  try {
    return statSync(p).isFile();
  } catch {
    return false;
  }
};

/** Migration files of these (absolute) folders, in version order, as the helper lists them; a string when ActiveRecord would refuse them. */
export function migrationFiles(absRoot: string, paths: string[]): FileInfo[] | string {
  const files: FileInfo[] = [];
  const seen = new Map<string, string>();
  for (const abs of paths.flatMap((p) => globMigrations(p))) {
    const base = abs.split(sep).pop()!;
    const m = MIGRATION_FILENAME.exec(base);
    const rel = relative(absRoot, abs);
    const file = rel.startsWith('..') || isAbsolute(rel) ? abs : rel.split(sep).join('/');
    if (!m) return `${file} is not a valid migration file name (ActiveRecord raises IllegalMigrationNameError)`;
    const version = normalizeVersion(m[1]!);
    if (seen.has(version)) return `${seen.get(version)} and ${file} have the same version ${version}`;
    seen.set(version, file);
    files.push({ version, name: base.slice(0, -'.rb'.length).replace(/^\d+_/, ''), file, reversible: 'unknown', transactional: 'unknown' });
  }
  return files.sort((a, b) => (BigInt(a.version) < BigInt(b.version) ? -1 : 1));
}

// ---- which database, which files ------------------------------------------------------------------

interface Target {
  url: string;
  engine: 'postgres' | 'sqlite';
  schema?: string;
  migrationsPaths: string[];
  database: string;
}

/** The entry's own URL or keys as a URL the reader opens (no override, plain YAML only). */
export function staticUrl(config: DbConfig['config'], absRoot: string, env: NodeJS.ProcessEnv): ParsedDatabaseUrl | string {
  const val = (k: string) => (typeof config[k] === 'string' ? (config[k] as string) : undefined);
  const url = val('url');
  if (url) {
    registerUrl(url);
    if (/^postgres(ql)?:\/\//.test(url)) return parseDatabaseUrl(url);
    const sqlite = /^sqlite3:(?:\/\/(?=\/))?([^?]+)$/.exec(url);
    if (sqlite) return { engine: 'sqlite', file: absoluteUnder(absRoot, decodeURIComponent(sqlite[1]!)) };
    return `its url is not a PostgreSQL or SQLite URL metamig reads directly`;
  }
  const adapter = val('adapter');
  const database = val('database');
  if (adapter === 'sqlite3') {
    if (!database || database === ':memory:' || database.startsWith('file:')) return `its SQLite database is ${database ?? 'not set'}`;
    return { engine: 'sqlite', file: absoluteUnder(absRoot, database) }; // File.expand_path(database, Rails.root)
  }
  if (adapter === 'postgresql' || adapter === 'postgis') {
    const host = val('host');
    const user = val('username') ?? val('user');
    if (!host || !database || !user) return 'its PostgreSQL host, database or username is not written in it (libpq would fill them from PG* variables or defaults)';
    if (!val('port') && env.PGPORT) return 'it has no port and PGPORT is set';
    const password = val('password');
    if (password !== undefined) registerUrl(`postgresql://${user}:${password}@${host}`);
    const sslmode = val('sslmode');
    return { engine: 'postgres', host, port: Number(val('port') ?? 5432), user, database, params: sslmode ? { sslmode } : {}, ...(password !== undefined ? { password } : {}) };
  }
  return `its adapter is ${adapter ?? 'not set'}`;
}

function locate(project: Project): Target | string {
  const opts = railsOptions(project.options, project.id);
  const env = railsEnvFor(opts, project.env);
  const layout = layoutOf(project.absRoot);
  let ymlRel = 'config/database.yml';
  let erb = true;
  let defaultPaths = ['db/migrate'];
  if (layout === 'app') {
    const code = appCodeProblem(project.absRoot) ?? gemsProblem(project.absRoot);
    if (code) return code;
  } else {
    const rakefile = ['Rakefile', 'rakefile', 'Rakefile.rb', 'rakefile.rb'].map((n) => join(project.absRoot, n)).find((f) => existsSync(f));
    const settings = rakefile ? rakefileSettings(readFileSync(rakefile, 'utf8')) : 'no Rakefile';
    if (typeof settings === 'string') return settings;
    ({ databaseYml: ymlRel, erb, migrationsPaths: defaultPaths } = settings);
  }
  const ymlPath = absoluteUnder(project.absRoot, ymlRel);
  const text = existsSync(ymlPath) ? readFileSync(ymlPath, 'utf8') : undefined;
  const yml = text === undefined ? {} : parseYml(text, erb);
  if (typeof yml === 'string') return `${ymlRel} is not plain YAML metamig reads exactly (${yml})`;
  if (typeof yml[env] === 'string') return `${ymlRel} gives the ${env} environment as one URL string (only the map form is read directly)`;
  const dbs = databasesOf(yml, env);
  // With an override and no entry for this environment, ActiveRecord builds "primary" from DATABASE_URL alone.
  const selected = selectDatabase(dbs, opts.database) ?? (project.databaseUrl && !dbs.length && (!opts.database || opts.database === 'primary') ? { name: 'primary', config: {} } : undefined);
  if (!selected) return opts.database ? `${ymlRel} has no database ${opts.database} in the ${env} environment` : `${ymlRel} has no ${env} environment`;
  const erbKey = erbIn(selected.config, project.databaseUrl ? ['url', 'migrations_paths', 'schema_search_path', 'replica'] : Object.keys(selected.config));
  if (erbKey) return `${ymlRel} computes ${erbKey} of ${selected.name} with ERB`;
  const paths = migrationsPathsOf(selected.config);
  if (typeof paths === 'string') return `${ymlRel}: ${paths}`;
  const search = searchPathOf(selected.config);
  if (typeof search === 'string') return `${ymlRel}: ${search}`;

  let parsed: ParsedDatabaseUrl;
  if (project.databaseUrl) {
    if (selected.config.url !== undefined) return `${ymlRel} sets url: for ${selected.name}, which wins over DATABASE_URL (the full path refuses the override too)`;
    parsed = parseDatabaseUrl(project.databaseUrl, project.absRoot);
  } else {
    const effective = { ...process.env, ...project.env };
    const variable = [urlVariable(selected.name), ...(selected.name === 'primary' ? ['DATABASE_URL'] : [])].find((v) => effective[v]);
    if (variable) return `${variable} is set in the environment: ActiveRecord merges it into ${ymlRel} at boot`;
    const url = staticUrl(selected.config, project.absRoot, effective);
    if (typeof url === 'string') return `${ymlRel}, ${env}/${selected.name}: ${url}`;
    parsed = url;
  }
  if (parsed.engine !== 'postgres' && parsed.engine !== 'sqlite') return 'only PostgreSQL and SQLite are read directly';
  return {
    url: parsed.engine === 'sqlite' ? `sqlite://${parsed.file}` : formatPostgresUrl(parsed),
    engine: parsed.engine,
    ...(parsed.engine === 'postgres' && search.schema ? { schema: search.schema } : {}),
    migrationsPaths: (paths ?? defaultPaths).map((p) => absoluteUnder(project.absRoot, p)),
    database: selected.name,
  };
}

// ---- the fast path ------------------------------------------------------------------------------

export const SCHEMA_MIGRATIONS = 'schema_migrations';

/** SchemaMigration.all_versions: `SELECT version … ORDER BY version`. */
export const versionsSql = (schema?: string) => `SELECT version FROM ${schema ? `"${schema.replace(/"/g, '""')}".` : ''}${SCHEMA_MIGRATIONS} ORDER BY version ASC`;

function unsupported(project: Project, why: string): MigratorError {
  return new MigratorError({
    code: 'OPERATION.UNSUPPORTED',
    summary: `${project.id}: the fast status path cannot read this Rails project directly.`,
    why,
    fix: 'Pass --database-url, or set projects[].database in the metamig config (or run `metamig status` without --fast).',
  });
}

export async function statusFast(project: Project, ctx: AdapterContext): Promise<MigrationState> {
  const started = performance.now();
  if (!ctx.history) throw unsupported(project, 'no direct database reader was given (it is only available to `metamig status --fast`)');
  registerUrl(project.databaseUrl);
  const target = locate(project);
  if (typeof target === 'string') throw unsupported(project, target);
  const files = migrationFiles(project.absRoot, target.migrationsPaths);
  if (typeof files === 'string') throw unsupported(project, files);

  const sql = versionsSql(target.schema);
  let raw: unknown[] = [];
  try {
    if (await ctx.history.tableExists(target.url, SCHEMA_MIGRATIONS, target.schema)) raw = (await ctx.history.query<{ version: unknown }>(target.url, sql)).map((r) => r.version);
  } catch (e) {
    // ActiveRecord::NoDatabaseError: the full path reports every migration pending.
    if (!(isMigratorError(e) && /database ".*" does not exist/.test(e.summary))) throw e;
  }
  const applied: string[] = [];
  for (const v of raw) {
    const s = String(v);
    if (!/^\d+$/.test(s)) throw unsupported(project, `schema_migrations holds a version that is not a number (${s.slice(0, 30)}), which ActiveRecord reads with to_i`);
    applied.push(normalizeVersion(s));
  }
  const entry: DatabaseEntry = { name: target.database, engine: target.engine, migrationsPaths: [], selected: true, applied, files };
  const migrations = migrationsFromStatus(entry).map(({ transactional: _t, ...m }) => m);
  return buildState({
    project: project.id,
    framework: 'rails',
    database: project.database.description,
    migrations,
    ...stateHeads(migrations),
    source: { command: [], native: sql, durationMs: Math.round(performance.now() - started), via: 'history-table' },
    warnings: [],
  });
}
