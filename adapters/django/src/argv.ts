// Normalized requests → Django command lines (`migrate shop 0002_product_sku`), the helper
// invocations that carry them, and the database override in Django's own settings form. Pure.
import { MigratorError, type ParsedDatabaseUrl, formatCommand } from '@metamig/core';

/** The override settings dict travels in this variable as JSON (never in argv, which `ps` shows). */
export const DATABASE_ENV = 'METAMIG_DJANGO_DATABASE';
/** `options.settings` from the metamig config: forces DJANGO_SETTINGS_MODULE. */
export const SETTINGS_ENV = 'METAMIG_DJANGO_SETTINGS';

/** A `DATABASES['default']` entry for the URL metamig was given. */
export function toDjangoDatabase(url: ParsedDatabaseUrl): Record<string, unknown> {
  if (url.engine === 'sqlite') return { ENGINE: 'django.db.backends.sqlite3', NAME: url.file };
  return {
    ENGINE: 'django.db.backends.postgresql',
    NAME: url.database,
    USER: url.user,
    PASSWORD: url.password ?? '',
    HOST: url.socketDir ?? url.host,
    PORT: String(url.port),
    OPTIONS: { ...url.params }, // sslmode … are libpq options, which Django passes through
  };
}

/** `options.settings` (a dotted module path), validated. */
export function settingsOption(options: Record<string, unknown>): string | undefined {
  const s = options.settings;
  if (s === undefined) return undefined;
  if (typeof s !== 'string' || !/^[A-Za-z_][\w]*(\.[A-Za-z_][\w]*)*$/.test(s)) {
    throw new MigratorError({
      code: 'CONFIG.INVALID',
      summary: 'options.settings of a Django project must be a dotted module path (e.g. "config.settings.production").',
      fix: 'Fix it, or remove it to let manage.py choose DJANGO_SETTINGS_MODULE.',
    });
  }
  return s;
}

export const helperStatusArgv = (helper: string): string[] => [helper, 'status'];
export const helperVersionArgv = (helper: string): string[] => [helper, 'version'];
export const helperManageArgv = (helper: string, manageArgs: string[]): string[] => [helper, 'manage', '--', ...manageArgs];
export const helperSqlmigrateArgv = (helper: string, ids: string[], backwards: boolean): string[] => [
  helper, 'sqlmigrate', ...(backwards ? ['--backwards'] : []), '--', ...ids,
];

const split = (id: string): [string, string] => {
  const dot = id.indexOf('.');
  return [id.slice(0, dot), id.slice(dot + 1)];
};

/** `migrate` (everything), `migrate <app> <name>` or `migrate <app> zero`. */
export const migrateArgs = (target?: { app: string; name: string }): string[] => (target ? ['migrate', target.app, target.name] : ['migrate']);
export const migrateToArgs = (id: string): string[] => migrateArgs({ app: split(id)[0], name: split(id)[1] });
export const sqlmigrateArgs = (id: string, backwards: boolean): string[] => ['sqlmigrate', ...(backwards ? ['--backwards'] : []), ...split(id)];

/** Django turns `--name` into part of a file name: keep it a Python identifier. */
export const mergeName = (message: string): string =>
  message.toLowerCase().replace(/\W+/g, '_').replace(/^_+|_+$/g, '').replace(/^(\d)/, 'm_$1').slice(0, 40);

export const mergeArgs = (apps: string[], message?: string): string[] => {
  const name = message ? mergeName(message) : '';
  return ['makemigrations', '--merge', '--noinput', ...(name ? ['--name', name] : []), ...apps];
};

/** What a person would type: `python manage.py migrate`, several joined with `&&`. */
export function nativeCommand(commands: string[][], settings?: string): string {
  const prefix = settings ? [`DJANGO_SETTINGS_MODULE=${settings}`] : [];
  return commands.map((c) => formatCommand([...prefix, 'python', 'manage.py', ...c])).join(' && ');
}
