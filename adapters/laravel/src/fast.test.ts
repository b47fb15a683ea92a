import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { fixturesDir, makeContext, projectIn } from '@metamig/testkit';
import { createHistoryReader } from '@metamig/sandbox';
import { historyQueries, migrationFiles, tableLocation } from './fast.js';
import { adapter } from './index.js';
import { lookup, parsePhpReturn } from './php-config.js';
import { extraMigrationPathsProblem } from './providers.js';

const temps: string[] = [];
afterAll(() => temps.forEach((d) => rmSync(d, { recursive: true, force: true })));
function tree(files: Record<string, string>, from?: string): string {
  const root = mkdtempSync(join(tmpdir(), 'metamig-laravel-fast-'));
  temps.push(root);
  if (from) cpSync(from, root, { recursive: true });
  for (const [rel, text] of Object.entries(files)) {
    mkdirSync(dirname(join(root, rel)), { recursive: true });
    writeFileSync(join(root, rel), text);
  }
  return root;
}

const basicConfig = readFileSync(join(fixturesDir, 'laravel/basic/config/database.php'), 'utf8');
const PG = { driver: 'pgsql', host: '127.0.0.1', port: '5432', database: 'app', username: 'postgres' };
const SQLITE = { driver: 'sqlite', database: '/tmp/app.sqlite' };

