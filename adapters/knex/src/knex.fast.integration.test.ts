// `status --fast` (knex_migrations read directly, the directory listed like knex) against the real
// knex 3.3.0 status, on a throwaway PostgreSQL and on SQLite, for every fixture at every point of its
// life: fresh, partly applied, fully applied, after a rollback, failed runs, out-of-order, missing
// files, a custom table/schema/directories. The states are reached with knex itself (adapter.up/down).
import { cpSync, mkdirSync, readdirSync, renameSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { type AdapterContext, type Direction, type MigrationState, type Project, type Target, selectSteps } from '@metamig/core';
import { copyFixture, expectFastMatchesFull, makeContext, projectIn, removeCopy, repoRoot, usePostgres } from '@metamig/testkit';
import { adapter } from './index.js';

// The fixtures' knexfiles switch on DATABASE_URL; the override decides here.
delete process.env.DATABASE_URL;

const pg = usePostgres();
const copies: string[] = [];
afterAll(() => copies.forEach(removeCopy));

type Engine = 'postgres' | 'sqlite';
const ENGINES: Engine[] = ['postgres', 'sqlite'];

/** A copy of fixtures/knex/<name> with node_modules linked in, on a fresh database of `engine`. */
async function project(name: string, engine: Engine, options: Record<string, unknown> = {}): Promise<Project> {
  const dir = copyFixture(`knex/${name}`);
  copies.push(dir);
  symlinkSync(join(repoRoot, 'node_modules'), join(dir, 'node_modules'));
  const url = engine === 'postgres' ? await pg.database() : `sqlite:///${join(dirname(dir), `${name}.sqlite3`)}`;
  return { ...projectIn(adapter, dir, url), options };
}

/** Move the database with knex itself, from a status just read. */
async function move(p: Project, ctx: AdapterContext, state: MigrationState, direction: Direction, target: Target) {
  const steps = selectSteps(state, direction, target);
  const req = { target, steps, state };
  return direction === 'up' ? adapter.up(p, req, ctx) : adapter.down(p, req, ctx);
}

/** Fast equals full here; returns the full state for the next move. */
async function same(p: Project, ctx: AdapterContext): Promise<MigrationState> {
  return (await expectFastMatchesFull(adapter, p, ctx)).full;
}

const states = (s: MigrationState) => s.migrations.map((m) => m.state);

describe.concurrent.each(ENGINES)('fast status = knex status on %s', (engine) => {
  test('basic: fresh, partly applied, applied, rolled back, a file gone', async () => {
    const ctx = makeContext();
    const p = await project('basic', engine);
    let s = await same(p, ctx);
    expect(states(s)).toEqual(['pending', 'pending', 'pending', 'pending']);
    expect((await move(p, ctx, s, 'up', { kind: 'steps', n: 2 })).ok).toBe(true);
    s = await same(p, ctx);
    expect(states(s)).toEqual(['applied', 'applied', 'pending', 'pending']);
    expect((await move(p, ctx, s, 'up', { kind: 'latest' })).ok).toBe(true);
    s = await same(p, ctx);
    expect(s.summary.applied).toBe(4);
    expect((await move(p, ctx, s, 'down', { kind: 'steps', n: 1 })).ok).toBe(true);
    const { fast } = await expectFastMatchesFull(adapter, p, ctx);
    expect(states(fast)).toEqual(['applied', 'applied', 'applied', 'pending']);
    expect(fast.migrations[0]!.appliedAt).toMatch(/^\d{4}-\d\d-\d\dT/);
    expect(fast.source).toMatchObject({ via: 'history-table', command: [], native: expect.stringContaining('FROM "knex_migrations" ORDER BY id') });
    // A recorded migration whose file disappeared: missing-file, diverged.
    renameSync(join(p.absRoot, 'migrations/20240116101500_add_users_email.cjs'), join(p.absRoot, 'add_users_email.cjs.bak'));
    const gone = await expectFastMatchesFull(adapter, p, ctx);
    expect(gone.fast.history).toMatchObject({ kind: 'diverged', unknownToCode: ['20240116101500_add_users_email.cjs'] });
  });

  test('failed-migration: a batch rolled back whole, then a partial run', async () => {
    const ctx = makeContext();
    const p = await project('failed-migration', engine);
    let s = await same(p, ctx);
    expect((await move(p, ctx, s, 'up', { kind: 'latest' })).ok).toBe(false);
    s = await same(p, ctx);
    expect(s.summary.applied).toBe(0);
    expect((await move(p, ctx, s, 'up', { kind: 'steps', n: 2 })).ok).toBe(true);
    s = await same(p, ctx);
    expect((await move(p, ctx, s, 'up', { kind: 'latest' })).ok).toBe(false);
    expect(states(await same(p, ctx))).toEqual(['applied', 'applied', 'pending']);
  });

  test('irreversible: partly applied, and a file knex refuses to run', async () => {
    const ctx = makeContext();
    const p = await project('irreversible', engine);
    let s = await same(p, ctx);
    expect((await move(p, ctx, s, 'up', { kind: 'steps', n: 2 })).ok).toBe(true);
    s = await same(p, ctx);
    expect((await move(p, ctx, s, 'up', { kind: 'latest' })).ok).toBe(false); // no down(): knex refuses it
    expect(states(await same(p, ctx))).toEqual(['applied', 'applied', 'pending']);
  });

  test('out-of-order: merged older files, one applied late, then a recorded file missing', async () => {
    const ctx = makeContext();
    const p = await project('out-of-order', engine, { environment: 'development' });
    let s = await same(p, ctx);
    expect((await move(p, ctx, s, 'up', { kind: 'latest' })).ok).toBe(true);
    await same(p, ctx);
    for (const f of readdirSync(join(p.absRoot, 'branch'))) cpSync(join(p.absRoot, 'branch', f), join(p.absRoot, 'migrations', f));
    s = await same(p, ctx);
    expect(s.history?.kind).toBe('outOfOrder');
    expect((await move(p, ctx, s, 'up', { kind: 'to', id: '20240305090000_add_projects_owner.cjs' })).ok).toBe(true);
    s = await same(p, ctx);
    expect(states(s)).toEqual(['applied', 'applied', 'applied', 'out-of-order']);
    expect((await move(p, ctx, s, 'down', { kind: 'steps', n: 1 })).ok).toBe(true); // undoes the late one
    await same(p, ctx);
    renameSync(join(p.absRoot, 'migrations/20240310090000_create_tasks.cjs'), join(p.absRoot, 'create_tasks.cjs'));
    expect((await same(p, ctx)).history?.kind).toBe('diverged');
  });

  test('rollback-gaps, esm (custom table and directory), typescript (keyed knexfile.ts)', async () => {
    const ctx = makeContext();
    for (const [name, options] of [['rollback-gaps', {}], ['esm', {}], ['typescript', { environment: 'development' }]] as const) {
      const p = await project(name, engine, options);
      let s = await same(p, ctx);
      expect((await move(p, ctx, s, 'up', { kind: 'steps', n: 1 })).ok).toBe(true);
      s = await same(p, ctx);
      expect((await move(p, ctx, s, 'up', { kind: 'latest' })).ok).toBe(true);
      s = await same(p, ctx);
      expect(s.summary.pending).toBe(0);
      // rollback-gaps' last migration has no down(): knex refuses, and the state stays as it was.
      expect((await move(p, ctx, s, 'down', { kind: 'steps', n: 1 })).ok).toBe(name !== 'rollback-gaps');
      const { fast } = await expectFastMatchesFull(adapter, p, ctx);
      if (name === 'esm') expect(fast.source.native).toContain('"schema_history"');
    }
  });

  test('several directories, sortDirsSeparately, another table (and schema on PostgreSQL)', async () => {
    const ctx = makeContext();
    const p = await project('basic', engine);
    // add_users_email_index moves to a second directory: knex sorts each directory on its own, so it
    // comes after seed_admin_user (a global sort by name would put it before).
    mkdirSync(join(p.absRoot, 'more'));
    renameSync(join(p.absRoot, 'migrations/20240117084500_add_users_email_index.cjs'), join(p.absRoot, 'more/20240117084500_add_users_email_index.cjs'));
    const schema = engine === 'postgres' ? `, schemaName: 'ops'` : '';
    writeFileSync(
      join(p.absRoot, 'knexfile.cjs'),
      `const shared = { directory: ['./migrations', './more'], sortDirsSeparately: true, tableName: 'history'${schema} };\nmodule.exports = { client: 'better-sqlite3', useNullAsDefault: true, migrations: shared };\n`,
    );
    if (engine === 'postgres') await pg.server.query(new URL(p.databaseUrl!).pathname.slice(1), 'CREATE SCHEMA ops');
    let s = await same(p, ctx);
    expect(s.migrations.map((m) => m.file)).toEqual([
      'migrations/20240115093000_create_users.cjs',
      'migrations/20240116101500_add_users_email.cjs',
      'migrations/20240118120000_seed_admin_user.cjs',
      'more/20240117084500_add_users_email_index.cjs',
    ]);
    expect((await move(p, ctx, s, 'up', { kind: 'steps', n: 3 })).ok).toBe(true);
    s = await same(p, ctx);
    // Pending, but its name sorts before an applied one: out of order, in both paths.
    expect(states(s)).toEqual(['applied', 'applied', 'applied', 'out-of-order']);
  });
});
