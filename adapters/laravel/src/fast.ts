// `metamig status --fast`: what `status` returns, from database/migrations on disk and the migrations
// table read through core's HistoryReader — no PHP, no artisan. Laravel's configuration is PHP and
// .env, resolved at boot, so the fast path needs metamig's own URL (--database-url, the sandbox or
// projects[].database) and reads from config/database.php only the literal settings that decide
// which table that database holds; whenever exactness would need the app to run, it refuses with
// OPERATION.UNSUPPORTED and the CLI runs the full path.
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { type AdapterContext, type MigrationState, MigratorError, type Project, buildState, formatPostgresUrl, parseDatabaseUrl } from '@metamig/core';
import { connectionOption, overrideFor } from './argv.js';
import { MIGRATIONS_DIR } from './detect.js';
import { currentOf, migrationsFrom } from './helper.js';
import { type PhpValue, lookup, parsePhpReturn } from './php-config.js';
import { extraMigrationPathsProblem } from './providers.js';

export interface TableLocation {
  /** The table name with the connection's prefix. */
  table: string;
  /** PostgreSQL: the schema search_path is set to (undefined: the server's default path). */
  schema?: string;
}

const DB_VARIABLE: Record<string, string> = { database: 'DB_DATABASE', host: 'DB_HOST', port: 'DB_PORT', username: 'DB_USERNAME' };
const describe = (v: PhpValue | undefined) => (v === undefined ? 'missing' : v.kind === 'code' ? v.text : v.kind === 'env' ? `env('${v.name}')` : v.kind === 'array' ? 'an array' : JSON.stringify('value' in v ? v.value : null));
const literal = (v: PhpValue | undefined): string | undefined => (v?.kind === 'string' ? v.value : v?.kind === 'number' ? String(v.value) : undefined);

/**
 * Where the migrations table of connection `name` is, when config/database.php says it literally and
 * builds that connection from the DB_* variables the override sets (what the full path checks at
 * run time). A string is the reason it cannot be known without running the app.
 */
export function tableLocation(databasePhp: string, name: string, expect: Record<string, string>, laravelMajor?: number): TableLocation | string {
  const config = parsePhpReturn(databasePhp);
  if (config?.kind !== 'array') return 'config/database.php does not return an array metamig can read';
  const def = lookup(config, ['default']);
  if (!(def?.kind === 'env' && def.name === 'DB_CONNECTION') && literal(def) !== name) {
    return `its default connection is ${describe(def)}, not env('DB_CONNECTION'): the override (DB_CONNECTION=${name}) would not reach it`;
  }
  const conn = lookup(config, ['connections', name]);
  if (conn?.kind !== 'array') return `config/database.php has no connection "${name}" written as an array`;
  const driver = lookup(conn, ['driver']);
  if (literal(driver) !== expect.driver) return `connection "${name}" has driver ${describe(driver)}, not '${expect.driver}'`;
  const url = lookup(conn, ['url']);
  if (url && url.kind !== 'null' && !(url.kind === 'env' && (url.name === 'DATABASE_URL' || url.name === 'DB_URL'))) {
    return `connection "${name}" sets its url to ${describe(url)}, which would win over the DB_* variables`;
  }
  for (const key of Object.keys(expect).filter((k) => k !== 'driver')) {
    const v = lookup(conn, [key]);
    if (!(v?.kind === 'env' && v.name === DB_VARIABLE[key]) && literal(v) !== expect[key]) {
      return `connection "${name}" takes its ${key} from ${describe(v)}, not ${DB_VARIABLE[key]}: Laravel would not use the database given`;
    }
  }
  const prefix = lookup(conn, ['prefix']);
  if (prefix && prefix.kind !== 'null' && prefix.kind !== 'string') return `connection "${name}" has a computed table prefix (${describe(prefix)})`;
  const migrations = lookup(config, ['migrations']);
  // A string up to Laravel 10; ['table' => …, 'update_date_on_publish' => …] from Laravel 11.
  if (migrations?.kind === 'array' && !(laravelMajor !== undefined && laravelMajor >= 11)) {
    return `'migrations' is an array, which only Laravel 11+ reads, and the application's Laravel version ${laravelMajor === undefined ? 'is not known (no vendor/laravel/framework)' : `is ${laravelMajor}`}`;
  }
  const tableSetting = migrations?.kind === 'array' ? lookup(migrations, ['table']) : migrations;
  const table = tableSetting === undefined ? 'migrations' : literal(tableSetting);
  if (!table) return `the migrations table name is ${describe(tableSetting)}, not a literal`;
  const out: TableLocation = { table: `${prefix?.kind === 'string' ? prefix.value : ''}${table}` };
  if (expect.driver === 'pgsql') {
    const path = lookup(conn, ['search_path']) ?? lookup(conn, ['schema']);
    if (path && path.kind !== 'null') {
      const schema = literal(path);
      if (!schema || !/^[A-Za-z_][\w$]*$/.test(schema)) return `connection "${name}" sets the schema search path to ${describe(path)} (only one literal schema is read directly)`;
      out.schema = schema;
    }
  }
  return out;
}

/** The major version of the Laravel a Composer application installed (vendor/laravel/framework). */
export function laravelMajorOf(absRoot: string): number | undefined {
  try {
    const app = readFileSync(join(absRoot, 'vendor/laravel/framework/src/Illuminate/Foundation/Application.php'), 'utf8');
    const v = /const\s+VERSION\s*=\s*'(\d+)\./.exec(app)?.[1];
    return v ? Number(v) : undefined;
  } catch {
    return undefined;
  }
}

