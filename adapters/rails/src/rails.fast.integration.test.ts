// `status --fast` (migration files + schema_migrations through core's HistoryReader, no Ruby) against
// the full `status` (metamig's helper booting the project), on every fixture and at every point of
// its life the fixture exists for, on a throwaway PostgreSQL and real SQLite files. The states are
// reached with the real bin/rails / rake, as the adapter's own integration tests do.
import { cpSync, readFileSync, readdirSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Direction, type MigrationState, type Project, type Target, selectSteps, whichSync } from '@metamig/core';
import { copyFixture as copyTestkitFixture, expectFastMatchesFull, makeContext, projectIn, removeCopy, usePostgres } from '@metamig/testkit';
import { adapter } from './index.js';

delete process.env.DATABASE_URL;
delete process.env.RAILS_ENV;
delete process.env.RACK_ENV;

const pg = usePostgres();
beforeAll(() => {
  expect(whichSync('ruby'), 'Ruby with ActiveRecord is needed: run `npm run setup` (apt: ruby ruby-rails ruby-pg ruby-sqlite3 rake)').toBeTruthy();
});

const copies: string[] = [];
afterAll(() => copies.forEach(removeCopy));
const copyFixture = (rel: string) => {
  const dir = copyTestkitFixture(rel);
  copies.push(dir);
  return dir;
};
/** adapter.up/down from the state just read: what runMigrations does, without its two extra Rails boots. */
function move(project: Project, state: MigrationState, direction: Direction, target: Target) {
  const req = { target, steps: selectSteps(state, direction, target), state };
  return direction === 'up' ? adapter.up(project, req, ctx) : adapter.down(project, req, ctx);
}
const states = (s: MigrationState) => s.migrations.map((m) => `${m.id}:${m.state}`);
const ctx = makeContext();
const LONG = 300_000; // a dozen Rails boots (~0.8 s of CPU each) per test

