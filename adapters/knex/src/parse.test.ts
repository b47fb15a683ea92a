// Parsers on outputs recorded from the real helper and the real knex CLI (fixtures/knex/*/recorded).
import { describe, expect, it } from 'vitest';
import { isMigratorError } from '@metamig/core';
import { recorded } from '@metamig/testkit';
import {
  appliedAtOf,
  displayName,
  failedMigrationFrom,
  irreversibleReason,
  knexOutput,
  migrationsFromStatus,
  missingFromCorrupt,
  parseHelperOutput,
  planSteps,
  setupError,
  statusWarnings,
} from './parse.js';

const run = (fixture: string, name: string) => ({ stdout: recorded(`knex/${fixture}`, `${name}.stdout`), stderr: recorded(`knex/${fixture}`, `${name}.stderr`) });
const doc = (fixture: string, name: string, op: string) => parseHelperOutput(run(fixture, name), op);
const BASIC = ['20240115093000_create_users.cjs', '20240116101500_add_users_email.cjs', '20240117084500_add_users_email_index.cjs', '20240118120000_seed_admin_user.cjs'];

describe('parseHelperOutput', () => {
  it('takes the JSON document on the last line of stdout', () => {
    const d = doc('basic', 'helper-status-fresh-postgres', 'status');
    expect(d).toMatchObject({ protocol: 1, op: 'status', ok: true, knexVersion: '3.3.0', engine: 'postgres', tableExists: false });
    expect(parseHelperOutput({ stdout: `migration says hi\n${JSON.stringify(d)}\n`, stderr: '' }, 'status').files).toHaveLength(4);
  });

  it('refuses anything else with the output attached', () => {
    for (const stdout of ['', 'Batch 1 run: 4 migrations\n', '{"protocol":2,"op":"status","ok":true,"log":[]}']) {
      const e = (() => {
        try {
          return parseHelperOutput({ stdout, stderr: 'boom' }, 'status');
        } catch (err) {
          return err;
        }
      })();
      expect(isMigratorError(e) && e.code).toBe('TOOL.OUTPUT_UNPARSEABLE');
    }
    expect(() => parseHelperOutput(run('basic', 'helper-up-latest-postgres'), 'status')).toThrow(/an answer for "up"/);
  });
});

describe('migrationsFromStatus', () => {
  it('fresh SQLite: the file does not exist, everything pending in knex order', () => {
    const d = doc('basic', 'helper-status-fresh-sqlite', 'status');
    expect(d.databaseExists).toBe(false);
    const ms = migrationsFromStatus(d);
    expect(ms.map((m) => [m.id, m.state, m.transactional, m.reversible])).toEqual([
      [BASIC[0], 'pending', true, true],
      [BASIC[1], 'pending', true, true],
      [BASIC[2], 'pending', false, true], // exports.config = { transaction: false }
      [BASIC[3], 'pending', true, true],
    ]);
    expect(ms.map((m) => m.parents)).toEqual([[], [BASIC[0]], [BASIC[1]], [BASIC[2]]]);
    expect(ms[0]).toMatchObject({ name: 'create_users', file: 'migrations/20240115093000_create_users.cjs' });
    expect(statusWarnings(d)).toEqual([expect.stringContaining('does not exist yet')]);
  });

  it('applied on PostgreSQL (Date) and SQLite (epoch ms): batch and time', () => {
    for (const name of ['helper-status-applied-postgres', 'helper-status-applied-sqlite']) {
      const d = doc('basic', name, 'status');
      expect(d.listedBy).toBe('migrate.list');
      const ms = migrationsFromStatus(d);
      expect(ms.map((m) => m.state)).toEqual(['applied', 'applied', 'applied', 'applied']);
      expect(ms.every((m) => m.batch === 1 && /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/.test(m.appliedAt ?? ''))).toBe(true);
    }
    expect(typeof doc('basic', 'helper-status-applied-sqlite', 'status').completed![0]!.migration_time).toBe('number');
  });

  it('out of order after a merge, then one applied as-is', () => {
    const merged = migrationsFromStatus(doc('out-of-order', 'helper-status-out-of-order', 'status'));
    expect(merged.map((m) => [m.id, m.state])).toEqual([
      ['20240301090000_create_projects.cjs', 'applied'],
      ['20240310090000_create_tasks.cjs', 'applied'],
      ['20240305090000_add_projects_owner.cjs', 'out-of-order'],
      ['20240307090000_add_projects_archived.cjs', 'out-of-order'],
    ]);
    expect(merged[2]!.detail).toContain('older than the newest applied');
    const later = migrationsFromStatus(doc('out-of-order', 'helper-status-applied-out-of-order', 'status'));
    expect(later.map((m) => m.state)).toEqual(['applied', 'applied', 'applied', 'out-of-order']);
    expect(later[2]).toMatchObject({ id: '20240305090000_add_projects_owner.cjs', batch: 2, detail: 'applied out of order: after 20240310090000_create_tasks.cjs, which sorts after it' });
  });

  it('a recorded migration without its file is a missing-file row, not a crash', () => {
    const d = doc('out-of-order', 'helper-status-missing-file', 'status');
    expect(d.listError).toBe('The migration directory is corrupt, the following files are missing: 20240310090000_create_tasks.cjs');
    const ms = migrationsFromStatus(d);
    expect(ms.find((m) => m.id === '20240310090000_create_tasks.cjs')).toMatchObject({ state: 'missing-file', reversible: false, batch: 1 });
    expect(statusWarnings(d)).toEqual([expect.stringContaining('knex refuses to list or run migrations: The migration directory is corrupt')]);
  });

  it('irreversible: a down() that only throws, and no down() at all', () => {
    const ms = migrationsFromStatus(doc('irreversible', 'helper-status', 'status'));
    expect(ms.map((m) => m.reversible)).toEqual([true, false, false]);
    expect(ms[1]!.irreversibleReason).toBe('its down() only throws: "irreversible: the legacy_payload data was dropped"');
    expect(ms[2]!.irreversibleReason).toContain('exports no down() function');
  });
});

