// What metamig runs for Rails (the helper's argv and environment), which db:* tasks express core's
// selection exactly, and what a person would type for the same effect. Pure: no process starts here.
import { fileURLToPath } from 'node:url';
import {
  type Direction,
  type Migration,
  type MigrationState,
  MigratorError,
  type ParsedDatabaseUrl,
  type Target,
  formatCommand,
  formatPostgresUrl,
  isApplied,
  parseDatabaseUrl,
  redact,
} from '@metamig/core';
import type { Layout } from './detect.js';

/** helpers/ sits next to both src/ (tests) and dist/ (the build). */
export const HELPER_PATH = fileURLToPath(new URL('../helpers/metamig_rails.rb', import.meta.url));

export interface TaskCall {
  task: string;
  vars: Record<string, string>;
}

export type HelperRequest =
  | { op: 'version' }
  | { op: 'analyze'; files: string[] }
  | { op: 'status' }
  | { op: 'run'; tasks: TaskCall[] }
  | { op: 'plan'; direction: Direction; versions: string[] };

export interface HelperTarget {
  layout: Layout;
  /** The database configuration name (multi-database apps); undefined = the primary one. */
  database?: string;
}

export function helperArgs(req: HelperRequest, target: HelperTarget): string[] {
  const args = [HELPER_PATH, req.op];
  if (req.op === 'version') return args;
  if (req.op === 'analyze') return [...args, ...req.files];
  args.push('--layout', target.layout);
  if (target.database) args.push('--database', target.database);
  if (req.op === 'run') for (const t of req.tasks) args.push(t.task, ...Object.entries(t.vars).map(([k, v]) => `${k}=${v}`));
  if (req.op === 'plan') args.push('--direction', req.direction, ...req.versions);
  return args;
}

// ---- metamig config options ------------------------------------------------------------------------

export interface RailsOptions {
  /** RAILS_ENV to run with (default: RAILS_ENV / RACK_ENV of metamig's environment, else development). */
  environment?: string;
  /** The database configuration to manage in a multi-database app (default: primary). */
  database?: string;
}

export function railsOptions(options: Record<string, unknown>, projectId: string): RailsOptions {
  const out: RailsOptions = {};
  for (const key of ['environment', 'database'] as const) {
    const v = options[key];
    if (v === undefined) continue;
    if (typeof v !== 'string' || !/^[\w-]+$/.test(v)) {
      throw new MigratorError({
        code: 'CONFIG.INVALID',
        summary: `${projectId}: options.${key} must be a ${key === 'environment' ? 'Rails environment' : 'database configuration'} name (a word).`,
        fix: key === 'environment' ? 'Set it to e.g. "development" or "production", or remove it.' : 'Set it to a key of the environment in config/database.yml, e.g. "animals", or remove it to use the primary database.',
      });
    }
    out[key] = v;
  }
  return out;
}

export function railsEnvFor(opts: RailsOptions, projectEnv: Record<string, string>, processEnv: NodeJS.ProcessEnv = process.env): string {
  return opts.environment ?? projectEnv.RAILS_ENV ?? (processEnv.RAILS_ENV || processEnv.RACK_ENV || 'development');
}

// ---- the database override -------------------------------------------------------------------------

const encodePath = (p: string) => p.split('/').map(encodeURIComponent).join('/');

/**
 * The override as ActiveRecord's URL. A PostgreSQL unix-socket directory cannot be written into a URL
 * ActiveRecord 6.1 accepts (it drops `?host=` when the URL has a host, and rejects an empty host with
 * credentials), so that case goes through libpq's own PGHOST/PGPORT/PGUSER/PGPASSWORD.
 */
export function railsUrl(url: ParsedDatabaseUrl): { url: string; env: Record<string, string> } {
  if (url.engine === 'sqlite') return { url: `sqlite3:${encodePath(url.file)}`, env: {} };
  if (!url.socketDir) return { url: formatPostgresUrl(url), env: {} };
  const q = new URLSearchParams(url.params).toString();
  const env: Record<string, string> = { PGHOST: url.socketDir, PGPORT: String(url.port), PGUSER: url.user };
  if (url.password !== undefined) env.PGPASSWORD = url.password;
  return { url: `postgresql:///${encodeURIComponent(url.database)}${q ? `?${q}` : ''}`, env };
}

/** What the helper checks the resolved configuration (and, on PostgreSQL, the live connection) against. */
export function expectation(url: ParsedDatabaseUrl): Record<string, unknown> {
  return url.engine === 'sqlite'
    ? { engine: 'sqlite', file: url.file }
    : { engine: 'postgres', database: url.database, ...(url.socketDir ? {} : { host: url.host, port: url.port }) };
}

export const urlVariable = (database?: string) => `${(database ?? 'primary').toUpperCase().replace(/-/g, '_')}_DATABASE_URL`;

/**
 * ActiveRecord merges `<NAME>_DATABASE_URL` into the database configuration NAME of the current
 * RAILS_ENV, and `DATABASE_URL` into the one named "primary" (`<NAME>_…` wins). metamig sets both for
 * the primary database, only the named one otherwise.
 */
