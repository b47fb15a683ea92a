// `metamig status --fast` for Flyway: what `flyway info validate` answers, without Java. The
// migrations are resolved from the location folders as Flyway resolves them (resolve.ts), the schema
// history table is read through core's HistoryReader, Flyway's state logic runs on both (info.ts), and
// the resulting documents go through the same code as Flyway's own output (stateFromInfo). Anything
// that could make Flyway answer differently — a setting the port does not model, a database or a
// file it cannot read exactly — is refused with OPERATION.UNSUPPORTED, and the CLI runs Flyway.
import { readdirSync, realpathSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { type AdapterContext, type HistoryReader, type MigrationState, MigratorError, type Project, formatPostgresUrl, parseDatabaseUrl, registerUrl } from '@metamig/core';
import { type FlywaySettings, historySchema } from './config.js';
import { type FlywayProject, readProject } from './context.js';
import { type AppliedRow, ROW_TYPES, type RowType, simulateInfo } from './info.js';
import { parseJdbcUrl } from './jdbc.js';
import { resolveMigrations, versionValidity } from './resolve.js';
import { stateFromInfo } from './status.js';

const FIX = 'Run `metamig status` without --fast (Flyway itself reads it); for the database, pass --database-url or set projects[].database in the metamig config.';

export function unsupported(project: Project, why: string): MigratorError {
  return new MigratorError({ code: 'OPERATION.UNSUPPORTED', summary: `${project.id}: the fast status path cannot answer exactly for this Flyway project.`, why, fix: FIX });
}

// ---- configuration ------------------------------------------------------------------------------

/** Properties that cannot change what `info validate` shows, or whose effect the port reproduces. */
const NEUTRAL = new Set([
  'url', 'user', 'password', 'schemas', 'defaultSchema', 'table', 'tablespace', 'locations',
  'sqlMigrationPrefix', 'repeatableSqlMigrationPrefix', 'sqlMigrationSeparator', 'sqlMigrationSuffixes', 'undoSqlMigrationPrefix',
  'placeholderPrefix', 'placeholderSuffix', 'placeholderSeparator', 'placeholderReplacement',
  'outOfOrder', 'mixed', 'group', 'executeInTransaction', 'installedBy', 'validateOnMigrate', 'cleanDisabled',
  'baselineOnMigrate', 'baselineVersion', 'baselineDescription', 'connectRetries', 'connectRetriesInterval',
  'lockRetryCount', 'createSchemas', 'batch', 'stream', 'outputQueryResults', 'skipExecutingMigrations',
  'failOnMissingLocations', 'failOnMissingTarget', 'skipDefaultCallbacks', 'postgresql.transactional.lock',
  'reportEnabled', 'reportFilename', 'color', 'communityDBSupportEnabled',
]);

/** Properties allowed only at the value that leaves `info validate` as the port computes it. */
const ONLY_AT: Record<string, RegExp> = {
  encoding: /^utf-?8$/i,
  detectEncoding: /^false$/i,
  validateMigrationNaming: /^false$/i,
  skipDefaultResolvers: /^false$/i,
  ignoreMigrationPatterns: /^\s*\*:future\s*$/i,
  target: /^latest$/i,
  nativeConnectors: /^false$/i,
  driver: /^(org\.postgresql\.Driver|org\.sqlite\.JDBC)$/,
};

/** Why the Flyway configuration (files and FLYWAY_* variables) may make Flyway answer differently, or undefined. */
export function configProblem(s: FlywaySettings): string | undefined {
  for (const [key, { value, from }] of Object.entries(s.configured)) {
    // TOML resolvers: metamig evaluates them (${env.X}) only in url, user, password and schemas.
    if (s.format === 'toml' && !key.startsWith('placeholders.') && !['url', 'user', 'password', 'schemas'].includes(key) && /\$\{[^}.]+\.[^}]+\}|!\{/.test(value)) {
      return `\`${key}\` (${from}) uses a resolver (${value}) that only Flyway evaluates there`;
    }
    const envLevel = /^environments\.[^.]+\.(connectRetries|connectRetriesInterval)$/.test(key);
    if (NEUTRAL.has(key) || key.startsWith('placeholders.') || envLevel) continue;
    const only = ONLY_AT[key];
    if (only?.test(value)) continue;
    return `\`${key}\` is set (${from}${only ? `: ${value}` : ''}): the fast path does not reproduce what it changes in \`flyway info validate\``;
  }
  const unresolved = Object.keys(s.unresolved).filter((k) => ['url', 'user', 'password', 'schemas'].includes(k));
  if (unresolved.length) return `the Flyway config's ${unresolved.join(', ')} ${unresolved.length === 1 ? 'uses' : 'use'} a resolver only Flyway evaluates (${unresolved.map((k) => s.unresolved[k]).join(', ')})`;
  return undefined;
}

