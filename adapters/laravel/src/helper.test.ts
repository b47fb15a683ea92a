// The helper's JSON (recorded from the real helper in a Laravel 8.83.26 app) → migrations and plans.
import { describe, expect, it } from 'vitest';
import { buildState } from '@metamig/core';
import { recorded } from '@metamig/testkit';
import { type HelperPlan, type HelperStatus, currentOf, inputFromText, migrationsFrom, parseHelperOutput } from './helper.js';
import { parsePretend, parseStatusText } from './parse.js';
import { planSideEffects, planSteps } from './plan.js';

const out = (fixture: string, name: string) => recorded(`laravel/${fixture}`, `${name}.stdout`);
const status = (fixture: string, name: string) => parseHelperOutput(out(fixture, name)).doc as HelperStatus;
const BASIC = ['2024_01_15_093000_create_users_table', '2024_01_16_101500_add_email_to_users_table', '2024_01_17_084500_add_index_on_users_email', '2024_01_18_120000_seed_admin_user'];
const OOO = ['2024_03_01_090000_create_projects_table', '2024_03_05_090000_add_owner_to_projects_table', '2024_03_07_090000_add_archived_to_projects_table', '2024_03_10_090000_create_tasks_table'];

describe('parseHelperOutput', () => {
  it("finds the helper's line after whatever artisan printed", () => {
    const doc = status('basic', 'helper-status-fresh-pg');
    expect(doc).toMatchObject({ ok: true, op: 'status', laravelVersion: '8.83.26', table: 'migrations', repositoryExists: false, ran: [], schemaTransactions: true });
    const noisy = parseHelperOutput(`PHP Deprecated: something\n${out('basic', 'helper-status-fresh-pg').trim()}\ntrailing\n`);
    expect(noisy.doc).toEqual(doc);
    expect(noisy.artisanOutput).toBe('PHP Deprecated: something\ntrailing');
    expect(parseHelperOutput('In Connection.php line 712:\n  boom\n')).toEqual({ artisanOutput: 'In Connection.php line 712:\n  boom' });
  });

  it('reports a missing SQLite file without creating it', () => {
    expect(status('basic', 'helper-status-no-file-sqlite')).toMatchObject({ ok: true, missingSqliteFile: '/tmp/metamig-laravel-record/basic/database/database.sqlite', repositoryExists: false });
  });
});

describe('migrationsFrom', () => {
  it('orders applied rows by batch then name, with files, batches and transactions (PostgreSQL)', () => {
    const doc = status('basic', 'helper-status-applied-pg');
    const ms = migrationsFrom({ files: doc.files, ran: doc.ran, schemaTransactions: doc.schemaTransactions });
    expect(ms.map((m) => [m.id, m.state, m.batch, m.transactional, m.reversible])).toEqual(BASIC.map((id, i) => [id, 'applied', i < 2 ? 1 : 2, true, true]));
    expect(ms[1]).toMatchObject({ name: 'add_email_to_users_table', file: `database/migrations/${BASIC[1]}.php`, parents: [BASIC[0]] });
    expect(currentOf(ms)).toEqual([BASIC[3]]);
  });

  it('marks a merged older file out of order and a file-less row missing (SQLite: not transactional)', () => {
    const doc = status('out-of-order', 'helper-status-missing-file-sqlite');
    const ms = migrationsFrom({ files: doc.files, ran: doc.ran, schemaTransactions: doc.schemaTransactions });
    expect(ms.map((m) => [m.id, m.state, m.batch ?? null])).toEqual([
      [OOO[0], 'applied', 1],
      [OOO[3], 'missing-file', 1],
      [OOO[1], 'applied', 2],
      // Sorts after every applied migration that still has a file: pending (the history is "diverged").
      [OOO[2], 'pending', null],
    ]);
    expect(ms[2]!.detail).toBe(`applied out of order: batch 2 ran it after ${OOO[3]}, which sorts after it`);
    expect(ms[1]!.detail).toContain('no file 2024_03_10_090000_create_tasks_table.php');
    expect(ms.map((m) => m.transactional)).toEqual([false, 'unknown', false, false]);
    const state = buildState({ project: 'p', framework: 'laravel', database: 'x', migrations: ms, current: currentOf(ms), heads: [OOO[2]!], source: { command: [], native: '', durationMs: 0, via: 'tool' } });
    expect(state.history).toMatchObject({ kind: 'diverged', unknownToCode: [OOO[3]] });
    expect(state.summary).toEqual({ total: 4, applied: 2, pending: 1, problems: 1 });
  });

  it('says why a migration cannot be rolled back, before anyone tries', () => {
    const doc = status('irreversible', 'helper-status-fresh-pg');
    const ms = migrationsFrom({ files: doc.files, ran: doc.ran, schemaTransactions: doc.schemaTransactions });
    expect(ms.map((m) => [m.reversible, m.transactional])).toEqual([
      [true, true],
      [false, true],
      [false, true],
      [false, false], // public $withinTransaction = false
    ]);
    expect(ms[1]!.irreversibleReason).toBe('its down() only throws: "irreversible: the legacy_payload data was dropped"');
    expect(ms[2]!.irreversibleReason).toMatch(/^its down\(\) is empty: `migrate:rollback` would only delete its row/);
    expect(ms[3]!.irreversibleReason).toMatch(/^no down\(\) method/);
  });

  it('builds the same list from migrate:status text when the helper cannot answer', () => {
    const onDisk = OOO.map((name) => ({ name, path: `database/migrations/${name}.php` }));
    const ms = migrationsFrom(inputFromText(parseStatusText(out('out-of-order', 'status-merged-sqlite')), onDisk));
    expect(ms.map((m) => [m.id, m.state])).toEqual([
      [OOO[0], 'applied'],
      [OOO[3], 'applied'],
      [OOO[1], 'out-of-order'],
      [OOO[2], 'out-of-order'],
    ]);
    expect(ms.every((m) => m.reversible === 'unknown' && m.transactional === 'unknown')).toBe(true);
    const fresh = migrationsFrom(inputFromText(parseStatusText(out('basic', 'status-fresh-pg')), onDisk));
    expect(fresh.map((m) => m.state)).toEqual(['pending', 'pending', 'pending', 'pending']);
  });
});