describe("knex's own words", () => {
  it('finds the failing migration in the CLI and in the helper', () => {
    const failing = '20240403090000_add_customers_email_unique.cjs';
    expect(failedMigrationFrom(recorded('knex/failed-migration', 'knex-migrate-latest-postgres.stdout'))).toBe(failing);
    expect(failedMigrationFrom(recorded('knex/failed-migration', 'helper-up-sqlite.stderr'))).toBe(failing);
    expect(failedMigrationFrom(recorded('knex/irreversible', 'helper-up-no-down.stderr'))).toBeUndefined(); // knex names no file there
  });

  it('keeps PostgreSQL detail next to knex log', () => {
    const r = run('failed-migration', 'helper-up-postgres');
    const d = parseHelperOutput(r, 'up');
    expect(d).toMatchObject({ ok: false, stage: 'run', error: { code: '23505' } });
    const text = knexOutput(r.stderr, d);
    expect(text.split('\n')).toEqual([
      'migration file "20240403090000_add_customers_email_unique.cjs" failed',
      'migration failed with error: alter table "customers" add constraint "customers_email_unique" unique ("email") - could not create unique index "customers_email_unique"',
      'DETAIL: Key (email)=(ada@example.com) is duplicated.',
    ]);
  });

  it('reads the missing files from the corrupt-directory error (CLI and helper)', () => {
    expect(missingFromCorrupt(recorded('knex/out-of-order', 'knex-migrate-list-corrupt.stderr'))).toEqual(['20240310090000_create_tasks.cjs']);
    const d = doc('out-of-order', 'helper-up-corrupt', 'up');
    expect(missingFromCorrupt(d.error!.message)).toEqual(['20240310090000_create_tasks.cjs']);
    expect(missingFromCorrupt('relation "x" does not exist')).toBeUndefined();
  });

  it('turns setup failures into errors that say what to do', () => {
    const noKnex = setupError(doc('basic', 'helper-status-no-knex', 'status'), 'basic:knex', '/srv/basic');
    expect(noKnex).toMatchObject({ code: 'TOOL.NOT_FOUND', summary: 'knex is not installed in basic:knex.', fix: expect.stringContaining('`npm install knex`') });
    const noEnv = setupError(doc('out-of-order', 'helper-status-no-environment', 'status'), 'ooo:knex', '/srv/ooo');
    expect(noEnv).toMatchObject({ code: 'CONFIG.INVALID', fix: expect.stringContaining('development, production') });
  });
});

