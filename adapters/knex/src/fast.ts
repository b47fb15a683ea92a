// `status --fast` for Knex: the migrations directory listed the way knex's FsMigrations lists it, and
// knex_migrations read directly through ctx.history — no node process, no knex. The knexfile is
// code: its migrations settings are read statically (knexfile.ts) or the fast path refuses, and the
// database must be given (--database-url / metamig config), since the knexfile's connection is code.
import { readFileSync, readdirSync, realpathSync } from 'node:fs';
import { extname, join, resolve } from 'node:path';
import { type AdapterContext, type MigrationState, type Project, MigratorError, buildState, parseDatabaseUrl } from '@metamig/core';
import { environmentOption } from './argv.js';
import { type MigrationsSettings, knexfileModule, knexfileOf, packageTypeOf, readKnexfile } from './knexfile.js';
import { type CompletedRow, type FileInfo, currentAndHeads, fromFileName, migrationsFromStatus } from './parse.js';

const FIX = 'Pass --database-url (or set projects[].database in the metamig config), and keep the knexfile\'s migrations block plain data; `metamig status` without --fast asks knex itself.';

export function unsupported(why: string, fix = FIX): MigratorError {
  return new MigratorError({ code: 'OPERATION.UNSUPPORTED', summary: 'Knex: no fast status for this project.', why, fix });
}

/**
 * knex's FsMigrations.getMigrations: every directory's entries (readdir, no stat), sorted by file name
 * across directories (stable), or per directory with sortDirsSeparately; then kept by extension.
 */
export function listMigrationFiles(settings: MigrationsSettings, cwd: string, readdir: (dir: string) => string[] = (d) => readdirSync(d)): FileInfo[] {
  const perDir = settings.directories.map((directory) => {
    let names: string[];
    try {
      names = readdir(resolve(cwd, directory));
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      throw unsupported(`the migrations directory ${directory} cannot be read (${code ?? String(e)}): knex fails there too`, 'Run `metamig status` without --fast to see knex\'s own error.');
    }
    return (settings.sortDirsSeparately ? [...names].sort() : names).map((file) => ({ file, directory }));
  });
  const all = perDir.flat();
  const ordered = settings.sortDirsSeparately ? all : [...all].sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : 0));
  return ordered.filter((m) => settings.loadExtensions.includes(extname(m.file))).map((m) => ({ name: m.file, path: join(m.directory, m.file) }));
}

const quote = (id: string) => `"${id}"`;

/** The two reads knex itself does: hasTable (information_schema / sqlite_master), then the rows by id. */
export function historyQueries(engine: 'postgres' | 'sqlite', table: string, schema: string | undefined): { exists: { sql: string; params: string[] }; rows: string } {
  if (/["\\\0]/.test(table) || (schema !== undefined && /["\\\0]/.test(schema))) throw unsupported(`the table name ${JSON.stringify(schema ? `${schema}.${table}` : table)} needs quoting this path does not do`);
  const qualified = schema ? `${quote(schema)}.${quote(table)}` : quote(table);
  const rows = `SELECT id, name, batch, migration_time FROM ${qualified} ORDER BY id`;
  if (engine === 'sqlite') return { exists: { sql: `SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?`, params: [table] }, rows };
  return schema
    ? { exists: { sql: 'SELECT 1 FROM information_schema.tables WHERE table_name = $1 AND table_schema = $2', params: [table, schema] }, rows }
    : { exists: { sql: 'SELECT 1 FROM information_schema.tables WHERE table_name = $1 AND table_schema = current_schema()', params: [table] }, rows };
}

/** Rows as the helper reports them (ids and batches as numbers; migration_time as the driver gives it). */
export function completedRows(rows: Record<string, unknown>[]): CompletedRow[] {
  return rows.map((r) => ({
    id: Number(r.id),
    name: String(r.name),
    batch: r.batch === null || r.batch === undefined ? null : Number(r.batch),
    migration_time: r.migration_time,
  }));
}

/** The helper's environment: options.environment, else NODE_ENV as the helper process sees it, else development. */
export function environmentOf(project: Project): string {
  const nodeEnv = 'NODE_ENV' in project.env ? project.env.NODE_ENV : process.env.NODE_ENV;
  return environmentOption(project.options, project.id) || nodeEnv || 'development';
}

/** SQLite files: an absolute URL, so the reader opens the file the tool would (relative to the project). */
function readerUrl(url: string, root: string): { url: string; engine: 'postgres' | 'sqlite' } {
  const parsed = parseDatabaseUrl(url, root);
  if (parsed.engine === 'postgres') return { url, engine: 'postgres' };
  return { url: `sqlite://${parsed.file.split('/').map(encodeURIComponent).join('/')}`, engine: 'sqlite' };
}

export async function statusFast(project: Project, ctx: AdapterContext): Promise<MigrationState> {
  const started = performance.now();
  const knexfile = knexfileOf(project);
  if (!project.databaseUrl) throw unsupported(`the database is configured in code (${knexfile})`);
  if (!ctx.history) throw unsupported('no direct database reader was given (only `metamig status --fast` gives one)');
  const file = realpathSync(join(project.absRoot, knexfile));
  const module = knexfileModule(file, packageTypeOf(file));
  if (!module) throw unsupported(`${knexfile} is TypeScript in an ES-module package: how knex loads it depends on the loader`);
  const reading = readKnexfile(readFileSync(file, 'utf8'), file, { cwd: project.absRoot, module, environment: environmentOf(project) });
  if (!reading.ok) throw unsupported(reading.why);
  const { settings } = reading;
  const files = listMigrationFiles(settings, project.absRoot);
  const db = readerUrl(project.databaseUrl, project.absRoot);
  if (db.engine === 'sqlite' && settings.schemaName) throw unsupported(`migrations.schemaName (${settings.schemaName}) on SQLite`);
  const q = historyQueries(db.engine, settings.tableName, settings.schemaName);
  const exists = (await ctx.history.query(db.url, q.exists.sql, q.exists.params)).length > 0;
  const completed = exists ? completedRows(await ctx.history.query(db.url, q.rows)) : [];
  const doc = { files, completed, tableName: settings.tableName };
  const known = new Set(files.map((f) => f.name));
  const missing = completed.filter((r) => !known.has(r.name)).map((r) => r.name);
  return buildState({
    project: project.id,
    framework: 'knex',
    database: project.database.description,
    migrations: migrationsFromStatus(doc, fromFileName),
    ...currentAndHeads(doc),
    source: { command: [], native: exists ? q.rows : `${q.exists.sql} -- no table: nothing applied`, durationMs: Math.round(performance.now() - started), via: 'history-table' },
    // What knex's validateMigrationList says (the full path reports it from knex itself).
    warnings: missing.length ? [`knex refuses to list or run migrations: The migration directory is corrupt, the following files are missing: ${missing.join(', ')}`] : [],
  });
}