/** What the JVM sees but this process does not (or the reverse), where it matters for the answer. */
export function environmentProblem(projectEnv: Record<string, string>, env: NodeJS.ProcessEnv): string | undefined {
  if (projectEnv.TZ !== undefined && projectEnv.TZ !== env.TZ) return `the metamig config sets TZ=${projectEnv.TZ} for Flyway only: its timestamps would be read in another time zone`;
  const jvm = { ...env, ...projectEnv };
  for (const k of ['JAVA_TOOL_OPTIONS', 'JDK_JAVA_OPTIONS', '_JAVA_OPTIONS', 'JAVA_OPTS']) {
    if (/user\.timezone/.test(jvm[k] ?? '')) return `${k} sets user.timezone for Flyway's JVM`;
  }
  return undefined;
}

/** The Flyway this port reproduces. */
export const PORTED_VERSION = '12.4.0';

/** The version of the Flyway behind this launcher, from its flyway-core jar (lib/ or lib/flyway/ of the install), if found. */
export function installedFlywayVersion(launcher: string): string | undefined {
  let dir: string;
  try {
    dir = dirname(realpathSync(launcher));
  } catch {
    return undefined;
  }
  for (const lib of [join(dir, 'lib', 'flyway'), join(dir, 'lib')]) {
    let names: string[] = [];
    try {
      names = readdirSync(lib);
    } catch {
      continue;
    }
    const jar = names.map((n) => /^flyway-core-(.+)\.jar$/.exec(n)?.[1]).find((v) => v !== undefined);
    if (jar) return jar;
  }
  return undefined;
}

// ---- the database -------------------------------------------------------------------------------

export interface ReaderTarget {
  engine: 'postgres' | 'sqlite';
  /** For ctx.history (never shown: it may hold a password). */
  url: string;
  /** The schema Flyway keeps its history in, when configured (else the connection's current one). */
  schema?: string;
}

const sqliteReaderUrl = (file: string) => `sqlite://${file.split('/').map(encodeURIComponent).join('/')}`;

/** The database Flyway connects to, as a URL the HistoryReader (in this process, with `env`) opens the same way; or why not. */
export function readerTarget(fp: FlywayProject, env: NodeJS.ProcessEnv): ReaderTarget | string {
  const s = fp.settings;
  const schema = historySchema(s);
  if (fp.project.databaseUrl) {
    const parsed = parseDatabaseUrl(fp.project.databaseUrl, fp.root);
    if (parsed.engine === 'sqlite') return sqliteTarget(parsed.file, schema);
    const extra = Object.keys(parsed.params).filter((k) => k !== 'sslmode');
    if (extra.length) return `the database URL has parameters the JDBC driver reads differently (${extra.join(', ')})`;
    if (parsed.socketDir) return 'the database URL names a unix socket, which the JDBC URL metamig gives Flyway does not carry';
    if (env.PGOPTIONS) return 'PGOPTIONS is set: it changes the session this process reads with, not Flyway\'s';
    return { engine: 'postgres', url: formatPostgresUrl(parsed), ...(schema ? { schema } : {}) };
  }
  if (!s.url) return `no database URL: none in ${fp.project.configFile} (nor FLYWAY_URL), and none given to metamig`;
  const jdbc = parseJdbcUrl(s.url, fp.root);
  if (!jdbc) return `the Flyway url is not a JDBC URL metamig reads (${s.urlSource ?? fp.project.configFile})`;
  if (jdbc.engine === 'sqlite') {
    if (jdbc.memory) return 'the Flyway url is an in-memory SQLite database (a new, empty one for every Flyway run)';
    return sqliteTarget(jdbc.file, schema);
  }
  if (jdbc.engine !== 'postgres') return `the Flyway url is a ${jdbc.engine} database: only PostgreSQL and SQLite are read directly`;
  const extra = Object.keys(jdbc.params).filter((k) => !['user', 'password', 'sslmode'].includes(k));
  if (extra.length) return `the Flyway url has JDBC parameters the fast path does not reproduce (${extra.join(', ')})`;
  if (s.user !== undefined && jdbc.params.user !== undefined && s.user !== jdbc.params.user) return 'the Flyway config names two different users (user and the url\'s user parameter)';
  const user = s.user ?? jdbc.params.user;
  if (!user) return 'the Flyway config names no database user (the JDBC driver would choose one itself)';
  if (!jdbc.database) return 'the Flyway url names no database';
  if (env.PGOPTIONS) return 'PGOPTIONS is set: it changes the session this process reads with, not Flyway\'s';
  const password = s.password ?? jdbc.params.password;
  const url = formatPostgresUrl({ engine: 'postgres', host: jdbc.host.replace(/^\[(.*)\]$/, '$1'), port: jdbc.port, user, database: jdbc.database, params: jdbc.params.sslmode ? { sslmode: jdbc.params.sslmode } : {}, ...(password ? { password } : {}) });
  registerUrl(url);
  return { engine: 'postgres', url, ...(schema ? { schema } : {}) };
}

