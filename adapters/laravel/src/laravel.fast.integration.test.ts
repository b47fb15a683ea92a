// `status --fast` (database/migrations + the migrations table through core's HistoryReader, no PHP)
// against the full `status` (the project's own artisan with metamig's helper), on every fixture and
// at every point of its life the fixture exists for, on a throwaway PostgreSQL and real SQLite files.
// The states are reached with the real artisan, as the adapter's own integration tests do.
import { cpSync, readFileSync, readdirSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type MigrationState, Toolchains, runMigrations } from '@metamig/core';
import { copyFixture as copyTestkitFixture, expectFastMatchesFull, makeContext, projectIn, removeCopy, repoRoot, usePostgres } from '@metamig/testkit';
import { adapter } from './index.js';

for (const k of ['DB_CONNECTION', 'DB_HOST', 'DB_PORT', 'DB_DATABASE', 'DB_USERNAME', 'DB_PASSWORD', 'DATABASE_URL', 'DB_URL']) delete process.env[k];

const pg = usePostgres();
beforeAll(() => {
  const tc = new Toolchains(repoRoot);
  expect(tc.find(tc.php()), 'php is missing: run `npm run setup` (scripts/setup installs php-cli php-laravel-framework php-pgsql php-sqlite3 php-doctrine-dbal)').toBeTruthy();
});

const copies: string[] = [];
afterAll(() => copies.forEach(removeCopy));
const copyFixture = (rel: string) => {
  const dir = copyTestkitFixture(rel);
  copies.push(dir);
  return dir;
};

async function database(engine: 'postgres' | 'sqlite', dir: string): Promise<{ url: string; sql: (q: string) => Promise<void> }> {
  if (engine === 'postgres') {
    const url = await pg.database();
    return { url, sql: async (q) => void (await pg.server.query(new URL(url).pathname.slice(1), q)) };
  }
  const file = join(dirname(dir), 'db.sqlite'); // not created yet: Laravel 8 refuses a missing file, metamig up creates it
  return {
    url: `sqlite://${file}`,
    sql: async (q) => {
      const db = new Database(file);
      db.exec(q);
      db.close();
    },
  };
}

const states = (s: MigrationState) => s.migrations.map((m) => `${m.id.slice(18)}:${m.state}${m.batch ? `@${m.batch}` : ''}`);
const ctx = makeContext();

