import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { listRepo } from '@metamig/core';
import { fixturesDir } from '@metamig/testkit';
import { databasesFor, describeFromYml, detect, isEngineBinRails, parseDatabaseYml, rakefileLoadsDatabaseTasks } from './detect.js';

describe('detect on the fixtures', () => {
  it('finds the Rails apps and the standalone ActiveRecord projects', () => {
    const found = detect(listRepo(join(fixturesDir, 'rails')));
    expect(found).toEqual([
      { framework: 'rails', root: 'basic', configFile: 'basic/config/database.yml' },
      { framework: 'rails', root: 'failed-migration', configFile: 'failed-migration/Rakefile' },
      { framework: 'rails', root: 'irreversible', configFile: 'irreversible/Rakefile' },
      { framework: 'rails', root: 'multi-db', configFile: 'multi-db/config/database.yml' },
      { framework: 'rails', root: 'out-of-order', configFile: 'out-of-order/Rakefile' },
      { framework: 'rails', root: 'rollback-gaps', configFile: 'rollback-gaps/config/database.yml' },
    ]);
  });
});

describe('detect on made-up trees', () => {
  let root: string;
  const write = (rel: string, text = '') => {
    mkdirSync(dirname(join(root, rel)), { recursive: true });
    writeFileSync(join(root, rel), text);
  };
  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'metamig-rails-detect-'));
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  it('takes a Rails app with only db/migrate (DATABASE_URL apps may have no database.yml)', () => {
    write('services/api/bin/rails', 'APP_PATH = File.expand_path("../config/application", __dir__)');
    write('services/api/db/migrate/20240101000000_create_users.rb');
    expect(detect(listRepo(root))).toEqual([{ framework: 'rails', root: 'services/api', configFile: 'services/api/bin/rails' }]);
  });

  it("skips an engine's bin/rails and the dummy app of its test suite", () => {
    write('engines/billing/bin/rails', 'ENGINE_ROOT = File.expand_path("..", __dir__)\nENGINE_PATH = File.expand_path("../lib/billing/engine", __dir__)');
    write('engines/billing/db/migrate/20240101000000_create_invoices.rb');
    write('engines/billing/test/dummy/bin/rails', 'APP_PATH = 1');
    write('engines/billing/test/dummy/config/database.yml', 'development:\n  adapter: sqlite3\n');
    expect(detect(listRepo(root))).toEqual([]);
  });

  it('skips a bin/rails without database configuration or migrations, and a Rakefile that is not ActiveRecord', () => {
    write('tools/bin/rails');
    write('sequel-app/Rakefile', 'require "sequel"\nSequel.extension :migration\n');
    write('sequel-app/db/migrate/001_create_items.rb');
    write('ar-without-migrations/Rakefile', 'load "active_record/railties/databases.rake"');
    expect(detect(listRepo(root))).toEqual([]);
  });

  it('reads a standalone Rakefile by its content', () => {
    expect(rakefileLoadsDatabaseTasks('load "active_record/railties/databases.rake"')).toBe(true);
    expect(rakefileLoadsDatabaseTasks("load 'active_record/railties/databases.rake'")).toBe(true);
    expect(rakefileLoadsDatabaseTasks('include ActiveRecord::Tasks\nDatabaseTasks.env = "x"')).toBe(true);
    expect(rakefileLoadsDatabaseTasks('require "rails"\nRails.application.load_tasks')).toBe(false);
    expect(isEngineBinRails('ENGINE_ROOT = File.expand_path("..", __dir__)')).toBe(true);
  });
});

describe('config/database.yml, read statically', () => {
  const multi = readFileSync(join(fixturesDir, 'rails/multi-db/config/database.yml'), 'utf8');
  const basic = readFileSync(join(fixturesDir, 'rails/basic/config/database.yml'), 'utf8');
  const saved = { ...process.env };
  afterAll(() => {
    process.env = saved;
  });

  it('resolves anchors and merge keys, two-tier and three-tier', () => {
    expect(databasesFor(parseDatabaseYml(basic), 'development')).toEqual(new Map([['primary', { adapter: 'sqlite3', pool: '5', timeout: '5000', database: 'db/development.sqlite3' }]]));
    const dbs = databasesFor(parseDatabaseYml(multi), 'development');
    expect([...dbs.keys()]).toEqual(['primary', 'animals']);
    expect(dbs.get('animals')).toMatchObject({ adapter: 'sqlite3', database: 'db/animals_development.sqlite3', migrations_paths: 'db/animals_migrate' });
  });

  it('describes the database the tool will use, without secrets', () => {
    expect(describeFromYml(basic, 'development', 'config/database.yml')).toEqual({
      engine: 'sqlite',
      source: 'tool-config',
      description: 'sqlite3 db/development.sqlite3 (config/database.yml, development)',
    });
    expect(describeFromYml(multi, 'development', 'config/database.yml').description).toBe(
      'sqlite3 db/development.sqlite3 (config/database.yml, development/primary; also animals (multi-database app: metamig manages primary unless options.database says otherwise))',
    );
    const erb = 'development:\n  adapter: postgresql\n  database: <%= ENV.fetch("DB_NAME") { "app_dev" } %>\n';
    expect(describeFromYml(erb, 'development', 'config/database.yml')).toMatchObject({ engine: 'postgres', description: 'postgresql set by ERB (config/database.yml, development)' });
    const url = 'production:\n  url: postgresql://app:Sup3r-secret@db.internal/app\n';
    const described = describeFromYml(url, 'production', 'config/database.yml');
    expect(described).toMatchObject({ engine: 'postgres', url: 'postgresql://app:***@db.internal/app' });
    expect(JSON.stringify(described)).not.toContain('Sup3r-secret');
    const env = describeFromYml(basic, 'development', 'config/database.yml', 'postgresql://u:Env-s3cret@h/db');
    expect(env.description).toBe('postgresql://u:***@h/db (DATABASE_URL in the environment; it overrides config/database.yml for development)');
    expect(describeFromYml(basic, 'staging', 'config/database.yml').description).toBe('config/database.yml has no staging environment');
    expect(describeFromYml(undefined, 'development', 'config/database.yml').description).toBe('configured by the Rakefile (no config/database.yml)');
  });
});
