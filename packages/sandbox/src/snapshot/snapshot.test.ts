// Snapshots of real databases built by SQL: every object kind, and two identical schemas built in
// different orders must compare equal.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type PostgresSandbox, startPostgres } from '../postgres.js';
import { diffSchemas } from './diff.js';
import { snapshotPostgres } from './postgres.js';
import { checkClauses, snapshotSqlite } from './sqlite.js';

const PG_PARTS = {
  ext: `CREATE EXTENSION IF NOT EXISTS pgcrypto`,
  enum: `CREATE TYPE mood AS ENUM ('sad', 'ok', 'happy')`,
  users: `CREATE TABLE users (id bigserial PRIMARY KEY, email varchar(200) NOT NULL UNIQUE, full_name text, mood mood DEFAULT 'ok',
          created_at timestamptz NOT NULL DEFAULT now(), token uuid DEFAULT gen_random_uuid(), CONSTRAINT email_has_at CHECK (email LIKE '%@%'))`,
  orders: `CREATE TABLE orders (id integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY, user_id bigint NOT NULL, total_cents int NOT NULL,
           total_eur numeric GENERATED ALWAYS AS (total_cents / 100.0) STORED)`,
  fk: `ALTER TABLE orders ADD CONSTRAINT orders_user_fk FOREIGN KEY (user_id) REFERENCES users (id) NOT VALID`,
  index: `CREATE INDEX ix_orders_user_id ON orders (user_id)`,
  seq: `CREATE SEQUENCE invoice_numbers INCREMENT 10 START 1000`,
  view: `CREATE VIEW big_orders AS SELECT id, user_id FROM orders WHERE total_cents > 10000`,
  mview: `CREATE MATERIALIZED VIEW order_totals AS SELECT user_id, sum(total_cents) AS total FROM orders GROUP BY user_id`,
  fn: `CREATE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN NEW.full_name := coalesce(NEW.full_name, NEW.email); RETURN NEW; END $$`,
  trigger: `CREATE TRIGGER users_touch BEFORE INSERT ON users FOR EACH ROW EXECUTE FUNCTION touch()`,
  history: `CREATE TABLE alembic_version (version_num varchar(32) PRIMARY KEY)`,
};
const ORDER_A = ['ext', 'enum', 'users', 'orders', 'fk', 'index', 'seq', 'view', 'mview', 'fn', 'trigger', 'history'] as const;
const ORDER_B = ['history', 'fn', 'seq', 'enum', 'ext', 'users', 'trigger', 'orders', 'index', 'fk', 'mview', 'view'] as const;

describe('PostgreSQL snapshots', () => {
  let pg: PostgresSandbox;
  const urls: Record<string, string> = {};
  beforeAll(async () => {
    pg = await startPostgres();
    for (const [name, order] of [['a', ORDER_A], ['b', ORDER_B]] as const) {
      urls[name] = await pg.createDatabase(`snap_${name}`);
      for (const part of order) await pg.query(`snap_${name}`, PG_PARTS[part]);
    }
  });
  afterAll(() => pg?.stop());

  it('describes every object kind, without the history table', async () => {
    const s = await snapshotPostgres(urls.a!, { exclude: ['alembic_version'] });
    expect(Object.keys(s.tables)).toEqual(['orders', 'users']);
    expect(s.tables.users!.columns.email).toEqual({ type: 'character varying(200)', nullable: false, default: null, identity: null, generated: null });
    expect(s.tables.users!.columns.mood!.default).toBe("'ok'::mood");
    expect(s.tables.orders!.columns.id!.identity).toBe('always');
    expect(s.tables.orders!.columns.total_eur!.generated).toMatch(/total_cents/);
    expect(s.indexes.ix_orders_user_id).toEqual({ table: 'orders', definition: 'ON orders USING btree (user_id)', unique: false, primary: false, valid: true });
    expect(s.constraints['orders.orders_user_fk']).toMatchObject({ type: 'foreign key', validated: false });
    expect(s.constraints['users.email_has_at']).toMatchObject({ type: 'check' });
    expect(s.sequences.invoice_numbers).toMatchObject({ increment: '10' });
    expect(s.enums.mood).toEqual(['sad', 'ok', 'happy']);
    expect(s.views.order_totals!.materialized).toBe(true);
    expect(s.triggers['users.users_touch']!.definition).toContain('EXECUTE FUNCTION touch()');
    expect(Object.keys(s.functions)).toEqual(['touch()']);
    expect(Object.keys(s.extensions)).toEqual(['pgcrypto']);
    expect(JSON.stringify(s)).not.toContain('alembic_version');
  });

  it('two schemas built in different orders compare equal', async () => {
    const a = await snapshotPostgres(urls.a!, { exclude: ['alembic_version'] });
    const b = await snapshotPostgres(urls.b!, { exclude: ['alembic_version'] });
    expect(diffSchemas(a, b)).toEqual([]);
    expect(JSON.stringify(a)).toBe(JSON.stringify(b));
  });

  it('reports differences in words', async () => {
    const before = await snapshotPostgres(urls.a!, { exclude: ['alembic_version'] });
    await pg.query('snap_a', 'DROP INDEX ix_orders_user_id');
    await pg.query('snap_a', 'ALTER TABLE users ADD COLUMN nickname text, ALTER COLUMN full_name SET NOT NULL');
    await pg.query('snap_a', 'ALTER TABLE orders VALIDATE CONSTRAINT orders_user_fk');
    await pg.query('snap_a', "ALTER TYPE mood ADD VALUE 'ecstatic'");
    await pg.query('snap_a', 'CREATE TABLE leftovers (id int)');
    const after = await snapshotPostgres(urls.a!, { exclude: ['alembic_version'] });
    expect(diffSchemas(before, after).map((d) => d.message).sort()).toEqual([
      'column users.full_name: nullable is false, expected true',
      'column users.nickname still exists',
      'constraint orders.orders_user_fk: validated is true, expected false',
      'enum mood: labels is ["sad","ok","happy","ecstatic"], expected ["sad","ok","happy"]',
      'index ix_orders_user_id missing',
      'table leftovers still exists',
    ]);
  });
});

