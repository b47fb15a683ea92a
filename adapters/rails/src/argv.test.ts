import { describe, expect, it } from 'vitest';
import { type MigrationState, buildState, parseDatabaseUrl, selectSteps } from '@metamig/core';
import { HELPER_PATH, downTasks, expectation, helperArgs, nativeTasks, overrideEnv, railsEnvFor, railsOptions, railsUrl, rollbackEffect, upTasks } from './argv.js';
import { type DatabaseEntry, migrationsFromStatus } from './parse.js';

/** A status as the helper reports it: files on disk, versions in schema_migrations. */
function stateOf(files: string[], applied: string[]): MigrationState {
  const db: DatabaseEntry = {
    name: 'primary',
    engine: 'sqlite',
    migrationsPaths: ['db/migrate'],
    selected: true,
    applied,
    files: files.map((v) => ({ version: v, name: `m${v}`, file: `db/migrate/${v}_m${v}.rb`, reversible: true, transactional: true })),
  };
  const migrations = migrationsFromStatus(db);
  return buildState({ project: 'app', framework: 'rails', database: 'x', migrations, current: [], heads: [], source: { command: [], native: '', durationMs: 0, via: 'tool' } });
}

describe('helper argv', () => {
  it('passes the request as words, the database never', () => {
    expect(helperArgs({ op: 'status' }, { layout: 'app' })).toEqual([HELPER_PATH, 'status', '--layout', 'app']);
    expect(helperArgs({ op: 'run', tasks: [{ task: 'db:migrate:up', vars: { VERSION: '1' } }, { task: 'db:migrate:up', vars: { VERSION: '2' } }] }, { layout: 'standalone', database: 'animals' })).toEqual([
      HELPER_PATH, 'run', '--layout', 'standalone', '--database', 'animals', 'db:migrate:up', 'VERSION=1', 'db:migrate:up', 'VERSION=2',
    ]);
    expect(helperArgs({ op: 'plan', direction: 'down', versions: ['3', '2'] }, { layout: 'app' })).toEqual([HELPER_PATH, 'plan', '--layout', 'app', '--direction', 'down', '3', '2']);
    expect(helperArgs({ op: 'version' }, { layout: 'app' })).toEqual([HELPER_PATH, 'version']);
  });
});

describe('options and environment', () => {
  it('validates options.environment / options.database', () => {
    expect(railsOptions({ environment: 'staging', database: 'animals' }, 'app')).toEqual({ environment: 'staging', database: 'animals' });
    expect(() => railsOptions({ database: ['x'] }, 'app')).toThrow(/options.database must be a database configuration name/);
    expect(() => railsOptions({ environment: 'a b' }, 'app')).toThrow(/options.environment/);
  });

  it('picks RAILS_ENV: the option, the project env, the caller env, then development', () => {
    expect(railsEnvFor({ environment: 'staging' }, { RAILS_ENV: 'test' }, { RAILS_ENV: 'production' })).toBe('staging');
    expect(railsEnvFor({}, { RAILS_ENV: 'test' }, { RAILS_ENV: 'production' })).toBe('test');
    expect(railsEnvFor({}, {}, { RACK_ENV: 'production' })).toBe('production');
    expect(railsEnvFor({}, {}, {})).toBe('development');
  });
});

describe('the database override', () => {
  it("is ActiveRecord's URL in DATABASE_URL and <NAME>_DATABASE_URL, plus what the helper must find", () => {
    const env = overrideEnv('postgresql://app:s3cr%40t@db.local:5433/shop?sslmode=disable', '/p');
    expect(env).toEqual({
      DATABASE_URL: 'postgresql://app:s3cr%40t@db.local:5433/shop?sslmode=disable',
      PRIMARY_DATABASE_URL: 'postgresql://app:s3cr%40t@db.local:5433/shop?sslmode=disable',
      METAMIG_RAILS_EXPECT: '{"engine":"postgres","database":"shop","host":"db.local","port":5433}',
    });
    expect(env.METAMIG_RAILS_EXPECT).not.toContain('s3cr');
    expect(overrideEnv('postgresql://u@h/db', '/p', 'animals')).toEqual({
      ANIMALS_DATABASE_URL: 'postgresql://u@h:5432/db',
      METAMIG_RAILS_EXPECT: '{"engine":"postgres","database":"db","host":"h","port":5432}',
    });
    expect(overrideEnv(undefined, '/p')).toEqual({});
  });

  it('writes SQLite paths as sqlite3:<absolute path>, relative ones resolved against the project', () => {
    expect(railsUrl(parseDatabaseUrl('sqlite:///tmp/a b/x.sqlite3')).url).toBe('sqlite3:/tmp/a%20b/x.sqlite3');
    expect(overrideEnv('sqlite:db/other.sqlite3', '/srv/app')).toMatchObject({ DATABASE_URL: 'sqlite3:/srv/app/db/other.sqlite3', METAMIG_RAILS_EXPECT: '{"engine":"sqlite","file":"/srv/app/db/other.sqlite3"}' });
  });

  it('sends a unix-socket directory through libpq variables (ActiveRecord 6.1 drops ?host= from a URL with a host)', () => {
    const parsed = parseDatabaseUrl('postgresql://app:pw@localhost:5433/shop?host=/run/pg');
    expect(railsUrl(parsed)).toEqual({ url: 'postgresql:///shop', env: { PGHOST: '/run/pg', PGPORT: '5433', PGUSER: 'app', PGPASSWORD: 'pw' } });
    expect(expectation(parsed)).toEqual({ engine: 'postgres', database: 'shop' });
  });
});

