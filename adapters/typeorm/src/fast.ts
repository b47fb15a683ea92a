// `status --fast` for TypeORM: the data source and migration files read statically (sources.ts), the
// `migrations` globs expanded with the project's own TypeORM glob library (tinyglobby, a few small
// modules — not TypeORM, not ts-node, no process), and the migrations table read directly through
// ctx.history. The connection is code, so the database must be given (--database-url / metamig config).
import { existsSync, readFileSync, realpathSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, extname, join, normalize, relative, resolve, sep } from 'node:path';
import { type AdapterContext, type MigrationState, type Project, MigratorError, buildState, parseDatabaseUrl } from '@metamig/core';
import { resolveDataSource } from './detect.js';
import { type ExecutedRow, currentAndHeads, fromName, migrationsFromStatus } from './parse.js';
import { type Engine, moduleOf, packageTypeOf, readDataSource, readMigrationFile } from './sources.js';

const FIX = 'Pass --database-url (or set projects[].database in the metamig config), and keep the data source\'s migrations option a literal list of globs; `metamig status` without --fast asks TypeORM itself.';

export function unsupported(why: string, fix = FIX): MigratorError {
  return new MigratorError({ code: 'OPERATION.UNSUPPORTED', summary: 'TypeORM: no fast status for this project.', why, fix });
}

type GlobSync = (pattern: string, options: { cwd: string }) => string[];

/** The project's typeorm and the glob function its DirectoryExportedClassesLoader uses. */
export function projectTypeorm(root: string): { version: string; dir: string; globSync: GlobSync } {
  let dir: string;
  try {
    dir = dirname(createRequire(join(root, 'package.json')).resolve('typeorm'));
    while (!existsSync(join(dir, 'package.json')) && dirname(dir) !== dir) dir = dirname(dir);
  } catch {
    throw unsupported(`typeorm is not installed in ${root}`, 'Run `npm install` there; `metamig status` without --fast explains.');
  }
  const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { version?: string; dependencies?: Record<string, string> };
  if (!pkg.dependencies?.tinyglobby) throw unsupported(`typeorm ${pkg.version ?? '?'} does not expand migration globs with tinyglobby (TypeORM 1.x does): this path would not glob exactly like it`);
  const lib = createRequire(join(dir, 'package.json'))('tinyglobby') as { globSync?: GlobSync };
  if (typeof lib.globSync !== 'function') throw unsupported(`the tinyglobby next to typeorm ${pkg.version ?? '?'} has no globSync`);
  return { version: pkg.version ?? 'unknown', dir, globSync: lib.globSync };
}

const FORMATS = ['.js', '.mjs', '.cjs', '.ts', '.mts', '.cts'];

/** importClassesFromDirectories: each pattern globbed (normalized) from the cwd; known extensions, no .d.ts. */
export function migrationFiles(patterns: string[], cwd: string, globSync: GlobSync): string[] {
  const all = patterns.flatMap((p) => globSync(normalize(p), { cwd }));
  return all.filter((f) => FORMATS.includes(extname(f)) && f.slice(-5) !== '.d.ts').map((f) => resolve(cwd, f));
}

export interface Registered {
  name: string;
  timestamp: number;
  file: string;
}

/** MigrationExecutor.getMigrations: names with a 13-digit timestamp, no duplicates, sorted by timestamp. */
export function registeredMigrations(found: { file: string; names: string[] }[], root: string): Registered[] {
  const all = found.flatMap(({ file, names }) => names.map((name) => ({ name, timestamp: Number.parseInt(name.slice(-13), 10), file: relative(root, file).split(sep).join('/') })));
  const bad = all.find((m) => !m.timestamp || Number.isNaN(m.timestamp));
  if (bad) throw unsupported(`${bad.name} has no 13-digit timestamp at the end: TypeORM refuses it ("migration name is wrong")`, 'Run `metamig status` without --fast to see TypeORM\'s own error.');
  const names = all.map((m) => m.name);
  const dup = names.find((n, i) => names.indexOf(n) < i);
  if (dup) throw unsupported(`${dup} is registered twice: TypeORM refuses it ("Duplicate migrations")`, 'Run `metamig status` without --fast to see TypeORM\'s own error.');
  const sorted = [...all].sort((a, b) => a.timestamp - b.timestamp);
  const tie = sorted.find((m, i) => i > 0 && sorted[i - 1]!.timestamp === m.timestamp);
  if (tie) throw unsupported(`two migrations share the timestamp ${tie.timestamp}: their order depends on how the files were found`);
  return sorted;
}

const quote = (id: string) => `"${id}"`;