describe('plan steps', () => {
  const plan = (fixture: string, name: string) => parseHelperOutput(out(fixture, name)).doc as HelperPlan;
  const pending = (ids: string[]) => migrationsFrom({ files: ids.map((name) => ({ name, down: 'present', withinTransaction: true })), ran: [], schemaTransactions: true });

  it('gives per-migration SQL with the values --pretend does not print, and flags reads', () => {
    const doc = plan('basic', 'helper-plan-up-fresh-pg');
    expect(doc).toMatchObject({ tableBefore: false, tableAfter: false, temporaryDatabase: false, commandError: null });
    const steps = planSteps(pending(BASIC), 'up', parsePretend(doc.output, BASIC), doc.queries);
    expect(steps.map((s) => [s.sqlSource, s.statements.length, s.transactional])).toEqual(BASIC.map((_, i) => ['native-preview', i === 3 ? 2 : 1, true]));
    expect(steps[3]!.statements[0]).toEqual({ sql: 'insert into "users" ("name", "email") values (?, ?)', kind: 'sql', note: 'values: ["Admin","admin@example.com"]' });
    expect(steps[3]!.statements[1]!.note).toMatch(/^a read: under --pretend Laravel returns no rows/);
    expect(planSideEffects(doc)).toEqual({ sideEffects: [], warnings: [expect.stringContaining('rolled back, so "migrations" still does not exist')] });
  });

  it('discloses the migrations table when the database could not roll it back', () => {
    const doc = { ...plan('basic', 'helper-plan-up-fresh-pg'), driver: 'mysql', tableAfter: true };
    expect(planSideEffects(doc).sideEffects).toEqual([expect.stringMatching(/^created the migrations table "migrations": .* mysql commits DDL at once/)]);
  });

  it('previews a rollback in the order Laravel undoes it', () => {
    const doc = plan('basic', 'helper-plan-down-2-pg');
    const applied = migrationsFrom({ files: BASIC.map((name) => ({ name, down: 'present', withinTransaction: true })), ran: BASIC.map((migration) => ({ migration, batch: 1 })), schemaTransactions: true });
    const steps = planSteps([applied[3]!, applied[2]!], 'down', parsePretend(doc.output, [BASIC[3]!, BASIC[2]!]), doc.queries);
    expect(steps.map((s) => s.statements.map((st) => st.sql))).toEqual([['delete from "users" where "email" = ?'], ['drop index "users_email_index"']]);
    expect(steps[0]!.statements[0]!.note).toBe('values: ["admin@example.com"]');
  });
});
