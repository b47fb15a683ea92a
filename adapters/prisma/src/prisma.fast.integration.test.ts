// `status --fast` (the folder + _prisma_migrations through core's HistoryReader, no process) against
// the full `status` (the project's own Prisma 6.19.3 CLI + the table helper), on every fixture and at
// every point of its life the fixture exists for, on a throwaway PostgreSQL and real SQLite files.
// The states are reached with the real tools, as the adapter's own integration tests do.
import { cpSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { type Direction, type MigrationState, type Project, type Target, selectSteps } from '@metamig/core';
import { createHistoryReader } from '@metamig/sandbox';
import { copyFixture, expectFastMatchesFull, makeContext, projectIn, removeCopy, repoRoot, usePostgres } from '@metamig/testkit';
import { adapter } from './index.js';

delete process.env.DATABASE_URL; // every test says which database it uses

const pg = usePostgres();
beforeAll(() => {
  try {
    createRequire(join(repoRoot, 'package.json')).resolve('prisma/package.json');
  } catch {
    throw new Error(`prisma is not installed at ${repoRoot}: run \`npm ci\` there (or scripts/setup); prisma 6.19.3 is a root devDependency.`);
  }
});

const copies: string[] = [];
const temps: string[] = [];
afterAll(() => {
  copies.forEach(removeCopy);
  temps.forEach((d) => rmSync(d, { recursive: true, force: true }));
});

/** A copy of fixtures/prisma/<rel> with the repo's node_modules linked in (its own prisma). */
function prismaProject(rel: string, databaseUrl?: string): Project {
  const dir = copyFixture(`prisma/${rel}`);
  copies.push(dir);
  symlinkSync(join(repoRoot, 'node_modules'), join(dir, 'node_modules'));
  return projectIn(adapter, dir, databaseUrl);
}

async function database(engine: 'postgres' | 'sqlite'): Promise<{ url: string; sql: (q: string) => Promise<void> }> {
  if (engine === 'postgres') {
    const url = await pg.database();
    const name = new URL(url).pathname.slice(1);
    return { url, sql: async (q) => void (await pg.server.query(name, q)) };
  }
  const dir = mkdtempSync(join(tmpdir(), 'metamig-prisma-fast-'));
  temps.push(dir);
  const file = join(dir, 'db.sqlite3');
  return {
    url: `sqlite://${file}`,
    sql: async (q) => {
      const db = new Database(file);
      db.exec(q);
      db.close();
    },
  };
}

/** adapter.up/down from the state just read: what runMigrations does, without its two extra status reads. */
function move(project: Project, state: MigrationState, direction: Direction, target: Target) {
  const req = { target, steps: selectSteps(state, direction, target), state };
  return direction === 'up' ? adapter.up(project, req, ctx) : adapter.down(project, req, ctx);
}
const states = (s: MigrationState) => s.migrations.map((m) => `${m.id.slice(15)}:${m.state}`);
const ctx = makeContext();

describe.concurrent('prisma: the fast path returns exactly what the full path returns', () => {
  describe.each(['postgres', 'sqlite'] as const)('basic on %s', (engine) => {
    it('fresh → 2 applied → 1 rolled back (down.sql) → all applied (deploy) → timestamps as the native engine writes them', async ({ expect }) => {
      const db = await database(engine);
      const project = prismaProject(`basic/${engine}`, db.url);
      const fresh = await expectFastMatchesFull(adapter, project, ctx);
      expect(fresh.fast.summary).toEqual({ total: 4, applied: 0, pending: 4, problems: 0 });
      // What only the files say is computed the same way on both paths.
      expect(fresh.fast.migrations.map((m) => m.reversible)).toEqual(fresh.full.migrations.map((m) => m.reversible));
      expect(fresh.fast.source).toMatchObject({ command: [], via: 'history-table', toolVersion: '6.19.3' });

      expect((await move(project, fresh.full, 'up', { kind: 'steps', n: 2 })).mode.kind).toBe('emulated'); // a subset
      const two = await expectFastMatchesFull(adapter, project, ctx);
      expect(states(two.fast)).toEqual(['create_users:applied', 'add_users_display_name:applied', 'backfill_users_display_name:pending', 'add_users_display_name_index:pending']);
      expect(two.fast.migrations[0]!.appliedAt).toMatch(/^\d{4}-\d\d-\d\dT/);

      expect((await move(project, two.full, 'down', { kind: 'steps', n: 1 })).ok).toBe(true); // down.sql, rows deleted
      const one = await expectFastMatchesFull(adapter, project, ctx);
      expect(one.fast.summary).toMatchObject({ applied: 1, pending: 3 });

      expect((await move(project, one.full, 'up', { kind: 'latest' })).mode).toEqual({ kind: 'native' }); // prisma migrate deploy
      const all = await expectFastMatchesFull(adapter, project, ctx);
      expect(all.fast.current).toEqual(['20240113090000_add_users_display_name_index']);
      expect(all.full.source.via).toBe('tool'); // the CLI ran (and agreed with the table)

      if (engine === 'sqlite') {
        // Prisma's native schema engine stores unix milliseconds in SQLite, the JS engine ISO text.
        await db.sql("UPDATE _prisma_migrations SET started_at = CAST(strftime('%s', started_at) AS INTEGER) * 1000, finished_at = CAST(strftime('%s', finished_at) AS INTEGER) * 1000");
        const native = await expectFastMatchesFull(adapter, project, ctx);
        expect(native.fast.migrations.every((m) => /\.000Z$/.test(m.appliedAt ?? ''))).toBe(true);
      }
    });
  });

  describe.each(['postgres', 'sqlite'] as const)('failed-migration on %s', (engine) => {
    it('fresh → failed (with logs) → resolved as rolled back → edited after it was applied', async ({ expect }) => {
      const db = await database(engine);
      const project = prismaProject(`failed-migration/${engine}`, db.url);
      const fresh = await expectFastMatchesFull(adapter, project, ctx);
      expect((await move(project, fresh.full, 'up', { kind: 'latest' })).ok).toBe(false);
      const failed = await expectFastMatchesFull(adapter, project, ctx);
      expect(failed.fast.history).toMatchObject({ kind: 'failed', migration: '20240303090000_add_customers_email_unique', detail: expect.stringContaining('Unique constraint failed') });

      // What `prisma migrate resolve --rolled-back` records (it cannot run with Prisma 6's JS engine).
      await db.sql(`UPDATE _prisma_migrations SET rolled_back_at = ${engine === 'postgres' ? 'now()' : "'2024-03-04T09:00:00.000+00:00'"} WHERE finished_at IS NULL`);
      const resolved = await expectFastMatchesFull(adapter, project, ctx);
      expect(resolved.fast.migrations[2]).toMatchObject({ state: 'pending', detail: expect.stringContaining('rolled back at') });

      await db.sql("UPDATE _prisma_migrations SET checksum = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855' WHERE migration_name = '20240301090000_create_customers'");
      const edited = await expectFastMatchesFull(adapter, project, ctx);
      expect(edited.fast.history).toEqual({ kind: 'edited', migrations: ['20240301090000_create_customers'] });
    });
  });

  it('drift on PostgreSQL: applied elsewhere (missing folder), edited, pending; then a late merge out of order', async ({ expect }) => {
    const db = await database('postgres');
    const other = prismaProject('drift', db.url);
    rmSync(join(other.absRoot, 'prisma/migrations'), { recursive: true });
    cpSync(join(other.absRoot, 'applied-elsewhere/migrations'), join(other.absRoot, 'prisma/migrations'), { recursive: true });
    const elsewhere = await expectFastMatchesFull(adapter, other, ctx);
    expect((await move(other, elsewhere.full, 'up', { kind: 'latest' })).ok).toBe(true);

    const project = prismaProject('drift', db.url);
    const drift = await expectFastMatchesFull(adapter, project, ctx);
    expect(states(drift.fast)).toEqual(['create_projects:applied', 'add_projects_archived:edited', 'add_projects_owner:missing-file', 'create_tasks:pending']);
    expect(drift.fast.history).toEqual({ kind: 'diverged', unknownToCode: ['20240403090000_add_projects_owner'], lastCommon: '20240402090000_add_projects_archived' });

    cpSync(join(project.absRoot, 'merged-later'), join(project.absRoot, 'prisma/migrations'), { recursive: true });
    const merged = await expectFastMatchesFull(adapter, project, ctx);
    expect(merged.fast.migrations.find((m) => m.id === '20240401120000_add_projects_color')?.state).toBe('out-of-order');

    // A failed row whose folder is not here either.
    await db.sql("INSERT INTO _prisma_migrations (id, checksum, migration_name, logs, started_at) VALUES ('f0000000-0000-4000-8000-000000000000', 'x', '20240404090000_from_elsewhere', 'ERROR: boom', now())");
    const failedElsewhere = await expectFastMatchesFull(adapter, project, ctx);
    expect(failedElsewhere.fast.history).toMatchObject({ kind: 'failed', migration: '20240404090000_from_elsewhere' });
  });

  it('rollback-gaps on PostgreSQL: fresh → 3 applied → 1 rolled back (down.sql)', async ({ expect }) => {
    const project = prismaProject('rollback-gaps', (await database('postgres')).url);
    const fresh = await expectFastMatchesFull(adapter, project, ctx);
    expect((await move(project, fresh.full, 'up', { kind: 'steps', n: 3 })).ok).toBe(true);
    const three = await expectFastMatchesFull(adapter, project, ctx);
    expect(three.fast.summary).toMatchObject({ applied: 3, pending: 1 });
    expect((await move(project, three.full, 'down', { kind: 'steps', n: 1 })).ok).toBe(true);
    await expectFastMatchesFull(adapter, project, ctx);
  });

  it('a schema other than public (?schema=), as Prisma reads it', async ({ expect }) => {
    const url = await pg.database();
    await pg.server.query(new URL(url).pathname.slice(1), 'CREATE SCHEMA sales');
    const project = prismaProject('basic/postgres', `${url}?schema=sales`);
    const fresh = await expectFastMatchesFull(adapter, project, ctx);
    expect((await move(project, fresh.full, 'up', { kind: 'steps', n: 1 })).ok).toBe(true);
    const one = await expectFastMatchesFull(adapter, project, ctx);
    expect(one.fast.summary).toMatchObject({ applied: 1, pending: 3 });
    expect(one.fast.source.native).toContain('FROM "sales"."_prisma_migrations"');
  });

  it('refuses, saying why, when the database is decided by code (and the CLI then runs the tool)', async ({ expect }) => {
    // basic/sqlite without --database-url: its prisma.config.ts builds a driver adapter from .env.
    const project = prismaProject('basic/sqlite');
    const history = createHistoryReader();
    try {
      await expect(adapter.statusFast!(project, { ...ctx, history })).rejects.toMatchObject({
        code: 'OPERATION.UNSUPPORTED',
        why: 'prisma.config.ts gives Prisma a driver adapter: the database migrate uses is built by that code, not read from the datasource url',
      });
    } finally {
      await history.close();
    }
  });
});