/** What TypeORM itself reads: hasTable (information_schema / sqlite_master), then the rows. */
export function historyQueries(engine: Engine, table: string, schema: string | undefined): { exists: { sql: string; params: string[] }; rows: string } {
  if (/["\\\0.]/.test(table) || (schema !== undefined && /["\\\0.]/.test(schema))) throw unsupported(`the table name ${JSON.stringify(schema ? `${schema}.${table}` : table)} needs quoting this path does not do`);
  const qualified = schema ? `${quote(schema)}.${quote(table)}` : quote(table);
  const rows = `SELECT "id", "timestamp", "name" FROM ${qualified} ORDER BY "id"`;
  if (engine === 'sqlite') return { exists: { sql: `SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?`, params: [table] }, rows };
  return schema
    ? { exists: { sql: 'SELECT 1 FROM information_schema.tables WHERE table_schema = $1 AND table_name = $2', params: [schema, table] }, rows }
    : { exists: { sql: 'SELECT 1 FROM information_schema.tables WHERE table_schema = current_schema() AND table_name = $1', params: [table] }, rows };
}

/** As loadExecutedMigrations reads them: parseInt of id and timestamp (bigint arrives as a string). */
export function executedRows(rows: Record<string, unknown>[]): ExecutedRow[] {
  return rows.map((r) => ({ id: Number.parseInt(String(r.id), 10), timestamp: Number.parseInt(String(r.timestamp), 10), name: String(r.name) }));
}

function canResolve(root: string, dir: string, name: string): boolean {
  for (const base of [root, dir]) {
    try {
      createRequire(join(base, 'package.json')).resolve(name);
      return true;
    } catch {
      /* next */
    }
  }
  return false;
}

export async function statusFast(project: Project, ctx: AdapterContext): Promise<MigrationState> {
  const started = performance.now();
  const rel = resolveDataSource(project, (p) => existsSync(join(project.absRoot, p)));
  if (!project.databaseUrl) throw unsupported(`the database is configured in code (${rel})`);
  if (!ctx.history) throw unsupported('no direct database reader was given (only `metamig status --fast` gives one)');
  const url = parseDatabaseUrl(project.databaseUrl, project.absRoot);
  const extra = url.engine === 'postgres' ? Object.keys(url.params).filter((k) => k !== 'sslmode' && k !== 'application_name') : [];
  if (extra.length) throw unsupported(`the database URL sets ${extra.join(', ')}, which metamig does not pass to TypeORM: the two reads could differ`);
  // The helper runs in the project folder: its cwd (and so TypeORM's glob root) is the real path.
  const root = realpathSync(project.absRoot);
  const typeorm = projectTypeorm(root);
  const file = realpathSync(join(root, rel));
  const ds = moduleOf(file, packageTypeOf(file));
  if (ds.typescript && !canResolve(root, typeorm.dir, 'ts-node')) throw unsupported(`${rel} is TypeScript and ts-node is not installed: TypeORM cannot load it`, 'Run `metamig status` without --fast to see the error.');
  const settings = readDataSource(readFileSync(file, 'utf8'), file, { cwd: root, ...ds }, url.engine);
  if (!settings.ok) throw unsupported(settings.why);
  const found = migrationFiles(settings.value.patterns, root, typeorm.globSync).map((f) => {
    const m = moduleOf(f, packageTypeOf(f));
    if (m.typescript && (!ds.typescript || m.module !== ds.module)) {
      throw unsupported(`${relative(root, f)} is ${m.module === 'esm' ? 'ES-module ' : ''}TypeScript, which the way ${rel} is loaded cannot load`, 'Run `metamig status` without --fast to see TypeORM\'s own error.');
    }
    const names = readMigrationFile(readFileSync(f, 'utf8'), f, { cwd: root, ...m });
    if (!names.ok) throw unsupported(names.why);
    return { file: f, names: names.value };
  });
  const registered = registeredMigrations(found, root);
  const db = url.engine === 'postgres' ? { url: project.databaseUrl, engine: 'postgres' as const } : { url: `sqlite://${url.file.split('/').map(encodeURIComponent).join('/')}`, engine: 'sqlite' as const };
  const q = historyQueries(db.engine, settings.value.tableName, settings.value.schema);
  const exists = (await ctx.history.query(db.url, q.exists.sql, q.exists.params)).length > 0;
  const executed = exists ? executedRows(await ctx.history.query(db.url, q.rows)) : [];
  const doc = { registered, executed, migrationsTableName: settings.value.tableName };
  const known = new Set(registered.map((r) => r.name));
  const missing = executed.filter((r) => !known.has(r.name)).map((r) => r.name);
  return buildState({
    project: project.id,
    framework: 'typeorm',
    database: project.database.description,
    migrations: migrationsFromStatus(doc, fromName),
    ...currentAndHeads(doc),
    source: { command: [], native: exists ? q.rows : `${q.exists.sql} -- no table: nothing executed`, durationMs: Math.round(performance.now() - started), via: 'history-table', toolVersion: typeorm.version },
    warnings: missing.length ? [`Executed but not registered in the data source: ${missing.join(', ')}. TypeORM cannot revert them (migration:revert fails when one of them is the last executed).`] : [],
  });
}