describe("core's selection as db:* tasks", () => {
  const V = ['20240101000000', '20240102000000', '20240103000000', '20240104000000'];

  it('up: db:migrate for everything; VERSION= only when it cannot migrate down; db:migrate:up otherwise', () => {
    const fresh = stateOf(V, []);
    expect(upTasks(fresh, selectSteps(fresh, 'up', { kind: 'latest' }), { kind: 'latest' })).toEqual([{ task: 'db:migrate', vars: {} }]);
    const two = selectSteps(fresh, 'up', { kind: 'steps', n: 2 });
    expect(upTasks(fresh, two, { kind: 'steps', n: 2 })).toEqual([{ task: 'db:migrate', vars: { VERSION: V[1] } }]);
    // V[1] is pending but older than the applied V[2]: `db:migrate VERSION=V[1]` would roll V[2] back.
    const gap = stateOf(V, [V[0]!, V[2]!]);
    expect(gap.migrations.find((m) => m.id === V[1])!.state).toBe('out-of-order');
    const target = { kind: 'to', id: V[1]! } as const;
    expect(upTasks(gap, selectSteps(gap, 'up', target), target)).toEqual([{ task: 'db:migrate:up', vars: { VERSION: V[1] } }]);
    // Both pending ones up to V[3]: VERSION=V[3] is above the newest applied, and runs exactly them.
    const all = { kind: 'to', id: V[3]! } as const;
    expect(upTasks(gap, selectSteps(gap, 'up', all), all)).toEqual([{ task: 'db:migrate', vars: { VERSION: V[3] } }]);
  });

  it('down: db:rollback STEP=n only when ActiveRecord would revert exactly the selection', () => {
    const applied = stateOf(V, V);
    expect(downTasks(applied, selectSteps(applied, 'down', { kind: 'steps', n: 1 }))).toEqual([{ task: 'db:rollback', vars: {} }]);
    expect(downTasks(applied, selectSteps(applied, 'down', { kind: 'to', id: V[0]! }))).toEqual([{ task: 'db:rollback', vars: { STEP: '3' } }]);
    // A pending file between applied ones: STEP counts files, so STEP=2 would revert only V[3].
    const gap = stateOf(V, [V[0]!, V[1]!, V[3]!]);
    expect(rollbackEffect(gap, 2)).toEqual([V[3]]);
    expect(downTasks(gap, selectSteps(gap, 'down', { kind: 'steps', n: 2 }))).toEqual([
      { task: 'db:migrate:down', vars: { VERSION: V[3] } },
      { task: 'db:migrate:down', vars: { VERSION: V[1] } },
    ]);
  });

  it('down: avoids db:rollback when the newest recorded version has no file (ActiveRecord would stop)', () => {
    const noFile = stateOf(V.slice(0, 3), V);
    expect(noFile.migrations.find((m) => m.id === V[3])!.state).toBe('missing-file');
    expect(rollbackEffect(noFile, 1)).toBeUndefined();
    expect(downTasks(noFile, selectSteps(noFile, 'down', { kind: 'steps', n: 1 }))).toEqual([{ task: 'db:migrate:down', vars: { VERSION: V[2] } }]);
  });
});

describe('native commands', () => {
  it('are what a person would type, with the URL redacted', () => {
    const tasks = [{ task: 'db:migrate:up', vars: { VERSION: '1' } }, { task: 'db:migrate:up', vars: { VERSION: '2' } }];
    expect(nativeTasks({ layout: 'app', bundler: true, railsEnv: 'development' }, [{ task: 'db:migrate', vars: {} }])).toBe('bin/rails db:migrate');
    expect(nativeTasks({ layout: 'standalone', bundler: true, railsEnv: 'development' }, tasks)).toBe('bundle exec rake db:migrate:up VERSION=1 && bundle exec rake db:migrate:up VERSION=2');
    expect(nativeTasks({ layout: 'standalone', bundler: false, railsEnv: 'staging' }, [{ task: 'db:rollback', vars: { STEP: '2' } }])).toBe('RAILS_ENV=staging rake db:rollback STEP=2');
    const withUrl = nativeTasks({ layout: 'app', bundler: true, railsEnv: 'development', override: { variable: 'DATABASE_URL', url: 'postgresql://app:Hidden-pw@h:5432/db' } }, [{ task: 'db:migrate', vars: {} }]);
    expect(withUrl).toBe('RAILS_ENV=development DATABASE_URL=postgresql://app:***@h:5432/db bin/rails db:migrate');
  });
});