function sqliteTarget(file: string, schema: string | undefined): ReaderTarget | string {
  if (schema !== undefined && schema !== 'main') return `schemas/defaultSchema is ${schema} on SQLite (Flyway would look for an attached database)`;
  return { engine: 'sqlite', url: sqliteReaderUrl(file) };
}

const qi = (name: string) => `"${name.replace(/"/g, '""')}"`;

/** The reads Flyway itself does: does the table exist (in the configured or current schema), then every row by installed_rank. */
export function historyQueries(engine: 'postgres' | 'sqlite', table: string, schema: string | undefined) {
  if (engine === 'sqlite') {
    return {
      exists: { sql: `SELECT 1 AS present FROM "main".sqlite_master WHERE type = 'table' AND tbl_name = ?`, params: [table] },
      rows: (_schema: string) =>
        `SELECT installed_rank, version, description, type, script, checksum, installed_on, typeof(installed_on) AS installed_on_type, success FROM "main".${qi(table)} ORDER BY installed_rank`,
    };
  }
  return {
    exists: {
      sql:
        'SELECT current_schema() AS current_schema, EXISTS (SELECT 1 FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace ' +
        "WHERE n.nspname = COALESCE($1::text, current_schema()) AND c.relname = $2 AND c.relkind = 'r') AS present",
      params: [schema ?? null, table],
    },
    // The timestamp as written (no driver conversion), read below the way the JDBC driver reads it.
    rows: (s: string) =>
      `SELECT installed_rank, version, description, type, script, checksum, to_char(installed_on, 'YYYY-MM-DD HH24:MI:SS.US') AS installed_on, ` +
      `pg_typeof(installed_on)::text AS installed_on_type, success FROM ${qi(s)}.${qi(table)} ORDER BY installed_rank`,
  };
}

// ---- rows ---------------------------------------------------------------------------------------

/** Instant.toString(): seconds, then the fraction in groups of three digits, only as long as needed. */
export function instantText(epochMs: number, subMilliNanos = 0): string {
  const base = new Date(epochMs).toISOString().slice(0, 19);
  const nanos = (((epochMs % 1000) + 1000) % 1000) * 1_000_000 + subMilliNanos;
  if (nanos === 0) return `${base}Z`;
  const digits = String(nanos).padStart(9, '0');
  return `${base}.${nanos % 1_000_000 === 0 ? digits.slice(0, 3) : nanos % 1000 === 0 ? digits.slice(0, 6) : digits}Z`;
}

/**
 * A timestamp without time zone, read as the JDBC drivers read it (java.sql.Timestamp in the JVM's
 * default zone, which is this process's zone), as `installedOnUTC` prints it. undefined when it is
 * not in the expected form, or so close to a daylight-saving change that Java and JavaScript could
 * resolve the local time differently.
 */
export function localTimestamp(text: string, fractionDigits: 3 | 6): string | undefined {
  const m = new RegExp(`^([1-9]\\d{3})-(\\d\\d)-(\\d\\d) (\\d\\d):(\\d\\d):(\\d\\d)\\.(\\d{${fractionDigits}})$`).exec(text);
  if (!m) return undefined;
  const [y, mo, d, h, mi, s] = m.slice(1, 7).map(Number) as [number, number, number, number, number, number];
  const fraction = m[7]!.padEnd(9, '0');
  const ms = Number(fraction.slice(0, 3));
  const local = new Date(y, mo - 1, d, h, mi, s, ms);
  if (local.getFullYear() !== y || local.getMonth() !== mo - 1 || local.getDate() !== d) return undefined;
  const t = local.getTime();
  const offset = local.getTimezoneOffset();
  if (new Date(t - 3 * 3_600_000).getTimezoneOffset() !== offset || new Date(t + 3 * 3_600_000).getTimezoneOffset() !== offset) return undefined;
  return instantText(t, Number(fraction.slice(3)));
}