describe.concurrent('rails: the fast path returns exactly what the full path returns', () => {
  it('basic app on SQLite, from its own config/database.yml (no URL given): fresh → all → down 1', async () => {
    const project = projectIn(adapter, copyFixture('rails/basic'));
    const fresh = await expectFastMatchesFull(adapter, project, ctx); // db/development.sqlite3 does not exist yet
    expect(fresh.fast.summary).toEqual({ total: 4, applied: 0, pending: 4, problems: 0 });
    expect(fresh.fast.source).toMatchObject({ command: [], via: 'history-table', native: 'SELECT version FROM schema_migrations ORDER BY version ASC' });
    expect((await move(project, fresh.full, 'up', { kind: 'latest' })).ok).toBe(true);
    const all = await expectFastMatchesFull(adapter, project, ctx);
    expect(all.fast.current).toEqual(['20240304090000']);
    expect((await move(project, all.full, 'down', { kind: 'steps', n: 1 })).ok).toBe(true);
    const down = await expectFastMatchesFull(adapter, project, ctx);
    expect(down.fast.summary).toMatchObject({ applied: 3, pending: 1 });
  }, LONG);

  it('basic app on PostgreSQL (--database-url): fresh → 2 applied (VERSION=) → a database that does not exist', async () => {
    const url = await pg.database();
    const project = projectIn(adapter, copyFixture('rails/basic'), url);
    const fresh = await expectFastMatchesFull(adapter, project, ctx);
    expect((await move(project, fresh.full, 'up', { kind: 'steps', n: 2 })).ok).toBe(true);
    const two = await expectFastMatchesFull(adapter, project, ctx);
    expect(states(two.fast)).toEqual(['20240301090000:applied', '20240302090000:applied', '20240303090000:pending', '20240304090000:pending']);
    // ActiveRecord::NoDatabaseError: the full path says "all pending" (db:create creates it).
    const missing = projectIn(adapter, copyFixture('rails/basic'), url.replace(/\/[^/?]+(\?|$)/, '/metamig_no_such_db$1'));
    const none = await expectFastMatchesFull(adapter, missing, ctx);
    expect(none.fast.summary).toMatchObject({ applied: 0, pending: 4 });
  }, LONG);

  describe.each(['postgres', 'sqlite'] as const)('failed-migration (standalone Rakefile) on %s', (engine) => {
    it('fresh → a failing migration (the ones before it stay applied)', async () => {
      const project = projectIn(adapter, copyFixture('rails/failed-migration'), engine === 'postgres' ? await pg.database() : undefined);
      const fresh = await expectFastMatchesFull(adapter, project, ctx);
      expect((await move(project, fresh.full, 'up', { kind: 'latest' })).ok).toBe(false);
      const after = await expectFastMatchesFull(adapter, project, ctx);
      expect(states(after.fast)).toEqual(['20240601090000:applied', '20240602090000:applied', '20240603090000:pending', '20240604090000:pending']);
    }, LONG);
  });

  it('out-of-order (standalone, SQLite override): merged late, one applied as-is, then NO FILE', async () => {
    const dir = copyFixture('rails/out-of-order');
    const project = projectIn(adapter, dir, `sqlite:///${join(dirname(dir), 'ooo.sqlite3')}`);
    const migrate = join(dir, 'db/migrate');
    const fresh = await expectFastMatchesFull(adapter, project, ctx);
    expect((await move(project, fresh.full, 'up', { kind: 'latest' })).ok).toBe(true);
    for (const f of readdirSync(join(dir, 'branch'))) cpSync(join(dir, 'branch', f), join(migrate, f));
    const merged = await expectFastMatchesFull(adapter, project, ctx);
    expect(merged.fast.history).toEqual({ kind: 'outOfOrder', migrations: ['20240405090000', '20240407090000'] });
    expect((await move(project, merged.full, 'up', { kind: 'to', id: '20240405090000' })).ok).toBe(true);
    const mixed = await expectFastMatchesFull(adapter, project, ctx);
    expect(states(mixed.fast)).toEqual(['20240401090000:applied', '20240405090000:applied', '20240410090000:applied', '20240407090000:out-of-order']);
    renameSync(join(migrate, '20240410090000_create_tasks.rb'), join(dir, 'tasks.rb'));
    const noFile = await expectFastMatchesFull(adapter, project, ctx);
    expect(noFile.fast.history).toMatchObject({ kind: 'diverged', unknownToCode: ['20240410090000'] });
    expect(noFile.fast.migrations.find((m) => m.id === '20240410090000')).toMatchObject({ name: '(no file)', state: 'missing-file' });
  }, LONG);

  it('irreversible (standalone with a Gemfile): fresh and applied, on its own SQLite file', async () => {
    const project = projectIn(adapter, copyFixture('rails/irreversible'));
    const fresh = await expectFastMatchesFull(adapter, project, ctx);
    expect(fresh.fast.migrations.every((m) => m.reversible === 'unknown')).toBe(true); // the full path's Ripper analysis is not repeated
    expect((await move(project, fresh.full, 'up', { kind: 'latest' })).ok).toBe(true);
    await expectFastMatchesFull(adapter, project, ctx);
  }, LONG);

  it('multi-db app: primary, and animals (options.database) with its own migrations_paths', async () => {
    const primary = projectIn(adapter, copyFixture('rails/multi-db'));
    const animals: Project = { ...primary, options: { database: 'animals' } };
    expect((await move(primary, (await expectFastMatchesFull(adapter, primary, ctx)).full, 'up', { kind: 'latest' })).ok).toBe(true);
    expect((await move(animals, (await expectFastMatchesFull(adapter, animals, ctx)).full, 'up', { kind: 'steps', n: 1 })).ok).toBe(true);
    const p = await expectFastMatchesFull(adapter, primary, ctx);
    expect(p.fast.summary).toMatchObject({ applied: 2, pending: 0 });
    const a = await expectFastMatchesFull(adapter, animals, ctx);
    expect(a.fast.migrations.map((m) => m.file)).toEqual(['db/animals_migrate/20240701100000_create_dogs.rb', 'db/animals_migrate/20240703100000_add_breed_to_dogs.rb']);
    expect(states(a.fast)).toEqual(['20240701100000:applied', '20240703100000:pending']);
  }, LONG);

  it('rollback-gaps app (PostgreSQL override): fresh → all applied', async () => {
    const project = projectIn(adapter, copyFixture('rails/rollback-gaps'), await pg.database());
    const fresh = await expectFastMatchesFull(adapter, project, ctx);
    expect((await move(project, fresh.full, 'up', { kind: 'latest' })).ok).toBe(true);
    const all = await expectFastMatchesFull(adapter, project, ctx);
    expect(all.fast.summary).toMatchObject({ applied: 4, pending: 0 });
  }, LONG);

  it('schema_search_path in database.yml (PostgreSQL override): the table of that schema', async () => {
    const url = await pg.database();
    await pg.server.query(new URL(url).pathname.slice(1), 'CREATE SCHEMA tenant');
    const dir = copyFixture('rails/basic');
    const yml = join(dir, 'config/database.yml');
    writeFileSync(yml, readFileSync(yml, 'utf8').replace('  database: db/development.sqlite3', '  database: db/development.sqlite3\n  schema_search_path: tenant'));
    const project = projectIn(adapter, dir, url);
    const fresh = await expectFastMatchesFull(adapter, project, ctx);
    expect((await move(project, fresh.full, 'up', { kind: 'steps', n: 1 })).ok).toBe(true);
    const one = await expectFastMatchesFull(adapter, project, ctx);
    expect(one.fast.summary).toMatchObject({ applied: 1, pending: 3 });
    expect(one.fast.source.native).toBe('SELECT version FROM "tenant".schema_migrations ORDER BY version ASC');
  }, LONG);
});