/** database/migrations as Migrator::getMigrationFiles() sees it: glob *_*.php, named without ".php", sorted by name. */
export function migrationFiles(absRoot: string): { name: string; path: string }[] | string {
  const dir = join(absRoot, MIGRATIONS_DIR);
  if (!existsSync(dir)) return [];
  const files = new Map<string, string>();
  for (const f of readdirSync(dir)) {
    if (f.startsWith('.') || !/^.*_.*\.php$/s.test(f)) continue;
    const name = f.split('.php').join(''); // str_replace('.php', '', basename($path))
    if (files.has(name)) return `${files.get(name)} and ${f} have the same migration name ${name}`;
    files.set(name, f);
  }
  return [...files.entries()]
    .sort(([a], [b]) => Buffer.compare(Buffer.from(a), Buffer.from(b)))
    .map(([name, f]) => ({ name, path: `${MIGRATIONS_DIR}/${f}` }));
}

const qi = (s: string) => `"${s.replace(/"/g, '""')}"`;

/** Laravel 8's hasTable() and getMigrationBatches(), for PostgreSQL ($n) or SQLite (?). */
export function historyQueries(engine: 'postgres' | 'sqlite', loc: TableLocation): { exists: string; existsParams: string[]; rows: string } {
  if (engine === 'sqlite') {
    return { exists: "SELECT 1 AS present FROM sqlite_master WHERE type = 'table' AND name = ?", existsParams: [loc.table], rows: `SELECT migration, batch FROM ${qi(loc.table)} ORDER BY batch ASC, migration ASC` };
  }
  return {
    exists: "SELECT 1 AS present FROM information_schema.tables WHERE table_schema = $1 AND table_name = $2 AND table_type = 'BASE TABLE'",
    existsParams: [loc.schema ?? 'public', loc.table],
    rows: `SELECT migration, batch FROM ${loc.schema ? `${qi(loc.schema)}.` : ''}${qi(loc.table)} ORDER BY batch ASC, migration ASC`,
  };
}

function unsupported(project: Project, why: string): MigratorError {
  return new MigratorError({
    code: 'OPERATION.UNSUPPORTED',
    summary: `${project.id}: the fast status path cannot read this Laravel project directly.`,
    why,
    fix: 'Pass --database-url, or set projects[].database in the metamig config (or run `metamig status` without --fast).',
  });
}

export async function statusFast(project: Project, ctx: AdapterContext): Promise<MigrationState> {
  const started = performance.now();
  if (!ctx.history) throw unsupported(project, 'no direct database reader was given (it is only available to `metamig status --fast`)');
  if (!project.databaseUrl) {
    throw unsupported(project, 'the database is configured in code (config/database.php with .env, resolved when the application boots)');
  }
  const parsed = parseDatabaseUrl(project.databaseUrl, project.absRoot);
  if (parsed.engine !== 'postgres' && parsed.engine !== 'sqlite') throw unsupported(project, 'only PostgreSQL and SQLite are read directly');
  if (existsSync(join(project.absRoot, 'bootstrap/cache/config.php'))) {
    throw unsupported(project, 'the configuration is cached (bootstrap/cache/config.php): Laravel reads neither config/database.php nor the environment');
  }
  let databasePhp: string;
  try {
    databasePhp = readFileSync(join(project.absRoot, 'config/database.php'), 'utf8');
  } catch {
    throw unsupported(project, 'config/database.php could not be read');
  }
  const name = connectionOption(project.options, project.id) ?? (parsed.engine === 'sqlite' ? 'sqlite' : 'pgsql');
  const loc = tableLocation(databasePhp, name, overrideFor(project.databaseUrl, project.absRoot, name).expect, laravelMajorOf(project.absRoot));
  if (typeof loc === 'string') throw unsupported(project, loc);
  const paths = extraMigrationPathsProblem(project.absRoot);
  if (paths) throw unsupported(project, paths);
  const files = migrationFiles(project.absRoot);
  if (typeof files === 'string') throw unsupported(project, files);

  const url = parsed.engine === 'sqlite' ? `sqlite://${parsed.file}` : formatPostgresUrl(parsed);
  const q = historyQueries(parsed.engine, loc);
  const exists = (await ctx.history.query(url, q.exists, q.existsParams)).length > 0;
  // pluck('batch', 'migration'): one entry per name, the last row's batch.
  const ran = new Map<string, number>();
  for (const r of exists ? await ctx.history.query<{ migration: unknown; batch: unknown }>(url, q.rows) : []) ran.set(String(r.migration), Number(r.batch));
  const migrations = migrationsFrom({ files, ran: [...ran].map(([migration, batch]) => ({ migration, batch })), schemaTransactions: 'unknown' }).map(({ transactional: _t, ...m }) => m);
  return buildState({
    project: project.id,
    framework: 'laravel',
    database: project.database.description,
    migrations,
    current: currentOf(migrations),
    heads: files.length ? [files[files.length - 1]!.name] : [],
    source: { command: [], native: exists ? q.rows : `(no ${loc.table} table)`, durationMs: Math.round(performance.now() - started), via: 'history-table' },
    warnings: [],
  });
}