export function overrideEnv(databaseUrl: string | undefined, baseDir: string, database?: string): Record<string, string> {
  if (!databaseUrl) return {};
  const parsed = parseDatabaseUrl(databaseUrl, baseDir);
  const { url, env } = railsUrl(parsed);
  const out: Record<string, string> = { ...env, [urlVariable(database)]: url, METAMIG_RAILS_EXPECT: JSON.stringify(expectation(parsed)) };
  if (!database || database === 'primary') out.DATABASE_URL = url;
  return out;
}

// ---- core's selection as db:* tasks --------------------------------------------------------------

const big = (id: string) => BigInt(id);
const maxVersion = (ids: string[]) => ids.reduce<bigint>((m, id) => (big(id) > m ? big(id) : m), 0n);
/** Versions recorded in schema_migrations (files or not): what ActiveRecord calls current_version. */
const recordedVersions = (state: MigrationState) => state.migrations.filter((m) => isApplied(m) || m.state === 'missing-file').map((m) => m.id);

/**
 * `db:migrate` when everything pending runs; `db:migrate VERSION=<last>` when that is exactly the
 * selection (ActiveRecord migrates DOWN when VERSION is below the newest applied version, so only then
 * when <last> is above it); otherwise one `db:migrate:up VERSION=` per migration, in order.
 */
export function upTasks(state: MigrationState, steps: Migration[], target: Target): TaskCall[] {
  if (target.kind === 'latest') return [{ task: 'db:migrate', vars: {} }];
  const last = steps[steps.length - 1];
  if (!last) return [];
  const current = maxVersion(recordedVersions(state));
  const pendingUpTo = state.migrations.filter((m) => (m.state === 'pending' || m.state === 'out-of-order') && big(m.id) <= big(last.id)).map((m) => m.id);
  const same = pendingUpTo.length === steps.length && steps.every((s) => pendingUpTo.includes(s.id));
  if (big(last.id) > current && same) return [{ task: 'db:migrate', vars: { VERSION: last.id } }];
  return steps.map((s) => ({ task: 'db:migrate:up', vars: { VERSION: s.id } }));
}

/**
 * The versions `db:rollback STEP=n` would revert, as ActiveRecord 6.1 computes it: n positions down
 * the FILE list from the newest applied version (not n applied migrations), then every applied file
 * above that point. undefined when ActiveRecord would refuse (the newest applied version has no file).
 */
export function rollbackEffect(state: MigrationState, n: number): string[] | undefined {
  const files = state.migrations.filter((m) => m.state !== 'missing-file').map((m) => m.id).sort((a, b) => (big(a) < big(b) ? 1 : big(a) > big(b) ? -1 : 0));
  const current = maxVersion(recordedVersions(state));
  if (current === 0n) return [];
  const start = files.findIndex((id) => big(id) === current);
  if (start < 0) return undefined;
  const finish = files[start + n];
  const floor = finish ? big(finish) : 0n;
  const applied = new Set(state.migrations.filter(isApplied).map((m) => m.id));
  return files.filter((id) => applied.has(id) && big(id) > floor && big(id) <= current);
}

/** `db:rollback STEP=n` when it reverts exactly the selection; otherwise `db:migrate:down VERSION=` each. */
export function downTasks(state: MigrationState, steps: Migration[]): TaskCall[] {
  const effect = rollbackEffect(state, steps.length);
  const wanted = steps.map((s) => s.id);
  if (effect && effect.length === wanted.length && wanted.every((id) => effect.includes(id))) {
    return [{ task: 'db:rollback', vars: steps.length === 1 ? {} : { STEP: String(steps.length) } }];
  }
  return steps.map((s) => ({ task: 'db:migrate:down', vars: { VERSION: s.id } }));
}

// ---- what a person would type ----------------------------------------------------------------------

export interface NativeContext {
  layout: Layout;
  bundler: boolean;
  railsEnv: string;
  /** The override as ActiveRecord's URL (shown redacted), and the variable it goes in. */
  override?: { variable: string; url: string };
}

export function nativePrefix(ctx: NativeContext): string[] {
  const env: string[] = [];
  if (ctx.override || ctx.railsEnv !== 'development') env.push(`RAILS_ENV=${ctx.railsEnv}`);
  if (ctx.override) env.push(`${ctx.override.variable}=${ctx.override.url}`);
  const tool = ctx.layout === 'app' ? ['bin/rails'] : ctx.bundler ? ['bundle', 'exec', 'rake'] : ['rake'];
  return [...env, ...tool];
}

/** Multi-database apps need the namespaced task (db:migrate:primary …). */
export const namespaced = (task: string, multi: boolean, database: string) => (multi ? `${task}:${database}` : task);

export function nativeTasks(ctx: NativeContext, tasks: TaskCall[]): string {
  return tasks.map((t) => redact(formatCommand([...nativePrefix(ctx), t.task, ...Object.entries(t.vars).map(([k, v]) => `${k}=${v}`)]))).join(' && ');
}
