// Lock and rewrite observation on a real server: a migration simulated by a client running DDL in a
// transaction, as the migration tools do.
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { installObservationPause, lockModeName, observeLocks } from './observe.js';
import { type PostgresSandbox, startPostgres } from './postgres.js';
import { seedTables } from './seed.js';
import { snapshotPostgres } from './snapshot/postgres.js';

let server: PostgresSandbox;
beforeAll(async () => {
  server = await startPostgres();
});
afterAll(() => server?.stop());

async function migrate(url: string, statements: string[]): Promise<void> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  await c.query('BEGIN');
  for (const s of statements) await c.query(s);
  await c.query('COMMIT');
  await c.end();
}

describe('seedTables', () => {
  it('fills every table, parents first, respecting types, enums and foreign keys', async () => {
    const url = await server.createDatabase('seed');
    await migrate(url, [
      `CREATE TYPE plan AS ENUM ('free', 'pro')`,
      `CREATE TABLE accounts (id bigserial PRIMARY KEY, name varchar(20) NOT NULL UNIQUE, plan plan NOT NULL, active boolean NOT NULL, meta jsonb)`,
      `CREATE TABLE orders (id serial PRIMARY KEY, account_id bigint NOT NULL REFERENCES accounts (id), placed_on date NOT NULL, total numeric(10,2) NOT NULL, ref uuid NOT NULL)`,
      `CREATE TABLE only_defaults (id serial PRIMARY KEY, created_at timestamptz NOT NULL DEFAULT now())`,
    ]);
    const res = await seedTables(url, await snapshotPostgres(url), 200);
    expect(res).toEqual([
      { table: 'accounts', rows: 200 },
      { table: 'only_defaults', rows: 200 },
      { table: 'orders', rows: 200 },
    ]);
    expect(await server.query('seed', 'SELECT count(DISTINCT account_id)::int AS n FROM orders')).toEqual([{ n: 200 }]);
    // Already-filled tables are left alone.
    expect(await seedTables(url, await snapshotPostgres(url), 200)).toEqual([]);
  });
});

describe('observeLocks', () => {
  it('records the lock each statement takes on existing tables, and rewrites', async () => {
    const url = await server.createDatabase('observe');
    await migrate(url, [`CREATE TABLE users (id serial PRIMARY KEY, email text NOT NULL, age int)`]);
    await seedTables(url, await snapshotPostgres(url), 2000);
    await installObservationPause(url);

    const observer = await observeLocks(url);
    await migrate(url, [
      'CREATE INDEX ix_users_email ON users (email)',
      'ALTER TABLE users ALTER COLUMN age TYPE bigint',
      'CREATE TABLE brand_new (id int)',
    ]);
    const obs = await observer.stop();

    const index = obs.locks.find((l) => l.relation === 'users' && l.statement.startsWith('CREATE INDEX'));
    expect(index?.mode).toBe('SHARE');
    const alter = obs.locks.find((l) => l.relation === 'users' && l.statement.startsWith('ALTER TABLE'));
    expect(alter?.mode).toBe('ACCESS EXCLUSIVE');
    expect(alter!.heldMs).toBeGreaterThanOrEqual(0);
    expect(obs.rewrites).toEqual(['users']);
    expect(obs.locks.some((l) => l.relation === 'brand_new')).toBe(false); // created during the run: not "existing"
    expect(obs.samples).toBeGreaterThan(5);
  });

  it('sees no rewrite for a metadata-only change', async () => {
    const url = await server.createDatabase('observe2');
    await migrate(url, [`CREATE TABLE t (id int, name varchar(10))`]);
    await seedTables(url, await snapshotPostgres(url), 500);
    await installObservationPause(url);
    const observer = await observeLocks(url);
    await migrate(url, ['ALTER TABLE t ALTER COLUMN name TYPE varchar(50)', 'ALTER TABLE t ADD COLUMN flag boolean DEFAULT false']);
    const obs = await observer.stop();
    expect(obs.rewrites).toEqual([]);
    expect(obs.locks.filter((l) => l.relation === 't').map((l) => l.mode)).toContain('ACCESS EXCLUSIVE');
  });

  it('names lock modes as the PostgreSQL docs do', () => {
    expect(lockModeName('ShareUpdateExclusiveLock')).toBe('SHARE UPDATE EXCLUSIVE');
    expect(lockModeName('AccessExclusiveLock')).toBe('ACCESS EXCLUSIVE');
  });
});
