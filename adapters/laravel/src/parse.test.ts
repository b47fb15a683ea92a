// Parsers on outputs recorded from the real Laravel 8.83.26 (fixtures/laravel/*/recorded) and on the
// hand-written Laravel 11 outputs (handwritten-laravel11-*, composed from the framework's source).
import { describe, expect, it } from 'vitest';
import { isMigratorError } from '@metamig/core';
import { recorded } from '@metamig/testkit';
import { descriptionOf, missingSqliteFrom, parsePretend, parseRunOutput, parseStatusText, studly, toolMessage } from './parse.js';

const out = (fixture: string, name: string) => recorded(`laravel/${fixture}`, `${name}.stdout`);
const BASIC = ['2024_01_15_093000_create_users_table', '2024_01_16_101500_add_email_to_users_table', '2024_01_17_084500_add_index_on_users_email', '2024_01_18_120000_seed_admin_user'];
const FAILED = ['2024_04_01_090000_create_customers_table', '2024_04_02_090000_import_legacy_customers', '2024_04_03_090000_add_customers_email_unique'];

describe('parseStatusText', () => {
  it('reads the Laravel 8 box table (recorded)', () => {
    expect(parseStatusText(out('basic', 'status-partial-pg'))).toEqual({
      format: 'table',
      tableMissing: false,
      rows: [{ name: BASIC[0], ran: true, batch: 1 }, { name: BASIC[1], ran: true, batch: 1 }, { name: BASIC[2], ran: false }, { name: BASIC[3], ran: false }],
    });
    // An out-of-order file shows as "No" between "Yes" rows, in file order.
    expect(parseStatusText(out('out-of-order', 'status-merged-sqlite')).rows.map((r) => r.ran)).toEqual([true, false, false, true]);
    expect(parseStatusText(out('out-of-order', 'status-after-merged-sqlite')).rows.map((r) => r.batch)).toEqual([1, 2, 2, 1]);
  });

  it('reads the Laravel >= 9.21 two-column format (hand-written from v11.45.0)', () => {
    expect(parseStatusText(out('basic', 'handwritten-laravel11-status-partial'))).toEqual({
      format: 'two-column',
      tableMissing: false,
      rows: [{ name: BASIC[0], ran: true, batch: 1 }, { name: BASIC[1], ran: true, batch: 1 }, { name: BASIC[2], ran: true, batch: 2 }, { name: BASIC[3], ran: false }],
    });
  });

  it('takes "Migration table not found." (exit 1) as a fresh database, in both formats', () => {
    expect(recorded('laravel/basic', 'status-fresh-pg.exit').trim()).toBe('1');
    expect(parseStatusText(out('basic', 'status-fresh-pg'))).toEqual({ format: 'empty', tableMissing: true, rows: [] });
    expect(parseStatusText(out('basic', 'handwritten-laravel11-status-no-table'))).toEqual({ format: 'empty', tableMissing: true, rows: [] });
    expect(parseStatusText('No migrations found\n')).toEqual({ format: 'empty', tableMissing: false, rows: [] });
  });

  it('refuses an error instead of reading it as "nothing applied"', () => {
    const e = (() => {
      try {
        return parseStatusText(out('basic', 'migrate-no-file-sqlite'));
      } catch (err) {
        return err;
      }
    })();
    expect(isMigratorError(e) && e.code).toBe('TOOL.OUTPUT_UNPARSEABLE');
  });
});

describe('parseRunOutput', () => {
  it('follows Laravel 8 progress lines', () => {
    expect(parseRunOutput(out('basic', 'migrate-two-paths-pg'))).toEqual({ done: BASIC.slice(0, 2) });
    expect(parseRunOutput(out('basic', 'rollback-3-pg'))).toEqual({ done: [BASIC[3], BASIC[2], BASIC[1]] });
    expect(parseRunOutput(out('basic', 'migrate-nothing-pending-pg'))).toEqual({ done: [] });
    expect(parseRunOutput(out('failed-migration', 'migrate-failed-pg'))).toEqual({ done: FAILED.slice(0, 2), failed: FAILED[2] });
    expect(parseRunOutput(out('failed-migration', 'migrate-again-sqlite'))).toEqual({ done: [], failed: FAILED[2] });
  });

  it('follows Laravel 11 task lines (hand-written)', () => {
    expect(parseRunOutput(out('basic', 'handwritten-laravel11-migrate'))).toEqual({ done: BASIC });
    expect(parseRunOutput(out('basic', 'handwritten-laravel11-rollback-2'))).toEqual({ done: [BASIC[3], BASIC[2]] });
    expect(parseRunOutput(out('basic', 'handwritten-laravel11-migrate-failed-pg'))).toEqual({ done: FAILED.slice(0, 2), failed: FAILED[2] });
  });
});