describe('reading PHP config files without running them', () => {
  it('understands literals, env() with defaults, nested arrays and array()', () => {
    const v = parsePhpReturn(`<?php\n// c\nuse X\\Y;\n# hash\nreturn array(\n  'a' => env("A_B", 'x'), /* c */ 'n' => -5, 'b' => [true, null, 'k' => 'it\\'s'],\n  'c' => database_path('x') . '/y', "d" => "tab\\t", 'e' => "$interp",\n);\n`);
    expect(lookup(v, ['a'])).toEqual({ kind: 'env', name: 'A_B', default: { kind: 'string', value: 'x' } });
    expect(lookup(v, ['n'])).toEqual({ kind: 'number', value: -5 });
    expect(lookup(v, ['b', 'k'])).toEqual({ kind: 'string', value: "it's" });
    expect(lookup(v, ['b'])).toMatchObject({ kind: 'array', entries: [{ value: { kind: 'bool', value: true } }, { value: { kind: 'null' } }, { key: { value: 'k' } }] });
    expect(lookup(v, ['c'])).toEqual({ kind: 'code', text: "database_path('x') . '/y'" });
    expect(lookup(v, ['d'])).toEqual({ kind: 'string', value: 'tab\t' });
    expect(lookup(v, ['e'])).toEqual({ kind: 'code', text: '"$interp"' });
    expect(lookup(v, ['missing'])).toBeUndefined();
    expect(lookup(v, ['a', 'deeper'])).toMatchObject({ kind: 'code' });
  });

  it("finds the migrations table of the fixture's connections", () => {
    expect(tableLocation(basicConfig, 'pgsql', PG)).toEqual({ table: 'migrations', schema: 'public' });
    expect(tableLocation(basicConfig, 'sqlite', SQLITE)).toEqual({ table: 'migrations' });
  });

  it('applies the prefix, the table name (string, or Laravel 11 array) and the search path', () => {
    const config = basicConfig.replace(/'prefix' => ''/g, "'prefix' => 'app_'").replace("'schema' => 'public'", "'search_path' => 'tenant'");
    expect(tableLocation(config, 'pgsql', PG)).toEqual({ table: 'app_migrations', schema: 'tenant' });
    const l11 = config.replace("'migrations' => 'migrations'", "'migrations' => ['table' => 'history', 'update_date_on_publish' => true]");
    expect(tableLocation(l11, 'sqlite', SQLITE, 11)).toEqual({ table: 'app_history' });
    expect(tableLocation(l11, 'sqlite', SQLITE, 8)).toBe("'migrations' is an array, which only Laravel 11+ reads, and the application's Laravel version is 8");
    expect(tableLocation(basicConfig.replace("'migrations' => 'migrations',", ''), 'sqlite', SQLITE)).toEqual({ table: 'migrations' });
  });

  it('refuses what only running the app would tell', () => {
    expect(tableLocation(basicConfig.replace("'migrations' => 'migrations'", "'migrations' => env('MIGRATIONS_TABLE', 'migrations')"), 'sqlite', SQLITE)).toBe("the migrations table name is env('MIGRATIONS_TABLE'), not a literal");
    expect(tableLocation(basicConfig.replace(/'prefix' => ''/g, "'prefix' => env('DB_PREFIX', '')"), 'sqlite', SQLITE)).toBe(`connection "sqlite" has a computed table prefix (env('DB_PREFIX'))`);
    expect(tableLocation(basicConfig.replace("'schema' => 'public'", "'schema' => ['a', 'b']"), 'pgsql', PG)).toMatch(/sets the schema search path to an array/);
    expect(tableLocation(basicConfig.replace("env('DB_CONNECTION', 'sqlite')", "'sqlite'"), 'pgsql', PG)).toBe("its default connection is \"sqlite\", not env('DB_CONNECTION'): the override (DB_CONNECTION=pgsql) would not reach it");
    expect(tableLocation(basicConfig, 'reporting', PG)).toBe('config/database.php has no connection "reporting" written as an array');
    expect(tableLocation(basicConfig.replace("'host' => env('DB_HOST', '127.0.0.1')", "'host' => 'db.internal'"), 'pgsql', PG)).toBe('connection "pgsql" takes its host from "db.internal", not DB_HOST: Laravel would not use the database given');
    expect(tableLocation(basicConfig.replace(/'url' => env\('DATABASE_URL'\)/g, "'url' => 'pgsql://x@y/z'"), 'pgsql', PG)).toBe('connection "pgsql" sets its url to "pgsql://x@y/z", which would win over the DB_* variables');
  });

  it('lists database/migrations as getMigrationFiles() does', () => {
    const root = tree({
      'database/migrations/2024_01_02_000000_b.php': '',
      'database/migrations/2024_01_01_000000_a.php': '',
      'database/migrations/.2024_01_03_000000_hidden.php': '',
      'database/migrations/README.md': '',
      'database/migrations/nounderscore.php': '',
      'database/migrations/2024_01_01_000000_Z.php': '',
    });
    expect(migrationFiles(root)).toEqual([
      { name: '2024_01_01_000000_Z', path: 'database/migrations/2024_01_01_000000_Z.php' },
      { name: '2024_01_01_000000_a', path: 'database/migrations/2024_01_01_000000_a.php' },
      { name: '2024_01_02_000000_b', path: 'database/migrations/2024_01_02_000000_b.php' },
    ]);
    expect(migrationFiles(tree({ 'database/migrations/a_b.php': '', 'database/migrations/a_b.php.php': '' }))).toBe('a_b.php and a_b.php.php have the same migration name a_b');
  });

  it('builds the queries Laravel 8 runs', () => {
    expect(historyQueries('postgres', { table: 'migrations' })).toEqual({
      exists: "SELECT 1 AS present FROM information_schema.tables WHERE table_schema = $1 AND table_name = $2 AND table_type = 'BASE TABLE'",
      existsParams: ['public', 'migrations'],
      rows: 'SELECT migration, batch FROM "migrations" ORDER BY batch ASC, migration ASC',
    });
    expect(historyQueries('sqlite', { table: 'app_migrations' }).rows).toBe('SELECT migration, batch FROM "app_migrations" ORDER BY batch ASC, migration ASC');
  });
});

