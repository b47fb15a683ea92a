// Parsers on outputs recorded from the real helper and the real bin/rails / rake (fixtures/rails/*/recorded/).
import { describe, expect, it } from 'vitest';
import type { Migration } from '@metamig/core';
import { recorded } from '@metamig/testkit';
import {
  type DatabaseEntry,
  type HelperDoc,
  bookkeepingDdl,
  classifyStatement,
  completedFrom,
  failedMigrationFrom,
  migrationError,
  migrationsFromStatus,
  parseHelperOutput,
  parseMigrateStatus,
  planSteps,
  statusWarnings,
} from './parse.js';

const run = (rel: string, name: string) => ({
  stdout: recorded(rel, `${name}.stdout`),
  stderr: recorded(rel, `${name}.stderr`),
  exitCode: Number(recorded(rel, `${name}.exit`).trim()),
});
const doc = (rel: string, name: string) => parseHelperOutput(run(rel, name), name);
const selected = (d: HelperDoc) => d.databases!.find((x) => x.selected)!;
const pick = (ms: Migration[]) => ms.map((m) => [m.id, m.state]);

const BASIC = ['20240301090000', '20240302090000', '20240303090000', '20240304090000'];

describe('the helper document', () => {
  it('is the last line of stdout', () => {
    const d = doc('rails/basic', 'helper-status-fresh-sqlite');
    expect(d).toMatchObject({ op: 'status', ok: true, env: 'development', versions: { rails: '6.1.7.10', activerecord: '6.1.7.10', bundler: '2.3.15' } });
    expect(selected(d)).toMatchObject({ name: 'primary', engine: 'sqlite', databaseExists: false, tableExists: false, applied: [] });
  });

  it('is refused when there is none, with what the process printed', () => {
    expect(() => parseHelperOutput({ stdout: '', stderr: 'ruby: No such file or directory -- helper.rb (LoadError)\n', exitCode: 1 }, 'status')).toThrow(
      expect.objectContaining({ code: 'TOOL.OUTPUT_UNPARSEABLE', toolOutput: expect.stringContaining('LoadError') }),
    );
  });
});