/** Rows as JdbcTableSchemaHistory reads them; a string when Flyway would fail on one, or read it in a way not reproduced here. */
export function appliedRows(rows: Record<string, unknown>[], engine: 'postgres' | 'sqlite'): AppliedRow[] | string {
  const out: AppliedRow[] = [];
  for (const r of rows) {
    const rank = r.installed_rank;
    const where = `schema history row ${String(rank)}`;
    if (typeof rank !== 'number' || !Number.isInteger(rank)) return `a schema history row has installed_rank ${String(rank)}`;
    const version = r.version;
    if (version !== null && (typeof version !== 'string' || versionValidity(version) !== 'ok')) return `${where} has the version ${JSON.stringify(version)}, which Flyway rejects or reads in a way not reproduced here`;
    const type = r.type;
    if (typeof type !== 'string' || !ROW_TYPES.includes(type as RowType)) return `${where} has the type ${String(type)} (only ${ROW_TYPES.join(', ')} rows are read directly; Flyway Community fails on undo rows)`;
    if (typeof r.description !== 'string' || typeof r.script !== 'string') return `${where} has no description or script`;
    const checksum = r.checksum;
    if (checksum !== null && (typeof checksum !== 'number' || !Number.isInteger(checksum) || checksum !== (checksum | 0))) return `${where} has the checksum ${String(checksum)}`;
    const success = engine === 'postgres' ? r.success : typeof r.success === 'number' ? r.success !== 0 : r.success;
    if (typeof success !== 'boolean') return `${where} has success = ${String(r.success)}`;
    let installedOn = '';
    if (r.installed_on !== null) {
      const expected = engine === 'postgres' ? 'timestamp without time zone' : 'text';
      const read = r.installed_on_type === expected && typeof r.installed_on === 'string' ? localTimestamp(r.installed_on, engine === 'postgres' ? 6 : 3) : undefined;
      if (read === undefined) return `${where}: installed_on (${String(r.installed_on_type)} ${String(r.installed_on)}) is not read exactly here (an unusual type or form, or within hours of a daylight-saving change)`;
      installedOn = read;
    }
    out.push({ installedRank: rank, version: version === null ? null : version.replace(/_/g, '.'), description: r.description, type: type as RowType, script: r.script, checksum, installedOn, success });
  }
  return out;
}

async function readHistory(history: HistoryReader, target: ReaderTarget, table: string): Promise<{ rows: Record<string, unknown>[]; native: string } | string> {
  const q = historyQueries(target.engine, table, target.schema);
  const [head] = await history.query<{ present: unknown; current_schema?: unknown }>(target.url, q.exists.sql, q.exists.params);
  const schema = target.engine === 'sqlite' ? 'main' : (target.schema ?? (typeof head?.current_schema === 'string' ? head.current_schema : undefined));
  if (schema === undefined) return 'the connection has no current schema (an empty search_path): Flyway fails';
  const present = target.engine === 'sqlite' ? head !== undefined : head?.present === true;
  if (!present) return { rows: [], native: `${q.exists.sql} -- no ${table} table: nothing applied` };
  const sql = q.rows(schema);
  return { rows: await history.query(target.url, sql), native: sql };
}

// ---- the fast path ------------------------------------------------------------------------------

export async function statusFast(project: Project, ctx: AdapterContext): Promise<MigrationState> {
  const started = performance.now();
  if (!ctx.history) throw unsupported(project, 'no direct database reader was given (only `metamig status --fast` gives one)');
  // The port is of one Flyway version: another one installed could answer differently. Without any
  // (the full path cannot run), the answer is the supported version's.
  const launcher = ctx.toolchains.find(ctx.toolchains.flyway());
  const version = launcher ? installedFlywayVersion(launcher) : PORTED_VERSION;
  if (version !== PORTED_VERSION) throw unsupported(project, `${launcher} is ${version ? `Flyway ${version}` : 'a Flyway whose version metamig cannot tell without running it'}; the fast path reproduces Flyway ${PORTED_VERSION}`);
  const fp = readProject(project, launcher);
  const refusal = configProblem(fp.settings) ?? environmentProblem(project.env, process.env);
  if (refusal) throw unsupported(project, refusal);
  if (/["']/.test(fp.settings.table)) throw unsupported(project, `the table name ${fp.settings.table} needs quoting this path does not do`);
  const target = readerTarget(fp, process.env);
  if (typeof target === 'string') throw unsupported(project, target);
  const resolved = resolveMigrations({ settings: fp.settings, locations: fp.locations.dirs, workingDirectory: realpathSync(fp.root) });
  if (typeof resolved === 'string') throw unsupported(project, resolved);
  const read = await readHistory(ctx.history, target, fp.settings.table);
  if (typeof read === 'string') throw unsupported(project, read);
  const rows = appliedRows(read.rows, target.engine);
  if (typeof rows === 'string') throw unsupported(project, rows);
  const docs = simulateInfo(resolved, rows, { outOfOrder: fp.outOfOrder });
  if (typeof docs === 'string') throw unsupported(project, docs);
  return stateFromInfo(fp, docs.info, docs.validate, { source: { command: [], native: read.native, via: 'history-table' }, started });
}
