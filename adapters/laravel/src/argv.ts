// What metamig runs for Laravel (artisan's argv and environment) and what a person would type for the
// same effect. Pure: no process is started here.
import { isAbsolute, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { MigratorError, formatCommand, parseDatabaseUrl, quoteArg, redact, type Migration } from '@metamig/core';

/** The PHP helper, prepended to the project's own artisan (see helpers/metamig_laravel.php). */
export const HELPER_PATH = fileURLToPath(new URL('../helpers/metamig_laravel.php', import.meta.url));

/**
 * Symfony wraps its error blocks (cutting words) and termwind (Laravel >= 9.21) wraps lines at the
 * terminal width, which is 80 without a TTY. A wide "terminal" keeps messages and SQL on one line.
 */
export const WIDE_TERMINAL: Record<string, string> = { COLUMNS: '1000' };

export type PlanCommand = 'migrate' | 'migrate:rollback';
export type HelperRequest = { op: 'status' } | { op: 'plan'; command: PlanCommand; options: Record<string, unknown> };

/** artisan boots as always; the prepended helper answers at shutdown (`--version -q` prints nothing). */
export function helperArgs(): string[] {
  return ['-d', `auto_prepend_file=${HELPER_PATH}`, '-d', 'display_errors=stderr', 'artisan', '--version', '-q'];
}

export function helperEnv(req: HelperRequest, expect: Record<string, string> | undefined): Record<string, string> {
  return { METAMIG_LARAVEL_REQUEST: JSON.stringify(req), ...(expect ? { METAMIG_LARAVEL_EXPECT: JSON.stringify(expect) } : {}) };
}

export const statusArgs = (): string[] => ['artisan', 'migrate:status', '--no-ansi'];

/** Which files `migrate` runs: all pending (no --path), or exactly these, in one batch. */
export interface UpSelection {
  paths: string[];
  realpath: boolean;
}

/**
 * Laravel has no "up to X": `migrate --path=<file> …` runs exactly the given files that are pending,
 * in file-name order, in one batch. Paths are relative to the project root unless a file lives
 * outside it (a package's migrations), then all are absolute with --realpath.
 */
export function upSelection(steps: Migration[], pending: Migration[], projectRoot: string, latest: boolean): UpSelection | undefined {
  if (latest || (steps.length === pending.length && pending.every((p) => steps.some((s) => s.id === p.id)))) return undefined;
  const files = steps.map((s) => {
    if (!s.file) {
      throw new MigratorError({
        code: 'TOOL.FAILED',
        summary: `metamig does not know the file of ${s.id}, so it cannot ask artisan to run only the selected migrations.`,
        fix: 'Run `metamig up` without --steps/--to (all pending migrations), or `php artisan migrate --path=<file>` yourself.',
      });
    }
    return s.file;
  });
  const outside = files.some((f) => isAbsolute(f) || f.startsWith('../'));
  return { paths: outside ? files.map((f) => resolve(projectRoot, f)) : files, realpath: outside };
}

export function migrateArgs(selection: UpSelection | undefined, step: boolean): string[] {
  const args = ['artisan', 'migrate', '--force', '--no-ansi'];
  if (step) args.push('--step');
  if (selection) {
    args.push(...selection.paths.map((p) => `--path=${p}`));
    if (selection.realpath) args.push('--realpath');
  }
  return args;
}

/** `--step=N` takes the last N rows by (batch desc, migration desc), across batches. */
export const rollbackArgs = (n: number): string[] => ['artisan', 'migrate:rollback', `--step=${n}`, '--force', '--no-ansi'];

/** The same selection as options for the console kernel (`Artisan::call`) in the helper. */
export function planOptions(command: PlanCommand, selection: UpSelection | undefined, steps: number): Record<string, unknown> {
  if (command === 'migrate:rollback') return { '--step': steps };
  return selection ? { '--path': selection.paths, ...(selection.realpath ? { '--realpath': true } : {}) } : {};
}

/** The same options as artisan arguments (`{'--path': ['a', 'b']}` → `--path=a --path=b`). */
export function optionArgs(options: Record<string, unknown>): string[] {
  return Object.entries(options).flatMap(([k, v]) => (Array.isArray(v) ? v.map((p) => `${k}=${String(p)}`) : v === true ? [k] : [`${k}=${String(v)}`]));
}

export const pretendArgs = (command: PlanCommand, options: Record<string, unknown>): string[] => ['artisan', command, '--pretend', '--force', '--no-ansi', ...optionArgs(options)];

// ---- the database override ---------------------------------------------------------------------

const PASSWORD_SHOWN = 'DB_PASSWORD=***';

export interface Override {
  /** DB_* for the standard config/database.php; the URL variables are blanked so a .env cannot win. */
  env: Record<string, string>;
  /** What Laravel must resolve (checked by the helper, no password). */
  expect: Record<string, string>;
  /** For `native`: the variables a person would set (password masked). */
  shown: string[];
  sqliteFile?: string;
}

/**
 * A metamig URL as Laravel's own variables. Real environment variables win over .env (Dotenv's
 * repository is immutable), but .env still fills the ones left unset: every variable the standard
 * connections read is therefore set, and DATABASE_URL / DB_URL (which win over the other keys) are
 * set empty.
 */
export function overrideFor(url: string, baseDir: string, connection?: string): Override {
  const parsed = parseDatabaseUrl(url, baseDir);
  const blankUrls = { DATABASE_URL: '', DB_URL: '' };
  if (parsed.engine === 'sqlite') {
    const name = connection ?? 'sqlite';
    return {
      env: { DB_CONNECTION: name, DB_DATABASE: parsed.file, ...blankUrls },
      expect: { driver: 'sqlite', database: parsed.file },
      shown: [`DB_CONNECTION=${name}`, `DB_DATABASE=${parsed.file}`],
      sqliteFile: parsed.file,
    };
  }
  const name = connection ?? 'pgsql';
  const host = parsed.socketDir ?? parsed.host;
  const env: Record<string, string> = {
    DB_CONNECTION: name,
    DB_HOST: host,
    DB_PORT: String(parsed.port),
    DB_DATABASE: parsed.database,
    DB_USERNAME: parsed.user,
    DB_PASSWORD: parsed.password ?? '',
    ...blankUrls,
  };
  if (parsed.params.sslmode) env.DB_SSLMODE = parsed.params.sslmode;
  const shown = ['DB_CONNECTION', 'DB_HOST', 'DB_PORT', 'DB_DATABASE', 'DB_USERNAME'].map((k) => `${k}=${env[k]}`);
  if (parsed.password !== undefined) shown.push(PASSWORD_SHOWN);
  return {
    env,
    expect: { driver: 'pgsql', host, port: String(parsed.port), database: parsed.database, username: parsed.user },
    shown,
  };
}

/** `options.connection` from metamig config: the connection the override is applied to. */
export function connectionOption(options: Record<string, unknown>, projectId: string): string | undefined {
  const c = options.connection;
  if (c === undefined) return undefined;
  if (typeof c !== 'string' || !/^[\w-]+$/.test(c)) {
    throw new MigratorError({
      code: 'CONFIG.INVALID',
      summary: `${projectId}: options.connection must be the name of a connection in config/database.php.`,
      fix: 'Set it to e.g. "pgsql", or remove it (the override then uses the "pgsql" or "sqlite" connection).',
    });
  }
  return c;
}

/** `options.step: true`: apply with `migrate --step` (one batch per migration). */
export function stepOption(options: Record<string, unknown>, projectId: string): boolean {
  const s = options.step;
  if (s === undefined) return false;
  if (typeof s !== 'boolean') {
    throw new MigratorError({ code: 'CONFIG.INVALID', summary: `${projectId}: options.step must be true or false.`, fix: 'true applies every migration in its own batch (artisan migrate --step).' });
  }
  return s;
}

/** The command a person would type: `[DB_…=… ]php artisan …` (without the --no-ansi metamig adds). */
export function native(args: string[], override?: Override): string {
  const env = (override?.shown ?? []).map((v) => (v === PASSWORD_SHOWN ? v : quoteArg(v)));
  return redact([...env, formatCommand(['php', ...args.filter((a) => a !== '--no-ansi')])].join(' '));
}