describe('status → migrations, in apply order', () => {
  it('fresh: every migration pending, with reversibility and transactions from the files', () => {
    const ms = migrationsFromStatus(selected(doc('rails/basic', 'helper-status-fresh-sqlite')));
    expect(pick(ms)).toEqual(BASIC.map((v) => [v, 'pending']));
    expect(ms.map((m) => m.name)).toEqual(['create_users', 'add_email_to_users', 'add_index_on_users_email', 'backfill_user_emails']);
    expect(ms.map((m) => m.file)).toEqual(BASIC.map((v, i) => `db/migrate/${v}_${ms[i]!.name}.rb`));
    expect(ms.map((m) => m.transactional)).toEqual([true, true, false, true]);
    expect(ms[2]!.detail).toBe('runs outside a transaction (disable_ddl_transaction!)');
    expect(ms.map((m) => m.reversible)).toEqual([true, true, true, true]);
    expect(ms.map((m) => m.parents)).toEqual([[], [BASIC[0]], [BASIC[1]], [BASIC[2]]]);
  });

  it('applied on PostgreSQL', () => {
    expect(pick(migrationsFromStatus(selected(doc('rails/basic', 'helper-status-applied-postgres'))))).toEqual(BASIC.map((v) => [v, 'applied']));
  });

  it('out of order: applied by version first, then the pending ones — older than the newest applied', () => {
    const ms = migrationsFromStatus(selected(doc('rails/out-of-order', 'helper-status-out-of-order')));
    expect(pick(ms)).toEqual([
      ['20240401090000', 'applied'],
      ['20240410090000', 'applied'],
      ['20240405090000', 'out-of-order'],
      ['20240407090000', 'out-of-order'],
    ]);
    expect(ms[2]!.detail).toContain('`db:migrate` runs it anyway');
  });

  it('NO FILE: a recorded version without a file is missing-file, and cannot be rolled back', () => {
    const ms = migrationsFromStatus(selected(doc('rails/out-of-order', 'helper-status-no-file')));
    expect(pick(ms)).toEqual([
      ['20240401090000', 'applied'],
      ['20240405090000', 'applied'],
      ['20240410090000', 'missing-file'],
      ['20240407090000', 'pending'],
    ]);
    expect(ms[2]).toMatchObject({ name: '(no file)', reversible: false, irreversibleReason: expect.stringContaining('No migration with version number') });
  });

  it('irreversible migrations, with the reason and where it is', () => {
    const ms = migrationsFromStatus(selected(doc('rails/irreversible', 'helper-status-fresh')));
    expect(ms.map((m) => m.reversible)).toEqual([true, 'unknown', false, false]);
    expect(ms[2]!.irreversibleReason).toBe('change uses execute, which ActiveRecord cannot reverse (write up/down or a reversible block) (db/migrate/20240503090000_normalize_event_kinds.rb:4)');
    expect(ms[3]!.irreversibleReason).toBe('its down raises ActiveRecord::IrreversibleMigration: the legacy_payload data was dropped (db/migrate/20240504090000_drop_events_legacy_payload.rb:7)');
    expect(ms[1]!.detail).toContain('defines up but no down');
  });

  it('multi-database: the selected database, the others summarised in warnings', () => {
    const multi = doc('rails/multi-db', 'helper-status-multi');
    expect(pick(migrationsFromStatus(selected(multi)))).toEqual([
      ['20240701090000', 'applied'],
      ['20240702090000', 'applied'],
    ]);
    expect(statusWarnings(multi, selected(multi))).toEqual([
      'This app has 2 databases in development (primary, animals): metamig manages primary; set options.database in the metamig config to manage another.',
      'animals (db/animals_migrate): 1 applied migration, 1 pending.',
    ]);
    const animals = doc('rails/multi-db', 'helper-status-animals');
    expect(selected(animals).name).toBe('animals');
    expect(pick(migrationsFromStatus(selected(animals)))).toEqual([
      ['20240701100000', 'applied'],
      ['20240703100000', 'pending'],
    ]);
  });

  it('warns about duplicate versions and a database that does not exist', () => {
    const db: DatabaseEntry = {
      name: 'primary',
      engine: 'postgres',
      migrationsPaths: ['db/migrate'],
      selected: true,
      databaseExists: false,
      connectError: 'FATAL:  database "shop" does not exist\n',
      files: [
        { version: '1', name: 'a', file: 'db/migrate/1_a.rb', reversible: true, transactional: true },
        { version: '1', name: 'b', file: 'db/migrate/1_b.rb', reversible: true, transactional: true },
      ],
    };
    expect(statusWarnings({ protocol: 1, op: 'status', ok: true, databases: [db] }, db)).toEqual([
      'The database does not exist yet (FATAL:  database "shop" does not exist): `db:create` creates it; metamig does not create databases.',
      'db/migrate/1_a.rb and db/migrate/1_b.rb have the same version 1: ActiveRecord refuses to migrate (DuplicateMigrationVersionError) until one is renamed.',
    ]);
  });
});