describe('planSteps', () => {
  it('PostgreSQL: captured SQL with bindings, the non-transactional step unavailable', () => {
    const d = doc('basic', 'helper-plan-up-postgres', 'plan');
    const steps = migrationsFromStatus(doc('basic', 'helper-status-fresh-postgres', 'status'));
    const plan = planSteps(d, steps, 'up');
    expect(plan.map((s) => s.sqlSource)).toEqual(['sandbox-capture', 'sandbox-capture', 'unavailable', 'sandbox-capture']);
    expect(plan[1]!.statements).toEqual([{ sql: 'alter table "users" add column "email" varchar(255)', kind: 'sql' }]);
    expect(plan[3]!.statements).toEqual([{ sql: 'insert into "users" ("email", "name") values ($1, $2)', kind: 'sql', note: 'bindings: ["admin@example.com","admin"]' }]);
    expect(plan[3]!.reason).toContain('captured after 20240117084500_add_users_email_index.cjs could not be');
    expect(plan.map((s) => s.transactional)).toEqual([true, true, false, true]);
  });

  it('PostgreSQL: a CONCURRENTLY index knex would wrap in a transaction is flagged, and really fails', () => {
    const name = 'helper-plan-up-concurrently-in-transaction-postgres';
    const plan = planSteps(doc('basic', name, 'plan'), migrationsFromStatus(doc('basic', 'helper-status-fresh-postgres', 'status')), 'up');
    expect(plan[2]).toMatchObject({ sqlSource: 'unavailable', statements: [{ sql: 'create index concurrently users_email_index on users (email)' }] });
    expect(plan[2]!.reason).toMatch(/^will FAIL when applied: knex runs it inside a transaction, .*CREATE INDEX CONCURRENTLY cannot run inside a transaction block/);
    expect(plan[3]!.sqlSource).toBe('sandbox-capture'); // the savepoint let the capture go on
    const real = doc('basic', 'helper-up-concurrently-in-transaction-postgres', 'up');
    expect(real).toMatchObject({ ok: false, error: { code: '25001' } });
    expect(failedMigrationFrom(recorded('knex/basic', 'helper-up-concurrently-in-transaction-postgres.stderr'))).toBe(BASIC[2]);
  });

  it('SQLite: the copy runs the non-transactional step too', () => {
    const plan = planSteps(doc('basic', 'helper-plan-up-sqlite', 'plan'), migrationsFromStatus(doc('basic', 'helper-status-fresh-sqlite', 'status')), 'up');
    expect(plan[2]).toMatchObject({ sqlSource: 'sandbox-capture', statements: [{ sql: 'create index users_email_index on users (email)' }] });
  });

  it('a migration missing from the answer is unavailable, one that issued nothing is opaque', () => {
    const m = migrationsFromStatus(doc('basic', 'helper-status-fresh-sqlite', 'status'))[0]!;
    expect(planSteps({ protocol: 1, op: 'plan', ok: true, log: [], steps: [] }, [m], 'up')[0]).toMatchObject({ sqlSource: 'unavailable', reason: expect.any(String) });
    expect(planSteps({ protocol: 1, op: 'plan', ok: true, log: [], steps: [{ name: m.id, statements: [] }] }, [m], 'up')[0]!.statements).toEqual([{ sql: '', kind: 'opaque', note: 'up() ran and issued no SQL' }]);
  });
});

describe('small parsers', () => {
  it('appliedAtOf', () => {
    expect(appliedAtOf(1700000000123)).toBe('2023-11-14T22:13:20.123Z');
    expect(appliedAtOf('1700000000123')).toBe('2023-11-14T22:13:20.123Z');
    expect(appliedAtOf('2024-01-02T03:04:05.000Z')).toBe('2024-01-02T03:04:05.000Z');
    expect(appliedAtOf('2024-01-02 03:04:05')).toMatch(/^2024-01-0[12]T/);
    expect(appliedAtOf(null)).toBeUndefined();
    expect(appliedAtOf('yesterday')).toBeUndefined();
  });

  it('displayName', () => {
    expect(displayName('20240115093000_create_users.cjs')).toBe('create_users');
    expect(displayName('init.js')).toBe('init');
  });

  it('irreversibleReason only for a down() whose body is a throw', () => {
    const r = (downSource: string) => irreversibleReason({ name: 'x.js', hasUp: true, hasDown: true, downSource });
    expect(r('function down() {\n  throw new Error("no way back");\n}')).toBe('its down() only throws: "no way back"');
    expect(r('async () => { throw new Error(`gone`) }')).toBe('its down() only throws: "gone"');
    expect(r('() => {\n  throw new IrreversibleMigration();\n}')).toBe('its down() only throws');
    expect(r("async (knex) => { if (!ok) throw new Error('x'); await knex.schema.dropTable('t'); }")).toBeUndefined();
    expect(r("(knex) => knex.schema.dropTable('t')")).toBeUndefined();
    expect(irreversibleReason({ name: 'x.js', loadError: 'SyntaxError' })).toBeUndefined();
  });
});