describe('toolMessage', () => {
  it("takes the first exception block: the QueryException, with Laravel's (SQL: …)", () => {
    expect(toolMessage(out('failed-migration', 'migrate-failed-pg'))).toBe(
      'SQLSTATE[23505]: Unique violation: 7 ERROR:  could not create unique index "customers_email_unique"\nDETAIL:  Key (email)=(ada@example.com) is duplicated. (SQL: alter table "customers" add constraint "customers_email_unique" unique ("email"))',
    );
    expect(toolMessage(out('failed-migration', 'migrate-failed-sqlite'))).toBe(
      'SQLSTATE[23000]: Integrity constraint violation: 19 UNIQUE constraint failed: customers.email (SQL: create unique index "customers_email_unique" on "customers" ("email"))',
    );
    expect(toolMessage(out('basic', 'handwritten-laravel11-migrate-failed-pg'))).toContain('(Connection: pgsql, SQL: alter table "customers" add constraint');
  });

  it('joins the pieces Symfony cut at 80 columns', () => {
    expect(toolMessage(out('failed-migration', 'migrate-failed-80-columns-pg'), 80)).toBe(
      'SQLSTATE[23505]: Unique violation: 7 ERROR:  could not create unique index\n"customers_email_unique"\nDETAIL:  Key (email)=(ada@example.com) is duplicated. (SQL: alter table "customers" add constraint "customers_email_unique" unique ("email"))',
    );
  });

  it("recognises Laravel 8's missing SQLite file, and Collision's block", () => {
    const message = toolMessage(out('basic', 'migrate-no-file-sqlite'))!;
    expect(missingSqliteFrom(message)).toBe('/tmp/metamig-laravel-record/basic/database/database.sqlite');
    expect(toolMessage('\n   Illuminate\\Database\\QueryException \n\n  SQLSTATE[42P01]: Undefined table: 7 ERROR:  relation "nope" does not exist (Connection: pgsql, SQL: select 1 from nope)\n\n  at vendor/laravel/framework/src/Illuminate/Database/Connection.php:825\n')).toBe(
      'SQLSTATE[42P01]: Undefined table: 7 ERROR:  relation "nope" does not exist (Connection: pgsql, SQL: select 1 from nope)',
    );
    expect(toolMessage('Migrated: x\nnothing wrong here\n')).toBeUndefined();
  });
});

describe('parsePretend', () => {
  it('reads Laravel 8 "<name>: <sql>" lines and notices migrate:install', () => {
    const p = parsePretend(out('basic', 'pretend-up-fresh-pg'), BASIC);
    expect(p.createdTable).toBe(true);
    expect(p.unrecognized).toEqual([]);
    expect(p.steps.map((s) => [s.id, s.statements.length])).toEqual(BASIC.map((id, i) => [id, i === 3 ? 2 : 1]));
    expect(p.steps[3]!.statements).toEqual(['insert into "users" ("name", "email") values (?, ?)', 'select * from "users" where "email" is null']);
  });

  it('reads rollbacks, including the statements Doctrine generates for SQLite', () => {
    const p = parsePretend(out('basic', 'pretend-rollback-3-sqlite'), [BASIC[3]!, BASIC[2]!, BASIC[1]!]);
    expect(p.createdTable).toBe(false);
    expect(p.steps.map((s) => s.id)).toEqual([BASIC[3], BASIC[2], BASIC[1]]);
    expect(p.steps[2]!.statements[0]).toBe('CREATE TEMPORARY TABLE __temp__users AS SELECT id, name, created_at, updated_at FROM users');
    expect(p.steps[2]!.statements).toHaveLength(5);
  });

  it('maps a named migration class back to its file', () => {
    const ids = ['2024_05_01_090000_create_events_table', '2024_05_02_090000_drop_events_legacy_payload', '2024_05_03_090000_backfill_events_kind', '2024_05_04_090000_add_events_kind_index'];
    const doc = JSON.parse(out('irreversible', 'helper-plan-up-pg').trim()) as { output: string };
    const p = parsePretend(doc.output, ids);
    expect(p.steps.find((s) => s.id === ids[2])!.statements).toEqual(['select * from "events" where "kind" is null']);
    expect(studly(descriptionOf(ids[2]!))).toBe('BackfillEventsKind');
  });

  it('reads the Laravel >= 9.21 header + "⇂" bullets (hand-written), joining wrapped bullets', () => {
    const p = parsePretend(out('basic', 'handwritten-laravel11-pretend-up-fresh'), BASIC);
    expect(p.createdTable).toBe(true);
    expect(p.unrecognized).toEqual([]);
    expect(p.steps[3]!.statements).toEqual([`insert into "users" ("name", "email") values ('Admin', 'admin@example.com')`, 'select * from "users" where "email" is null']);
    const wrapped = parsePretend(`  ${BASIC[1]} ........\n  ⇂ alter table "users" add column\n    "email" varchar(255) null\n`, BASIC);
    expect(wrapped.steps[0]!.statements).toEqual(['alter table "users" add column "email" varchar(255) null']);
  });

  it("keeps Laravel's own words when it cannot pretend a Doctrine column change", () => {
    const p = parsePretend(`${BASIC[1]}: failed to dump queries. This may be due to changing database columns using Doctrine, which is not supported while pretending to run migrations.\n`, BASIC);
    expect(p.steps).toEqual([{ id: BASIC[1], statements: [], failedToDump: expect.stringMatching(/^failed to dump queries\. This may be due to changing database columns using Doctrine/) }]);
    expect(parsePretend('Nothing to migrate.\n', BASIC)).toMatchObject({ nothing: true, steps: [] });
  });
});