describe('`db:migrate:status` text', () => {
  it('fresh database: "Schema migrations table does not exist yet." and exit 1', () => {
    const r = run('rails/basic', 'rails-db-migrate-status-fresh-sqlite');
    expect(r.exitCode).toBe(1);
    expect(parseMigrateStatus(r.stdout, r.stderr)).toEqual({ blocks: [], missingTable: true });
  });

  it('one block per database, leading blank line and all', () => {
    const r = run('rails/basic', 'rails-db-migrate-status-postgres');
    expect(parseMigrateStatus(r.stdout)).toEqual({
      missingTable: false,
      blocks: [
        {
          database: 'basic_pg',
          rows: [
            { status: 'up', version: BASIC[0], name: 'Create users', noFile: false },
            { status: 'up', version: BASIC[1], name: 'Add email to users', noFile: false },
            { status: 'up', version: BASIC[2], name: 'Add index on users email', noFile: false },
            { status: 'down', version: BASIC[3], name: 'Backfill user emails', noFile: false },
          ],
        },
      ],
    });
  });

  it('multi-database apps: two blocks; a database without the table ends the listing', () => {
    const both = parseMigrateStatus(run('rails/multi-db', 'rails-db-migrate-status-multi').stdout);
    expect(both.blocks.map((b) => [b.database, b.rows.map((r) => `${r.status} ${r.version}`)])).toEqual([
      ['db/development.sqlite3', ['up 20240701090000', 'up 20240702090000']],
      ['db/animals_development.sqlite3', ['up 20240701100000', 'down 20240703100000']],
    ]);
    const r = run('rails/multi-db', 'rails-db-migrate-status-animals-fresh');
    const partial = parseMigrateStatus(r.stdout, r.stderr);
    expect(r.exitCode).toBe(1);
    expect(partial.blocks.map((b) => b.database)).toEqual(['db/development.sqlite3']);
    expect(partial.missingTable).toBe(true);
  });

  it('says the same as the helper on the same database (out of order, NO FILE)', () => {
    for (const [text, json] of [
      ['rake-db-migrate-status-out-of-order', 'helper-status-out-of-order'],
      ['rake-db-migrate-status-no-file', 'helper-status-no-file'],
    ] as const) {
      const rows = parseMigrateStatus(run('rails/out-of-order', text).stdout).blocks[0]!.rows;
      const ours = migrationsFromStatus(selected(doc('rails/out-of-order', json)));
      expect(rows.map((r) => [r.version, r.status === 'up' ? (r.noFile ? 'missing-file' : 'applied') : 'pending']).sort()).toEqual(
        ours.map((m) => [m.id, m.state === 'out-of-order' ? 'pending' : m.state]).sort(),
      );
    }
    expect(parseMigrateStatus(run('rails/out-of-order', 'rake-db-migrate-status-no-file').stdout).blocks[0]!.rows[3]).toEqual({
      status: 'up',
      version: '20240410090000',
      name: '********** NO FILE **********',
      noFile: true,
    });
  });
});

describe('migrate / rollback output', () => {
  it('finds the migration that started and never finished', () => {
    expect(failedMigrationFrom(run('rails/failed-migration', 'rake-db-migrate-sqlite').stdout)).toBe('20240603090000');
    expect(failedMigrationFrom(run('rails/failed-migration', 'helper-run-migrate-postgres').stderr)).toBe('20240603090000');
    expect(failedMigrationFrom(run('rails/irreversible', 'rake-db-rollback-irreversible').stdout)).toBe('20240504090000');
    expect(failedMigrationFrom(run('rails/basic', 'rails-db-migrate-postgres').stdout)).toBeUndefined();
    expect(completedFrom(run('rails/failed-migration', 'rake-db-migrate-postgres').stdout)).toEqual(['20240601090000', '20240602090000']);
    expect(completedFrom(run('rails/basic', 'rails-db-rollback-postgres').stdout)).toEqual([BASIC[2]]);
  });

  it("takes the database's own words out of ActiveRecord's wrapper", () => {
    const pg = doc('rails/failed-migration', 'helper-run-migrate-postgres');
    expect(migrationError(pg.error!)).toEqual({
      headline: 'PG::UniqueViolation: ERROR:  could not create unique index "index_customers_on_email"',
      message: 'PG::UniqueViolation: ERROR:  could not create unique index "index_customers_on_email"\nDETAIL:  Key (email)=(ada@example.com) is duplicated.',
      transactional: true,
    });
    expect(migrationError(doc('rails/failed-migration', 'helper-run-migrate-sqlite').error!).headline).toBe('SQLite3::ConstraintException: UNIQUE constraint failed: customers.email');
    expect(migrationError(doc('rails/irreversible', 'helper-run-down-execute').error!).headline).toBe(
      'ActiveRecord::IrreversibleMigration: This migration uses execute, which is not automatically reversible.',
    );
    expect(migrationError({ class: 'StandardError', message: 'An error has occurred, all later migrations canceled:\n\nPG::ObjectInUse: ERROR: boom' }).transactional).toBe(false);
  });
});

