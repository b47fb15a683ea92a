// What metamig runs for Knex (the helper's argv and environment) and what a person would type for the
// same effect (the knex CLI). Pure: no process is started here.
import { fileURLToPath } from 'node:url';
import { MigratorError, formatCommand, formatPostgresUrl, parseDatabaseUrl, redact, type Direction } from '@metamig/core';

/** The one Node helper; it loads the project's own knex. */
export const HELPER_PATH = fileURLToPath(new URL('../helpers/metamig-knex.cjs', import.meta.url));

/** The environment variable that carries an override connection to the helper (never argv). */
export const OVERRIDE_ENV = 'METAMIG_KNEX_OVERRIDE';

export type HelperRequest =
  | { op: 'status' }
  | { op: 'up'; to?: string }
  | { op: 'down'; names: string[] }
  | { op: 'plan'; direction: Direction; names: string[] };

export interface HelperTarget {
  /** Knexfile name, relative to the project root (the helper's cwd). */
  knexfile: string;
  environment?: string;
}

export function helperArgs(req: HelperRequest, target: HelperTarget): string[] {
  const args = [HELPER_PATH, req.op, '--knexfile', target.knexfile];
  if (target.environment) args.push('--env', target.environment);
  if (req.op === 'up' && req.to) args.push('--to', req.to);
  if (req.op === 'down') for (const n of req.names) args.push('--name', n);
  if (req.op === 'plan') {
    args.push('--direction', req.direction);
    for (const n of req.names) args.push('--name', n);
  }
  return args;
}

/** `options.environment` from metamig config, checked (the helper falls back to NODE_ENV, then development). */
export function environmentOption(options: Record<string, unknown>, projectId: string): string | undefined {
  const env = options.environment;
  if (env === undefined) return undefined;
  if (typeof env !== 'string' || !env) {
    throw new MigratorError({
      code: 'CONFIG.INVALID',
      summary: `${projectId}: options.environment must be a knexfile environment name (a string).`,
      fix: 'Set it to a key of the knexfile, e.g. "production", or remove it to use NODE_ENV / development.',
    });
  }
  return env;
}

export type KnexOverride = { engine: 'postgres'; connectionString: string } | { engine: 'sqlite'; filename: string };

/** A metamig database URL as the connection the helper gives knex (client pg, or a SQLite driver). */
export function knexOverride(url: string, baseDir: string): KnexOverride {
  const parsed = parseDatabaseUrl(url, baseDir);
  return parsed.engine === 'postgres' ? { engine: 'postgres', connectionString: formatPostgresUrl(parsed) } : { engine: 'sqlite', filename: parsed.file };
}

export function overrideEnv(override: KnexOverride | undefined): Record<string, string> {
  return override ? { [OVERRIDE_ENV]: JSON.stringify(override) } : {};
}

// ---- the knex CLI equivalents (source.native) --------------------------------------------------

function cliPrefix(target: HelperTarget, override?: KnexOverride): string[] {
  // The CLI finds knexfile.{js,mjs,ts} by itself, but not .cjs.
  const argv = ['npx', 'knex'];
  if (target.knexfile.endsWith('.cjs') || target.knexfile.includes('/')) argv.push('--knexfile', target.knexfile);
  if (target.environment) argv.push('--env', target.environment);
  if (override?.engine === 'postgres') argv.push('--client', 'pg', '--connection', override.connectionString);
  if (override?.engine === 'sqlite') argv.push('--client', 'better-sqlite3', '--connection', override.filename);
  return argv;
}

const cli = (target: HelperTarget, override: KnexOverride | undefined, ...rest: string[]) =>
  redact(formatCommand([...cliPrefix(target, override), ...rest]));

export function nativeStatus(target: HelperTarget, override?: KnexOverride): string {
  return cli(target, override, 'migrate:list');
}

/** `method` is what the helper really used: latest, to (knex >= 3.3.0) or up-each (older knex). */
export function nativeUp(target: HelperTarget, override: KnexOverride | undefined, method: string, names: string[]): string {
  if (method === 'latest') return cli(target, override, 'migrate:latest');
  if (method === 'to') return cli(target, override, 'migrate:to', names[names.length - 1] ?? '');
  return names.map((n) => cli(target, override, 'migrate:up', n)).join(' && ');
}

/** One `migrate:down <name>` per step: plain `migrate:down` undoes the last by FILE name, not apply order. */
export function nativeDown(target: HelperTarget, override: KnexOverride | undefined, names: string[]): string {
  return names.map((n) => cli(target, override, 'migrate:down', n)).join(' && ');
}