describe('SQLite snapshots', () => {
  const build = (order: string[]) => {
    const file = join(mkdtempSync(join(tmpdir(), 'metamig-snap-')), 'db.sqlite3');
    const db = new Database(file);
    const parts: Record<string, string> = {
      users: `CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT NOT NULL UNIQUE, full_name TEXT, CHECK (email LIKE '%@%'))`,
      orders: `CREATE TABLE orders (id INTEGER PRIMARY KEY, user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE, total INTEGER DEFAULT 0)`,
      index: `CREATE INDEX ix_orders_user_id ON orders (user_id)`,
      view: `CREATE VIEW big AS SELECT id FROM orders WHERE total > 100`,
      trigger: `CREATE TRIGGER t AFTER INSERT ON users BEGIN UPDATE users SET full_name = email WHERE id = NEW.id; END`,
      history: `CREATE TABLE knex_migrations (id INTEGER PRIMARY KEY, name TEXT)`,
    };
    for (const p of order) db.exec(parts[p]!);
    db.close();
    return file;
  };

  it('describes tables, constraints, indexes, views and triggers; order does not matter', () => {
    const a = snapshotSqlite(build(['users', 'orders', 'index', 'view', 'trigger', 'history']), { exclude: ['knex_migrations'] });
    const b = snapshotSqlite(build(['history', 'users', 'trigger', 'orders', 'view', 'index']), { exclude: ['knex_migrations'] });
    expect(diffSchemas(a, b)).toEqual([]);
    expect(Object.keys(a.tables)).toEqual(['orders', 'users']);
    expect(a.tables.users!.columns.email).toMatchObject({ type: 'text', nullable: false });
    expect(Object.values(a.constraints).map((c) => c.type).sort()).toEqual(['check', 'foreign key', 'unique']);
    expect(a.indexes.ix_orders_user_id).toMatchObject({ table: 'orders', definition: 'ON orders(user_id)' });
    expect(Object.keys(a.triggers)).toEqual(['users.t']);
  });

  it('reports a forgotten index in words', () => {
    const a = snapshotSqlite(build(['users', 'orders']));
    const b = snapshotSqlite(build(['users', 'orders', 'index']));
    expect(diffSchemas(a, b).map((d) => d.message)).toEqual(['index ix_orders_user_id still exists']);
  });

  it('extracts CHECK clauses with nested parentheses and strings', () => {
    expect(checkClauses("CREATE TABLE t (a int CHECK (a > (1 + 2)), b text CHECK (b <> ')'))")).toEqual(['CHECK(a >(1 + 2))', "CHECK(b <> ')')"]);
  });
});