describe('plan: captured queries → statements', () => {
  const basicState = migrationsFromStatus(selected(doc('rails/basic', 'helper-status-fresh-sqlite')));

  it('PostgreSQL: the migrations’ own SQL; the non-transactional one was not run', () => {
    const plan = doc('rails/basic', 'helper-plan-up-postgres');
    const steps = planSteps(plan, basicState, 'up');
    expect(steps.map((s) => s.sqlSource)).toEqual(['sandbox-capture', 'sandbox-capture', 'unavailable', 'sandbox-capture']);
    expect(steps.map((s) => s.statements.map((st) => st.sql))).toEqual([
      ['CREATE TABLE "users" ("id" bigserial primary key, "name" character varying NOT NULL, "created_at" timestamp(6) NOT NULL, "updated_at" timestamp(6) NOT NULL)'],
      ['ALTER TABLE "users" ADD "email" character varying'],
      [],
      ["INSERT INTO users (name, created_at, updated_at) VALUES ('admin', CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)", "UPDATE users SET email = name || '@example.com' WHERE email IS NULL"],
    ]);
    expect(steps[2]!.reason).toContain('disable_ddl_transaction!');
    expect(steps.map((s) => s.transactional)).toEqual([true, true, false, true]);
    expect(bookkeepingDdl(plan)).toEqual(['schema_migrations', 'ar_internal_metadata']);
  });

  it('SQLite (a copy): every migration ran, the index included', () => {
    const steps = planSteps(doc('rails/basic', 'helper-plan-up-sqlite'), basicState, 'up');
    expect(steps.map((s) => s.sqlSource)).toEqual(['sandbox-capture', 'sandbox-capture', 'sandbox-capture', 'sandbox-capture']);
    expect(steps[2]!.statements.map((s) => s.sql)).toEqual(['CREATE UNIQUE INDEX "index_users_on_email" ON "users" ("email")']);
  });

  it('down: the reverse SQL', () => {
    const steps = planSteps(doc('rails/basic', 'helper-plan-down-postgres'), [basicState[3]!], 'down');
    expect(steps[0]!.statements.map((s) => s.sql)).toEqual(["DELETE FROM users WHERE name = 'admin' AND email = 'admin@example.com'"]);
  });

  it('a migration that fails in the preview, and the ones after it', () => {
    const state = migrationsFromStatus({
      name: 'primary', engine: 'postgres', migrationsPaths: ['db/migrate'], selected: true, applied: [],
      files: ['20240601090000', '20240602090000', '20240603090000', '20240604090000'].map((v) => ({ version: v, name: v, file: `db/migrate/${v}.rb`, reversible: true, transactional: true })),
    });
    const steps = planSteps(doc('rails/failed-migration', 'helper-plan-up-postgres'), state, 'up');
    expect(steps.map((s) => s.sqlSource)).toEqual(['sandbox-capture', 'sandbox-capture', 'sandbox-capture', 'unavailable']);
    expect(steps[2]!.reason).toBe(
      'it failed in the preview, so it would fail for real: PG::UniqueViolation: ERROR:  could not create unique index "index_customers_on_email" (the statements are those that ran before the error)',
    );
    expect(steps[2]!.statements.map((s) => s.sql)).toEqual(['CREATE UNIQUE INDEX "index_customers_on_email" ON "customers" ("email")']);
    expect(steps[3]!.reason).toBe('not previewed: 20240603090000 failed in the preview, and Rails stops at the first failure');
  });

  it("keeps ActiveRecord's plumbing out, and the migration's own reads in", () => {
    const t = ['schema_migrations', 'ar_internal_metadata'];
    expect(classifyStatement({ sql: 'SAVEPOINT active_record_1', name: 'TRANSACTION', binds: [] }, t)).toBe('transaction');
    expect(classifyStatement({ sql: 'SELECT pg_try_advisory_lock(1)', name: null, binds: [] }, t)).toBe('lock');
    expect(classifyStatement({ sql: 'SHOW search_path', name: 'SCHEMA', binds: [] }, t)).toBe('introspection');
    expect(classifyStatement({ sql: 'INSERT INTO "schema_migrations" ("version") VALUES ($1)', name: 'ActiveRecord::SchemaMigration Create', binds: [] }, t)).toBe('bookkeeping');
    expect(classifyStatement({ sql: 'SELECT id FROM users WHERE email IS NULL', name: 'User Load', binds: [] }, t)).toBe('keep');
    expect(classifyStatement({ sql: 'CREATE TABLE schema_migrations_archive (v text)', name: null, binds: [] }, t)).toBe('keep');
  });
});
