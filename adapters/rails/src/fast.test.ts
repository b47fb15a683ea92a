import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { createHistoryReader } from '@metamig/sandbox';
import { fixturesDir, makeContext, projectIn } from '@metamig/testkit';
import { parseDatabaseYml } from './detect.js';
import { migrationFiles, normalizeVersion, staticUrl, versionsSql } from './fast.js';
import { adapter } from './index.js';
import { appCodeProblem, databasesOf, gemsProblem, migrationsPathsOf, parseGemfileLock, rakefileSettings, searchPathOf, selectDatabase, ymlSubsetProblem } from './static-config.js';

const temps: string[] = [];
afterAll(() => temps.forEach((d) => rmSync(d, { recursive: true, force: true })));
afterEach(() => delete process.env.DATABASE_URL);
function tree(files: Record<string, string>, from?: string): string {
  const root = mkdtempSync(join(tmpdir(), 'metamig-rails-fast-'));
  temps.push(root);
  if (from) cpSync(from, root, { recursive: true });
  for (const [rel, text] of Object.entries(files)) {
    mkdirSync(dirname(join(root, rel)), { recursive: true });
    writeFileSync(join(root, rel), text);
  }
  return root;
}
const fixture = (rel: string) => readFileSync(join(fixturesDir, 'rails', rel), 'utf8');

describe('config/database.yml, read only where it is plain YAML', () => {
  it("accepts the fixtures' files and ERB inside a single value", () => {
    for (const f of ['basic', 'multi-db', 'failed-migration']) expect(ymlSubsetProblem(fixture(`${f}/config/database.yml`), true)).toBeUndefined();
    expect(ymlSubsetProblem('production:\n  adapter: postgresql\n  password: <%= ENV["DB_PASSWORD"] %>\n  migrations_paths: [db/a, "db/b"]\n', true)).toBeUndefined();
  });

  it('refuses what the simple reader could get wrong', () => {
    expect(ymlSubsetProblem('development:\n<% if ENV["X"] %>\n  adapter: sqlite3\n<% end %>\n', true)).toBe('line 2: ERB outside a single value (<% if ENV["X"] %>)');
    expect(ymlSubsetProblem('development:\n  database: <%= x %>\n', false)).toBe('line 2: ERB, which this file does not go through');
    expect(ymlSubsetProblem('development:\n  migrations_paths:\n    - db/a\n', true)).toBe('line 3: not a "key: value" line (- db/a)');
    expect(ymlSubsetProblem('development:\n  url: >\n    postgres://x\n', true)).toBe('line 2: a block scalar (url)');
    expect(ymlSubsetProblem('development: { adapter: sqlite3 }\n', true)).toBe('line 1: a flow map (development)');
    expect(ymlSubsetProblem('development:\n  password: "a\\"b"\n', true)).toBe('line 2: a double-quoted value with escapes (password)');
  });

  it('builds the databases of an environment as ActiveRecord 6.1 does', () => {
    const basic = parseDatabaseYml(fixture('basic/config/database.yml'));
    expect(databasesOf(basic, 'development')).toEqual([{ name: 'primary', config: { adapter: 'sqlite3', pool: '5', timeout: '5000', database: 'db/development.sqlite3' } }]);
    expect(databasesOf(basic, 'staging')).toEqual([]);
    const multi = databasesOf(parseDatabaseYml(fixture('multi-db/config/database.yml')), 'development');
    expect(multi.map((d) => d.name)).toEqual(['primary', 'animals']);
    expect(migrationsPathsOf(multi[1]!.config)).toEqual(['db/animals_migrate']);
    expect(migrationsPathsOf(multi[0]!.config)).toBeUndefined();
    const replicas = databasesOf(parseDatabaseYml('production:\n  primary_replica:\n    database: r\n    replica: true\n  animals:\n    database: a\n  primary:\n    database: p\n'), 'production');
    expect(replicas.map((d) => d.name)).toEqual(['animals', 'primary']);
    expect(selectDatabase(replicas, undefined)?.name).toBe('primary');
    expect(selectDatabase(replicas, 'animals')?.name).toBe('animals');
    expect(selectDatabase(replicas, 'nope')).toBeUndefined();
    expect(migrationsPathsOf({ migrations_paths: '[db/a, "db/b"]' })).toEqual(['db/a', 'db/b']);
    expect(searchPathOf({ schema_search_path: 'tenant' })).toEqual({ schema: 'tenant' });
    expect(searchPathOf({ schema_search_path: '"$user",public' })).toMatch(/only one schema/);
    expect(searchPathOf({})).toEqual({});
  });

  it('turns an entry into the URL the reader opens, or says why not', () => {
    const env = {};
    expect(staticUrl({ adapter: 'sqlite3', database: 'db/dev.sqlite3' }, '/app', env)).toEqual({ engine: 'sqlite', file: '/app/db/dev.sqlite3' });
    expect(staticUrl({ url: 'sqlite3:db/x.sqlite3' }, '/app', env)).toEqual({ engine: 'sqlite', file: '/app/db/x.sqlite3' });
    expect(staticUrl({ url: 'sqlite3:///var/x.sqlite3' }, '/app', env)).toEqual({ engine: 'sqlite', file: '/var/x.sqlite3' });
    expect(staticUrl({ adapter: 'postgresql', host: 'db', port: '6543', database: 'app', username: 'u', password: 'p', sslmode: 'require' }, '/app', env)).toEqual({ engine: 'postgres', host: 'db', port: 6543, user: 'u', password: 'p', database: 'app', params: { sslmode: 'require' } });
    expect(staticUrl({ adapter: 'postgresql', database: 'app' }, '/app', env)).toMatch(/host, database or username is not written/);
    expect(staticUrl({ adapter: 'postgresql', host: 'h', database: 'app', username: 'u' }, '/app', { PGPORT: '5433' })).toBe('it has no port and PGPORT is set');
    expect(staticUrl({ adapter: 'mysql2', database: 'app' }, '/app', env)).toBe('its adapter is mysql2');
    expect(staticUrl({ adapter: 'sqlite3', database: ':memory:' }, '/app', env)).toBe('its SQLite database is :memory:');
  });
});

