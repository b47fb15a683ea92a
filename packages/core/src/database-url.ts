// One database URL form for users (`postgresql://user:pw@host:port/db`, `sqlite:///abs/file.db`),
// translated to each tool's own form by pure functions.
import { isAbsolute, resolve } from 'node:path';
import { MigratorError } from './errors.js';
import { redact, registerUrl } from './redact.js';
import type { DatabaseEngine } from './schemas.js';

export interface PostgresUrl {
  engine: 'postgres';
  host: string;
  port: number;
  user: string;
  password?: string;
  database: string;
  /** Query parameters (sslmode …), kept as given. */
  params: Record<string, string>;
  /** A unix-socket directory given as ?host=/path. */
  socketDir?: string;
}
export interface SqliteUrl {
  engine: 'sqlite';
  /** Absolute path of the database file. */
  file: string;
}
export type ParsedDatabaseUrl = PostgresUrl | SqliteUrl;

export function engineOf(url: string): DatabaseEngine {
  const scheme = url.split(':', 1)[0]?.toLowerCase() ?? '';
  const base = scheme.split('+')[0] ?? '';
  if (base === 'postgres' || base === 'postgresql') return 'postgres';
  if (base === 'sqlite' || base === 'sqlite3' || base === 'file') return 'sqlite';
  if (base === 'mysql' || base === 'mariadb') return 'mysql';
  return 'unknown';
}

/** Parse a user-supplied URL; relative SQLite paths resolve against `baseDir`. */
export function parseDatabaseUrl(url: string, baseDir = process.cwd()): ParsedDatabaseUrl {
  registerUrl(url);
  const engine = engineOf(url);
  if (engine === 'sqlite') {
    // sqlite:///abs/path, sqlite://relative (SQLAlchemy-like), sqlite:rel, file:rel
    // `sqlite:///abs` and `sqlite:////abs` are absolute (leading slashes collapse);
    // `sqlite:rel.db` and `file:rel.db` are relative to baseDir.
    let path = url.replace(/^[a-z0-9+]+:/i, '');
    if (path.startsWith('//')) path = path.replace(/^\/+/, '/');
    path = decodeURIComponent(path.split('?')[0] ?? '');
    if (!path) throw badUrl(url, 'the SQLite URL has no file path');
    return { engine: 'sqlite', file: isAbsolute(path) ? path : resolve(baseDir, path) };
  }
  if (engine !== 'postgres') {
    throw badUrl(url, `metamig supports PostgreSQL and SQLite URLs here, not "${url.split(':', 1)[0]}"`);
  }
  let u: URL;
  try {
    u = new URL(url.replace(/^[a-z0-9+]+:/i, 'postgresql:'));
  } catch {
    throw badUrl(url, 'it is not a valid URL');
  }
  const params: Record<string, string> = {};
  u.searchParams.forEach((v, k) => (params[k] = v));
  const socketDir = params.host?.startsWith('/') ? params.host : undefined;
  if (socketDir) delete params.host;
  const out: PostgresUrl = {
    engine: 'postgres',
    host: u.hostname || '127.0.0.1',
    port: u.port ? Number(u.port) : 5432,
    user: decodeURIComponent(u.username || 'postgres'),
    database: decodeURIComponent(u.pathname.replace(/^\//, '')) || 'postgres',
    params,
  };
  if (u.password) out.password = decodeURIComponent(u.password);
  if (socketDir) out.socketDir = socketDir;
  return out;
}

function badUrl(url: string, why: string): MigratorError {
  return new MigratorError({
    code: 'USAGE.INVALID',
    summary: `Invalid database URL: ${redact(url)}`,
    why,
    fix: 'Use postgresql://user:password@host:port/database or sqlite:///absolute/path.db',
  });
}

const enc = encodeURIComponent;
const query = (p: Record<string, string>) => {
  const s = new URLSearchParams(p).toString();
  return s ? `?${s}` : '';
};

/** The canonical `postgresql://` form (also what node-postgres, Prisma and Rails accept). */
export function formatPostgresUrl(p: PostgresUrl, scheme = 'postgresql'): string {
  const auth = p.password !== undefined ? `${enc(p.user)}:${enc(p.password)}` : enc(p.user);
  const params = p.socketDir ? { ...p.params, host: p.socketDir } : p.params;
  return `${scheme}://${auth}@${p.host}:${p.port}/${enc(p.database)}${query(params)}`;
}

/** SQLAlchemy: `postgresql+psycopg://` (psycopg 3) or `+psycopg2`; `sqlite:////abs/path`. */
export function toSqlAlchemyUrl(url: ParsedDatabaseUrl, driver: 'psycopg' | 'psycopg2' = 'psycopg'): string {
  if (url.engine === 'sqlite') return `sqlite:///${url.file}`;
  return formatPostgresUrl(url, `postgresql+${driver}`);
}

/** JDBC (Flyway): credentials are passed separately. */
export function toJdbcUrl(url: ParsedDatabaseUrl): { url: string; user?: string; password?: string } {
  if (url.engine === 'sqlite') return { url: `jdbc:sqlite:${url.file}` };
  const params = { ...url.params };
  return {
    url: `jdbc:postgresql://${url.host}:${url.port}/${url.database}${query(params)}`,
    user: url.user,
    ...(url.password !== undefined ? { password: url.password } : {}),
  };
}

/** libpq-style environment (PGHOST …), understood by psql, Django fixtures, Laravel fixtures. */
export function toPgEnv(url: PostgresUrl): Record<string, string> {
  const env: Record<string, string> = {
    PGHOST: url.socketDir ?? url.host,
    PGPORT: String(url.port),
    PGUSER: url.user,
    PGDATABASE: url.database,
  };
  if (url.password !== undefined) env.PGPASSWORD = url.password;
  return env;
}

/** A redacted, human description: "postgres 127.0.0.1:5433/app" or "sqlite db.sqlite3". */
export function describeDatabaseUrl(url: ParsedDatabaseUrl): string {
  return url.engine === 'sqlite' ? `sqlite ${url.file}` : `postgres ${url.user}@${url.host}:${url.port}/${url.database}`;
}