describe.concurrent('laravel: the fast path returns exactly what the full path returns', () => {
  describe.each(['postgres', 'sqlite'] as const)('basic on %s', (engine) => {
    it('fresh → 2 applied (--path, batch 1) → all (batch 2) → down 1 → a duplicate row', async () => {
      const dir = copyFixture('laravel/basic');
      const db = await database(engine, dir);
      const project = projectIn(adapter, dir, db.url);
      const fresh = await expectFastMatchesFull(adapter, project, ctx);
      expect(fresh.fast.summary).toEqual({ total: 4, applied: 0, pending: 4, problems: 0 });
      expect(fresh.fast.source).toMatchObject({ command: [], via: 'history-table', native: '(no migrations table)' });

      await runMigrations(adapter, project, 'up', { kind: 'steps', n: 2 }, ctx);
      await runMigrations(adapter, project, 'up', { kind: 'latest' }, ctx);
      const all = await expectFastMatchesFull(adapter, project, ctx);
      expect(states(all.fast)).toEqual(['create_users_table:applied@1', 'add_email_to_users_table:applied@1', 'add_index_on_users_email:applied@2', 'seed_admin_user:applied@2']);

      await runMigrations(adapter, project, 'down', { kind: 'steps', n: 1 }, ctx);
      const down = await expectFastMatchesFull(adapter, project, ctx);
      expect(down.fast.summary).toMatchObject({ applied: 3, pending: 1 });

      // No unique constraint on the table: a name recorded twice counts once, with its last batch.
      await db.sql("INSERT INTO migrations (migration, batch) VALUES ('2024_01_15_093000_create_users_table', 3)");
      const twice = await expectFastMatchesFull(adapter, project, ctx);
      expect(states(twice.fast).slice(0, 3)).toEqual(['add_email_to_users_table:applied@1', 'add_index_on_users_email:applied@2', 'create_users_table:applied@3']);
    });
  });

  describe.each(['postgres', 'sqlite'] as const)('failed-migration on %s', (engine) => {
    it('fresh → a failing migration (the ones before it stay applied)', async () => {
      const dir = copyFixture('laravel/failed-migration');
      const project = projectIn(adapter, dir, (await database(engine, dir)).url);
      await expectFastMatchesFull(adapter, project, ctx);
      expect((await runMigrations(adapter, project, 'up', { kind: 'latest' }, ctx)).ok).toBe(false);
      const after = await expectFastMatchesFull(adapter, project, ctx);
      expect(after.fast.summary).toMatchObject({ applied: 2, pending: 1 });
    });
  });

  it('out-of-order (SQLite): merged late, applied as-is in a later batch, then a recorded file goes missing', async () => {
    const dir = copyFixture('laravel/out-of-order');
    const project = projectIn(adapter, dir, (await database('sqlite', dir)).url);
    const M = join(dir, 'database/migrations');
    await runMigrations(adapter, project, 'up', { kind: 'latest' }, ctx);
    for (const f of readdirSync(join(dir, 'branch'))) cpSync(join(dir, 'branch', f), join(M, f)); // the merge
    const merged = await expectFastMatchesFull(adapter, project, ctx);
    expect(merged.fast.history).toMatchObject({ kind: 'outOfOrder' });

    await runMigrations(adapter, project, 'up', { kind: 'to', id: '2024_03_05_090000_add_owner_to_projects_table' }, ctx);
    const mixed = await expectFastMatchesFull(adapter, project, ctx);
    expect(states(mixed.fast)).toEqual(['create_projects_table:applied@1', 'create_tasks_table:applied@1', 'add_owner_to_projects_table:applied@2', 'add_archived_to_projects_table:out-of-order']);

    renameSync(join(M, '2024_03_10_090000_create_tasks_table.php'), join(dir, 'tasks.php'));
    const gone = await expectFastMatchesFull(adapter, project, ctx);
    expect(gone.fast.history).toMatchObject({ kind: 'diverged', unknownToCode: ['2024_03_10_090000_create_tasks_table'] });
  });

  it('irreversible (PostgreSQL): fresh and applied (reversibility is left to the full path)', async () => {
    const dir = copyFixture('laravel/irreversible');
    const project = projectIn(adapter, dir, await pg.database());
    const fresh = await expectFastMatchesFull(adapter, project, ctx);
    expect(fresh.fast.migrations.map((m) => m.reversible)).toEqual(['unknown', 'unknown', 'unknown', 'unknown']);
    expect(fresh.full.migrations.map((m) => m.reversible)).toEqual([true, false, false, false]);
    await runMigrations(adapter, project, 'up', { kind: 'latest' }, ctx);
    await expectFastMatchesFull(adapter, project, ctx);
  });

  it('rollback-gaps (PostgreSQL): fresh → all applied', async () => {
    const project = projectIn(adapter, copyFixture('laravel/rollback-gaps'), await pg.database());
    await expectFastMatchesFull(adapter, project, ctx);
    await runMigrations(adapter, project, 'up', { kind: 'latest' }, ctx);
    const all = await expectFastMatchesFull(adapter, project, ctx);
    expect(all.fast.summary).toMatchObject({ applied: 4, pending: 0 });
  });

  describe.each(['postgres', 'sqlite'] as const)('a prefixed, renamed migrations table on %s', (engine) => {
    it('reads config/database.php as Laravel does (prefix, migrations table, schema)', async () => {
      const dir = copyFixture('laravel/basic');
      const db = await database(engine, dir);
      const config = join(dir, 'config/database.php');
      let text = readFileSync(config, 'utf8')
        .replace(/'prefix' => ''/g, "'prefix' => 'app_'")
        .replace("'migrations' => 'migrations'", "'migrations' => 'schema_history'");
      if (engine === 'postgres') {
        await db.sql('CREATE SCHEMA tenant');
        text = text.replace("'schema' => 'public'", "'schema' => 'tenant'");
      }
      writeFileSync(config, text);
      const project = projectIn(adapter, dir, db.url);
      await runMigrations(adapter, project, 'up', { kind: 'steps', n: 3 }, ctx);
      const three = await expectFastMatchesFull(adapter, project, ctx);
      expect(three.fast.summary).toMatchObject({ applied: 3, pending: 1 });
      expect(three.fast.source.native).toBe(`SELECT migration, batch FROM ${engine === 'postgres' ? '"tenant".' : ''}"app_schema_history" ORDER BY batch ASC, migration ASC`);
    });
  });
});
