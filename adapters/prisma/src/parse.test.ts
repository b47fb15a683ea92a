import { describe, expect, it } from 'vitest';
import { recorded } from '@metamig/testkit';
import { cleanOutput, parseCliStatus, parseDeploy, parseDiffScript, parseHelperOutput, prismaError } from './parse.js';

const BASIC = ['20240110090000_create_users', '20240111090000_add_users_display_name', '20240112090000_backfill_users_display_name', '20240113090000_add_users_display_name_index'];

/** A recorded process: fixtures/prisma/<state>/recorded/<name>.{stdout,stderr,exit}. */
const run = (state: string, name: string) => ({
  stdout: recorded(`prisma/${state}`, `${name}.stdout`),
  stderr: recorded(`prisma/${state}`, `${name}.stderr`),
  exitCode: Number(recorded(`prisma/${state}`, `${name}.exit`).trim()),
});
const status = (state: string, name: string) => {
  const r = run(state, name);
  return parseCliStatus(r.stdout, r.stderr, r.exitCode);
};
const deploy = (state: string, name: string) => {
  const r = run(state, name);
  return parseDeploy(r.stdout, r.stderr, r.exitCode);
};

describe('parseCliStatus (prisma migrate status 6.19.3, every recorded state)', () => {
  it('tells pending, up to date, failed, diverged and not managed apart although all but one exit 1', () => {
    expect(status('basic', 'status-pending-postgres')).toEqual({ kind: 'pending', found: 4, pending: BASIC });
    expect(status('basic', 'status-pending-one-postgres')).toEqual({ kind: 'pending', found: 4, pending: [BASIC[3]] });
    expect(status('basic', 'status-up-to-date-postgres')).toEqual({ kind: 'upToDate', found: 4 });
    expect(status('basic', 'status-up-to-date-sqlite')).toEqual({ kind: 'upToDate', found: 4 });
    expect(status('basic', 'status-rolled-back-postgres')).toEqual({ kind: 'upToDate', found: 4 }); // Prisma's blind spot
    expect(status('basic', 'status-not-managed-postgres')).toEqual({ kind: 'notManaged', found: 0 });
    expect(status('failed-migration', 'status-failed-postgres')).toEqual({ kind: 'failed', found: 3, failed: ['20240303090000_add_customers_email_unique'] });
    expect(status('failed-migration', 'status-failed-sqlite')).toEqual({ kind: 'failed', found: 3, failed: ['20240303090000_add_customers_email_unique'] });
    expect(status('drift', 'status-diverged')).toEqual({
      kind: 'diverged',
      found: 3,
      lastCommon: '20240402090000_add_projects_archived',
      unapplied: ['20240405090000_create_tasks'],
      unpersisted: ['20240403090000_add_projects_owner'],
    });
    expect(status('drift', 'status-missing-only')).toEqual({ kind: 'upToDate', found: 2 }); // Prisma's blind spot
  });

  it('reports the errors Prisma prints instead of a diagnosis, with their code', () => {
    expect(status('basic', 'status-fresh-sqlite')).toEqual({ kind: 'error', code: 'P1014', message: 'The underlying table for model `_prisma_migrations` does not exist.' });
    const missing = status('basic', 'status-native-engine-missing');
    expect(missing).toMatchObject({ kind: 'error', message: expect.stringContaining('binaries.prisma.sh') });
    expect(missing).not.toHaveProperty('code');
  });

  it('strips the banners Prisma 6 prints around every answer', () => {
    const r = run('failed-migration', 'status-failed-postgres');
    const clean = cleanOutput(`${r.stdout}\n${r.stderr}`);
    expect(clean).not.toMatch(/Loaded Prisma config|WARNING: Your schema|Prisma schema loaded/);
    expect(clean).toMatch(/^Datasource "db": PostgreSQL database/);
    expect(clean).toContain('Following migration have failed:\n20240303090000_add_customers_email_unique');
  });
});

describe('parseDeploy', () => {
  it('lists the migrations a successful deploy applied', () => {
    expect(deploy('basic', 'deploy-postgres')).toEqual({ ok: true, applied: BASIC });
    expect(deploy('basic', 'deploy-one-postgres')).toEqual({ ok: true, applied: [BASIC[3]] });
    expect(deploy('basic', 'deploy-rolled-back-postgres')).toEqual({ ok: true, applied: [BASIC[3]] }); // deploy ignores rolled-back rows
    expect(deploy('basic', 'deploy-sqlite')).toEqual({ ok: true, applied: BASIC });
  });

  it("names the failing migration and the database's message (JS engine on PostgreSQL)", () => {
    expect(deploy('failed-migration', 'deploy-failed-postgres')).toEqual({
      ok: false,
      applied: [],
      failedMigration: '20240303090000_add_customers_email_unique',
      databaseError: 'Unique constraint failed: (email)',
      message: expect.stringMatching(/^external connector error\nUnique constraint failed: \(email\)/),
    });
  });

  it('keeps the P-code when Prisma does not name the migration (SQLite), and reads P3009', () => {
    expect(deploy('failed-migration', 'deploy-failed-sqlite')).toEqual({
      ok: false,
      applied: [],
      code: 'P2002',
      databaseError: 'Unique constraint failed on the fields: (`email`)',
      message: 'Unique constraint failed on the fields: (`email`)',
    });
    for (const engine of ['postgres', 'sqlite']) {
      expect(deploy('failed-migration', `deploy-blocked-${engine}`)).toMatchObject({ ok: false, code: 'P3009', failedMigration: '20240303090000_add_customers_email_unique' });
    }
  });
});

describe('parseDiffScript and prismaError', () => {
  it('reads the down SQL prisma migrate diff generated on both engines', () => {
    expect(parseDiffScript(run('basic', 'diff-down-index-postgres').stdout)).toEqual([{ sql: 'DROP INDEX "public"."users_display_name_idx"', line: 2 }]);
    expect(parseDiffScript(run('basic', 'diff-down-index-sqlite').stdout)).toEqual([{ sql: 'DROP INDEX "users_display_name_idx"', line: 2 }]);
    expect(parseDiffScript('-- This is an empty migration.\n')).toEqual([]);
  });

  it('finds the first Error: line and its code', () => {
    expect(prismaError('noise\nError: P3005\n\nThe database schema is not empty.\n')).toEqual({ code: 'P3005', message: 'The database schema is not empty.' });
    expect(prismaError('all good')).toBeUndefined();
  });
});

describe('parseHelperOutput', () => {
  it('reads the helper document and refuses anything else', () => {
    expect(parseHelperOutput(run('basic', 'helper-read-up-to-date-postgres'), 'read')).toMatchObject({ ok: true, op: 'read', hasTable: true, rows: expect.any(Array) });
    expect(() => parseHelperOutput({ stdout: 'Segmentation fault', stderr: '', exitCode: 139 }, 'read')).toThrow(/Could not understand the output of the metamig Prisma helper/);
  });
});