describe('migrations outside database/migrations (service providers)', () => {
  const provider = (ns: string, cls: string, body: string, parent = 'ServiceProvider', uses = 'use Illuminate\\Support\\ServiceProvider;') =>
    `<?php\n\nnamespace ${ns};\n\n${uses}\n\nclass ${cls} extends ${parent}\n{\n${body}\n}\n`;
  const app = (providers: string) => `<?php\nreturn ['name' => 'x', 'providers' => [\n${providers}\n]];\n`;
  const composer = JSON.stringify({ autoload: { 'psr-4': { 'App\\': 'app/' } } });

  it('accepts the framework and providers it could read that do not touch the migrator', () => {
    expect(extraMigrationPathsProblem(join(fixturesDir, 'laravel/basic'))).toBeUndefined();
    const root = tree({
      'composer.json': composer,
      'config/app.php': app('Illuminate\\Database\\DatabaseServiceProvider::class,\nApp\\Providers\\AppServiceProvider::class,'),
      'app/Providers/AppServiceProvider.php': provider('App\\Providers', 'AppServiceProvider', '    public function boot() { $this->app->register(AuditServiceProvider::class); }'),
      'app/Providers/AuditServiceProvider.php': provider('App\\Providers', 'AuditServiceProvider', '    public function register() {}'),
    });
    expect(extraMigrationPathsProblem(root)).toBeUndefined();
  });

  it('refuses a provider that loads migrations, directly, through a provider it registers, or a package', () => {
    const loads = '    public function boot() { $this->loadMigrationsFrom(__DIR__."/../../modules/billing/migrations"); }';
    const direct = tree({ 'composer.json': composer, 'config/app.php': app('App\\Providers\\BillingServiceProvider::class,'), 'app/Providers/BillingServiceProvider.php': provider('App\\Providers', 'BillingServiceProvider', loads) });
    expect(extraMigrationPathsProblem(direct)).toBe('App\\Providers\\BillingServiceProvider (app/Providers/BillingServiceProvider.php) registers migrations (loadMigrationsFrom / the migrator): they are only known at run time');
    const registered = tree({
      'composer.json': composer,
      'config/app.php': app('App\\Providers\\AppServiceProvider::class,'),
      'app/Providers/AppServiceProvider.php': provider('App\\Providers', 'AppServiceProvider', '    public function register() { $this->app->register(BillingServiceProvider::class); }'),
      'app/Providers/BillingServiceProvider.php': provider('App\\Providers', 'BillingServiceProvider', loads),
    });
    expect(extraMigrationPathsProblem(registered)).toMatch(/^App\\Providers\\BillingServiceProvider .* registers migrations/);
    const viaParent = tree({
      'composer.json': composer,
      'config/app.php': app('App\\Providers\\AppServiceProvider::class,'),
      'app/Providers/AppServiceProvider.php': provider('App\\Providers', 'AppServiceProvider', '', 'PackageServiceProvider', 'use Vendor\\Tools\\PackageServiceProvider;'),
    });
    expect(extraMigrationPathsProblem(viaParent)).toBe("the provider Vendor\\Tools\\PackageServiceProvider could not be found through Composer's PSR-4 maps, so metamig cannot check whether it loads migrations");
    const pkg = tree({
      'composer.json': composer,
      'config/app.php': app(''),
      'vendor/composer/installed.json': JSON.stringify({ packages: [{ name: 'acme/audit', 'install-path': '../acme/audit', autoload: { 'psr-4': { 'Acme\\Audit\\': 'src/' } }, extra: { laravel: { providers: ['Acme\\Audit\\AuditServiceProvider'] } } }] }),
      'vendor/acme/audit/src/AuditServiceProvider.php': provider('Acme\\Audit', 'AuditServiceProvider', '    use LoadsAudit;\n', 'ServiceProvider'),
      'vendor/acme/audit/src/LoadsAudit.php': '<?php\nnamespace Acme\\Audit;\ntrait LoadsAudit { public function boot() { $this->loadMigrationsFrom(__DIR__.\'/../database\'); } }\n',
    });
    expect(extraMigrationPathsProblem(pkg)).toBe('Acme\\Audit\\LoadsAudit (vendor/acme/audit/src/LoadsAudit.php) registers migrations (loadMigrationsFrom / the migrator): they are only known at run time');
    // …unless the application opts out of discovering it.
    writeFileSync(join(pkg, 'composer.json'), JSON.stringify({ ...JSON.parse(composer), extra: { laravel: { 'dont-discover': ['acme/audit'] } } }));
    expect(extraMigrationPathsProblem(pkg)).toBeUndefined();
  });
});

describe('statusFast refuses (the CLI then runs artisan)', () => {
  const refusal = async (dir: string, url?: string) => {
    const history = createHistoryReader();
    try {
      return await adapter.statusFast!(projectIn(adapter, dir, url), { ...makeContext(), history }).catch((e: unknown) => e);
    } finally {
      await history.close();
    }
  };

  it('without a URL: the database is configured in code', async () => {
    expect(await refusal(join(fixturesDir, 'laravel/basic'))).toMatchObject({
      code: 'OPERATION.UNSUPPORTED',
      why: 'the database is configured in code (config/database.php with .env, resolved when the application boots)',
      fix: expect.stringContaining('--database-url'),
    });
  });

  it('with a cached configuration', async () => {
    const root = tree({ 'bootstrap/cache/config.php': '<?php return [];' }, join(fixturesDir, 'laravel/basic'));
    expect(await refusal(root, 'sqlite:///tmp/metamig-none.sqlite')).toMatchObject({ code: 'OPERATION.UNSUPPORTED', why: expect.stringContaining('the configuration is cached') });
  });
});
