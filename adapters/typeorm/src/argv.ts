// What metamig runs for TypeORM (the helper's argv and environment) and what a person would type
// for the same effect (the typeorm CLI). Pure: no process is started here.
import { fileURLToPath } from 'node:url';
import { describeDatabaseUrl, formatCommand, parseDatabaseUrl, type Direction } from '@metamig/core';

/** The one Node helper; it loads the project's own typeorm and data source. */
export const HELPER_PATH = fileURLToPath(new URL('../helpers/metamig-typeorm.cjs', import.meta.url));

/** The environment variable that carries an override connection to the helper (never argv). */
export const OVERRIDE_ENV = 'METAMIG_TYPEORM_OVERRIDE';

export type HelperRequest =
  | { op: 'status' }
  /** `names`: only these pending migrations (emulated target); all pending when omitted. */
  | { op: 'up'; names?: string[] }
  | { op: 'down'; names: string[] }
  | { op: 'plan'; direction: Direction; names: string[] };

/** ES-module TypeScript (`.mts`, or `.ts` in a `"type": "module"` package) needs ts-node's ESM loader. */
export const isEsmTypeScript = (dataSource: string, packageType: string | undefined): boolean =>
  dataSource.endsWith('.mts') || (dataSource.endsWith('.ts') && packageType === 'module');

/** What typeorm-ts-node-esm does: node --loader ts-node/esm (resolved from the project, the helper's cwd). */
export const ESM_LOADER_ARGS = ['--loader', 'ts-node/esm', '--no-warnings'];

export function helperArgs(req: HelperRequest, dataSource: string, esmTypeScript = false): string[] {
  const args = [...(esmTypeScript ? ESM_LOADER_ARGS : []), HELPER_PATH, req.op, '--data-source', dataSource];
  if (req.op === 'plan') args.push('--direction', req.direction);
  if (req.op !== 'status') for (const n of req.names ?? []) args.push('--name', n);
  return args;
}

export type TypeormOverride =
  | { engine: 'postgres'; host: string; port: number; username: string; password?: string; database: string; ssl?: boolean | { rejectUnauthorized: boolean }; applicationName?: string }
  | { engine: 'sqlite'; database: string };

/** libpq's sslmode as node-postgres' `ssl` (which TypeORM passes through); undefined = driver default. */
function sslOf(mode: string | undefined): boolean | { rejectUnauthorized: boolean } | undefined {
  if (mode === 'disable') return false;
  if (mode === 'require') return { rejectUnauthorized: false };
  if (mode === 'verify-ca' || mode === 'verify-full') return true;
  return undefined;
}

/** A metamig database URL as TypeORM connection options (postgres, or better-sqlite3 on a file). */
export function typeormOverride(url: string, baseDir: string): TypeormOverride {
  const parsed = parseDatabaseUrl(url, baseDir);
  if (parsed.engine === 'sqlite') return { engine: 'sqlite', database: parsed.file };
  const out: TypeormOverride = { engine: 'postgres', host: parsed.socketDir ?? parsed.host, port: parsed.port, username: parsed.user, database: parsed.database };
  if (parsed.password !== undefined) out.password = parsed.password;
  const ssl = sslOf(parsed.params.sslmode);
  if (ssl !== undefined) out.ssl = ssl;
  if (parsed.params.application_name) out.applicationName = parsed.params.application_name;
  return out;
}

export function overrideEnv(databaseUrl: string | undefined, baseDir: string): Record<string, string> {
  return databaseUrl ? { [OVERRIDE_ENV]: JSON.stringify(typeormOverride(databaseUrl, baseDir)) } : {};
}

// ---- the typeorm CLI equivalents (source.native) ------------------------------------------------

/** TypeScript data sources need a ts-node flavour of the CLI; compiled JS the plain one. */
export function cliFor(dataSource: string, esmTypeScript = false): string {
  if (esmTypeScript) return 'typeorm-ts-node-esm';
  return /\.[cm]?ts$/.test(dataSource) ? 'typeorm-ts-node-commonjs' : 'typeorm';
}

/** The data source as the CLI needs it: its path, and whether it is ES-module TypeScript. */
export interface DataSourceRef {
  file: string;
  esm: boolean;
}

function cli(ds: DataSourceRef, command: string, databaseUrl: string | undefined, baseDir: string): string {
  const argv = formatCommand(['npx', cliFor(ds.file, ds.esm), command, '-d', ds.file]);
  // The CLI has no connection flag: the override is something the data source would have to read.
  return databaseUrl ? `${argv}   # with the data source's connection replaced by ${describeDatabaseUrl(parseDatabaseUrl(databaseUrl, baseDir))}` : argv;
}

export const nativeStatus = (ds: DataSourceRef, url: string | undefined, baseDir: string): string => cli(ds, 'migration:show', url, baseDir);
export const nativeRun = (ds: DataSourceRef, url: string | undefined, baseDir: string): string => cli(ds, 'migration:run', url, baseDir);

/** TypeORM reverts one migration per call: N steps are N calls. */
export function nativeRevert(ds: DataSourceRef, url: string | undefined, baseDir: string, steps: number): string {
  const one = cli(ds, 'migration:revert', url, baseDir);
  if (steps <= 1) return one;
  const [command, comment] = one.split('   # ');
  return `${Array.from({ length: steps }, () => command).join(' && ')}${comment ? `   # ${comment}` : ''}`;
}

/** No CLI command runs only some pending migrations: say what migration:run would have done instead. */
export function nativeRunSelected(ds: DataSourceRef, url: string | undefined, baseDir: string, withheld: string[]): string {
  return `(none: \`${cli(ds, 'migration:run', undefined, baseDir)}\` runs every pending migration, including ${withheld.join(', ')}${url ? `; connection replaced by ${describeDatabaseUrl(parseDatabaseUrl(url, baseDir))}` : ''})`;
}