describe('a standalone Rakefile', () => {
  it("reads the fixtures' DatabaseTasks settings", () => {
    expect(rakefileSettings(fixture('failed-migration/Rakefile'))).toEqual({ migrationsPaths: ['db/migrate'], databaseYml: 'config/database.yml', erb: false });
    const erb = fixture('out-of-order/Rakefile').replace(/YAML\.load_file\(.*$/m, 'YAML.load(ERB.new(File.read(File.expand_path("config/db.yml", __dir__))).result, aliases: true)');
    expect(rakefileSettings(erb)).toEqual({ migrationsPaths: ['db/migrate'], databaseYml: 'config/db.yml', erb: true });
  });

  it('refuses settings written in code', () => {
    const rake = fixture('failed-migration/Rakefile');
    expect(rakefileSettings(rake.replace('DatabaseTasks.env = ENV["RAILS_ENV"]', 'DatabaseTasks.env = "test"'))).toBe('the Rakefile sets DatabaseTasks.env to "test", not ENV["RAILS_ENV"]');
    expect(rakefileSettings(rake.replace(/migrations_paths = .*$/m, 'migrations_paths = Dir["engines/*/db/migrate"]'))).toBe('the Rakefile does not set DatabaseTasks.migrations_paths to a list of plain paths');
    expect(rakefileSettings(`require_relative "config/db"\n${rake}`)).toBe('the Rakefile loads other files, which could change the database tasks');
    expect(rakefileSettings(`${rake}\nActiveRecord::Base.table_name_prefix = "app_"\n`)).toBe('the Rakefile renames the schema_migrations table');
  });
});

describe("a Rails app's boot code and gems", () => {
  it('accepts the basic fixture (only Rails itself)', () => {
    expect(appCodeProblem(join(fixturesDir, 'rails/basic'))).toBeUndefined();
    expect(gemsProblem(join(fixturesDir, 'rails/basic'))).toBeUndefined();
  });

  it('refuses code that moves the migrations or renames the table', () => {
    const root = tree({ 'config/initializers/engines.rb': 'Rails.application.config.paths["db/migrate"] << "engines/billing/db/migrate"\n' });
    expect(appCodeProblem(root)).toBe('config/initializers/engines.rb sets the migrations paths or the database configuration in code');
    expect(appCodeProblem(tree({ 'config/application.rb': 'config.active_record.schema_migrations_table_name = "migrations"\n' }))).toMatch(/renames the schema_migrations table/);
  });

  it('reads Gemfile.lock and checks the gems that depend on Rails', () => {
    const lock = 'PATH\n  remote: engines/billing\n  specs:\n    billing (0.1.0)\n      railties (>= 6.1)\n\nGEM\n  remote: https://rubygems.org/\n  specs:\n    devise (4.9.3)\n      railties (>= 4.1.0)\n      warden (~> 1.2.3)\n    warden (1.2.9)\n\nDEPENDENCIES\n  billing!\n';
    expect(parseGemfileLock(lock)).toEqual([
      { name: 'billing', version: '0.1.0', source: 'PATH', remote: 'engines/billing', deps: ['railties'] },
      { name: 'devise', version: '4.9.3', source: 'GEM', remote: 'https://rubygems.org/', deps: ['railties', 'warden'] },
      { name: 'warden', version: '1.2.9', source: 'GEM', remote: 'https://rubygems.org/', deps: [] },
    ]);
    const engine = 'module Billing\n  class Engine < ::Rails::Engine\n    initializer :append_migrations do |app|\n      app.config.paths["db/migrate"].concat(config.paths["db/migrate"].expanded)\n    end\n  end\nend\n';
    const withEngine = tree({ Gemfile: 'gem "billing", path: "engines/billing"\n', 'Gemfile.lock': lock.replace(/GEM[\s\S]*?\n\n/, ''), 'engines/billing/lib/billing/engine.rb': engine });
    expect(gemsProblem(withEngine)).toBe('the gem billing (lib/billing/engine.rb) touches the migrations paths or the schema_migrations table at boot');
    writeFileSync(join(withEngine, 'engines/billing/lib/billing/engine.rb'), 'module Billing\n  class Engine < ::Rails::Engine\n  end\nend\n');
    expect(gemsProblem(withEngine)).toBeUndefined();
    const missing = tree({ Gemfile: '', 'Gemfile.lock': lock });
    expect(gemsProblem(missing)).toMatch(/^the gem (billing|devise) \(.*\) depends on Rails and could not be found on disk|touches/);
    expect(gemsProblem(tree({ Gemfile: '' }))).toBe('the app has no Gemfile.lock, so the gems it loads at boot are unknown');
  });
});

describe('migration files, as MigrationContext#migrations lists them', () => {
  it('walks the folders recursively, skips dot folders, names and sorts them like the helper', () => {
    const root = tree({
      'db/migrate/20240102000000_b.rb': '',
      'db/migrate/sub/20240101000000_a.rb': '',
      'db/migrate/.old/20240103000000_c.rb': '',
      'db/migrate/0007_seven.primary.rb': '',
      'db/migrate/README.rb': '',
      'db/migrate/notes.txt': '',
    });
    expect(migrationFiles(root, [join(root, 'db/migrate')])).toEqual([
      { version: '007', name: 'seven.primary', file: 'db/migrate/0007_seven.primary.rb', reversible: 'unknown', transactional: 'unknown' },
      { version: '20240101000000', name: 'a', file: 'db/migrate/sub/20240101000000_a.rb', reversible: 'unknown', transactional: 'unknown' },
      { version: '20240102000000', name: 'b', file: 'db/migrate/20240102000000_b.rb', reversible: 'unknown', transactional: 'unknown' },
    ]);
    expect(migrationFiles(tree({ 'db/migrate/20240101000000_AddUsers.rb': '' }), [])).toEqual([]);
    const bad = tree({ 'db/migrate/20240101000000_AddUsers.rb': '' });
    expect(migrationFiles(bad, [join(bad, 'db/migrate')])).toBe('db/migrate/20240101000000_AddUsers.rb is not a valid migration file name (ActiveRecord raises IllegalMigrationNameError)');
    const dup = tree({ 'db/migrate/1_a.rb': '', 'db/migrate/001_b.rb': '' });
    expect(migrationFiles(dup, [join(dup, 'db/migrate')])).toMatch(/have the same version 001$/);
  });

  it('normalizes versions as "%.3d" % version.to_i', () => {
    expect(normalizeVersion('0001')).toBe('001');
    expect(normalizeVersion('20240101000000')).toBe('20240101000000');
    expect(versionsSql('tenant')).toBe('SELECT version FROM "tenant".schema_migrations ORDER BY version ASC');
  });
});

describe('statusFast refuses (the CLI then runs the helper)', () => {
  const refusal = async (dir: string, url?: string) => {
    const history = createHistoryReader();
    try {
      return await adapter.statusFast!(projectIn(adapter, dir, url), { ...makeContext(), history }).catch((e: unknown) => e);
    } finally {
      await history.close();
    }
  };

  it('when database.yml computes the database with ERB and no URL is given (configured in code)', async () => {
    const root = tree({}, join(fixturesDir, 'rails/basic'));
    writeFileSync(join(root, 'config/database.yml'), fixture('basic/config/database.yml').replace('database: db/development.sqlite3', 'database: <%= ENV.fetch("DEV_DB", "db/development.sqlite3") %>'));
    expect(await refusal(root)).toMatchObject({ code: 'OPERATION.UNSUPPORTED', why: 'config/database.yml computes database of primary with ERB', fix: expect.stringContaining('--database-url') });
    // The same file is fine with an override: ERB there only fills what the URL replaces.
    expect(await refusal(root, 'sqlite:///tmp/metamig-rails-fast-none.sqlite3')).toMatchObject({ summary: { total: 4, pending: 4 } });
  });

  it('when DATABASE_URL is set in the environment', async () => {
    process.env.DATABASE_URL = 'postgresql://u@h/db';
    expect(await refusal(join(fixturesDir, 'rails/basic'))).toMatchObject({ why: 'DATABASE_URL is set in the environment: ActiveRecord merges it into config/database.yml at boot' });
  });

  it('when database.yml pins url: and an override is given', async () => {
    const root = tree({}, join(fixturesDir, 'rails/basic'));
    writeFileSync(join(root, 'config/database.yml'), fixture('basic/config/database.yml').replace('database: db/development.sqlite3', 'url: sqlite3:db/pinned.sqlite3'));
    expect(await refusal(root, 'sqlite:///tmp/x.sqlite3')).toMatchObject({ why: 'config/database.yml sets url: for primary, which wins over DATABASE_URL (the full path refuses the override too)' });
  });
});
