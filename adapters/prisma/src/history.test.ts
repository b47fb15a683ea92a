import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildState } from '@metamig/core';
import { fixturesDir, recorded } from '@metamig/testkit';
import { type TableRead, checksumMatches, checksumOf, cliBlindSpots, diagnosisDifferences, migrationsFromCli, migrationsFromHistory, predictCliStatus, reversibilityOf } from './history.js';
import { readLayout } from './layout.js';
import { parseCliStatus, parseHelperOutput } from './parse.js';
import { listFolder } from './project.js';

/** One recorded state: the folders present, metamig's table read, and Prisma's own status. */
function state(fixture: string, project: string, read: string, cli: string) {
  const rec = (name: string) => recorded(`prisma/${fixture}`, name);
  const names = rec(`${read}.folders`).split('\n').filter(Boolean);
  const folder = listFolder(readLayout(join(fixturesDir, 'prisma', project))).filter((f) => names.includes(f.name));
  const doc = parseHelperOutput({ stdout: rec(`${read}.stdout`), stderr: rec(`${read}.stderr`), exitCode: Number(rec(`${read}.exit`)) }, 'read');
  const table: TableRead = { hasTable: doc.hasTable === true, rows: doc.rows ?? [] };
  const prisma = parseCliStatus(rec(`${cli}.stdout`), rec(`${cli}.stderr`), Number(rec(`${cli}.exit`)));
  return { names, folder, table, prisma };
}

const STATES = [
  ['basic', 'basic/postgres', 'helper-read-not-managed-postgres', 'status-not-managed-postgres'],
  ['basic', 'basic/postgres', 'helper-read-pending-postgres', 'status-pending-postgres'],
  ['basic', 'basic/postgres', 'helper-read-up-to-date-postgres', 'status-up-to-date-postgres'],
  ['basic', 'basic/postgres', 'helper-read-pending-one-postgres', 'status-pending-one-postgres'],
  ['basic', 'basic/postgres', 'helper-read-rolled-back-postgres', 'status-rolled-back-postgres'],
  ['basic', 'basic/sqlite', 'helper-read-up-to-date-sqlite', 'status-up-to-date-sqlite'],
  ['failed-migration', 'failed-migration/postgres', 'helper-read-failed-postgres', 'status-failed-postgres'],
  ['failed-migration', 'failed-migration/sqlite', 'helper-read-failed-sqlite', 'status-failed-sqlite'],
  ['drift', 'drift', 'helper-read-diverged', 'status-diverged'],
  ['drift', 'drift', 'helper-read-missing-only', 'status-missing-only'],
] as const;

const opts = { transactional: false };
const states = (ms: { id: string; state: string }[]) => ms.map((m) => [m.id, m.state]);

describe('the table path predicts what prisma migrate status printed, in every recorded state', () => {
  it.each(STATES)('%s: %s', (fixture, project, read, cli) => {
    const s = state(fixture, project, read, cli);
    expect(s.prisma.kind).not.toBe('error');
    expect(predictCliStatus(s.names, s.table)).toEqual(s.prisma);
    expect(diagnosisDifferences(s.prisma, predictCliStatus(s.names, s.table))).toEqual([]);
  });

  it('says how they differ when they do', () => {
    const s = state('basic', 'basic/postgres', 'helper-read-up-to-date-postgres', 'status-pending-one-postgres');
    expect(diagnosisDifferences(s.prisma, predictCliStatus(s.names, s.table))).toEqual([
      'prisma migrate status says "1 not yet applied: 20240113090000_add_users_display_name_index", the table read predicts "Database schema is up to date"',
    ]);
  });
});

describe('migrationsFromHistory (table + folder → states)', () => {
  it('fresh, applied, and one rolled back by metamig', () => {
    const fresh = state('basic', 'basic/postgres', 'helper-read-pending-postgres', 'status-pending-postgres');
    expect(migrationsFromHistory(fresh.folder, fresh.table, opts).map((m) => m.state)).toEqual(['pending', 'pending', 'pending', 'pending']);
    const up = state('basic', 'basic/postgres', 'helper-read-up-to-date-postgres', 'status-up-to-date-postgres');
    const applied = migrationsFromHistory(up.folder, up.table, opts);
    expect(applied.map((m) => m.state)).toEqual(['applied', 'applied', 'applied', 'applied']);
    expect(applied.every((m) => /^2\d{3}-\d\d-\d\dT.*Z$/.test(m.appliedAt ?? ''))).toBe(true);
    expect(applied.map((m) => m.parents)).toEqual([[], [applied[0]!.id], [applied[1]!.id], [applied[2]!.id]]);
    expect(applied.map((m) => m.reversible)).toEqual([true, true, false, 'unknown']);
    const one = state('basic', 'basic/postgres', 'helper-read-pending-one-postgres', 'status-pending-one-postgres');
    expect(states(migrationsFromHistory(one.folder, one.table, opts)).map((x) => x[1])).toEqual(['applied', 'applied', 'applied', 'pending']);
  });

  it('a rolled-back row: pending (deploy applies it again), although prisma migrate status counts it applied', () => {
    const s = state('basic', 'basic/postgres', 'helper-read-rolled-back-postgres', 'status-rolled-back-postgres');
    const ms = migrationsFromHistory(s.folder, s.table, opts);
    expect(ms[3]).toMatchObject({ id: '20240113090000_add_users_display_name_index', state: 'pending', detail: expect.stringContaining('prisma migrate deploy applies it again') });
    expect(cliBlindSpots(s.folder, s.table)).toEqual([expect.stringContaining('has only rolled-back rows in _prisma_migrations: prisma migrate status counts it as applied')]);
  });

  it('a failed migration carries its logs; SQLite rows (ISO text) read like PostgreSQL ones', () => {
    for (const engine of ['postgres', 'sqlite']) {
      const s = state('failed-migration', `failed-migration/${engine}`, `helper-read-failed-${engine}`, `status-failed-${engine}`);
      const ms = migrationsFromHistory(s.folder, s.table, opts);
      expect(states(ms)).toEqual([
        ['20240301090000_create_customers', 'applied'],
        ['20240302090000_import_legacy_customers', 'applied'],
        ['20240303090000_add_customers_email_unique', 'failed'],
      ]);
      expect(ms[2]!.detail).toMatch(/^(external connector error\n)?Unique constraint failed/);
      const built = buildState({ project: 'p', framework: 'prisma', database: 'd', migrations: ms, current: [], heads: [], source: { command: [], native: '', durationMs: 0, via: 'history-table' } });
      expect(built.history).toMatchObject({ kind: 'failed', migration: '20240303090000_add_customers_email_unique' });
    }
  });

  it('drift: an edited migration, one applied from another branch, one not applied yet', () => {
    const s = state('drift', 'drift', 'helper-read-diverged', 'status-diverged');
    const ms = migrationsFromHistory(s.folder, s.table, opts);
    expect(states(ms)).toEqual([
      ['20240401090000_create_projects', 'applied'],
      ['20240402090000_add_projects_archived', 'edited'],
      ['20240403090000_add_projects_owner', 'missing-file'],
      ['20240405090000_create_tasks', 'pending'],
    ]);
    expect(ms[1]!.detail).toMatch(/^migration\.sql changed after it was applied: checksum [0-9a-f]{12}… in _prisma_migrations, [0-9a-f]{12}… on disk$/);
    expect(ms[2]).toMatchObject({ reversible: false, irreversibleReason: expect.stringContaining('not in the migrations directory') });
    const built = buildState({ project: 'p', framework: 'prisma', database: 'd', migrations: ms, current: [], heads: [], source: { command: [], native: '', durationMs: 0, via: 'history-table' } });
    expect(built.history).toEqual({ kind: 'diverged', unknownToCode: ['20240403090000_add_projects_owner'], lastCommon: '20240402090000_add_projects_archived' });
    expect(cliBlindSpots(s.folder, s.table)).toEqual([expect.stringContaining('does not report edited migrations (migration.sql changed after it was applied): 20240402090000_add_projects_archived')]);
    const only = state('drift', 'drift', 'helper-read-missing-only', 'status-missing-only');
    expect(cliBlindSpots(only.folder, only.table)).toEqual([
      expect.stringContaining('missing from the folder when nothing is pending: 20240403090000_add_projects_owner'),
      expect.stringContaining('edited migrations'),
    ]);
  });

  it('marks a pending folder that sorts before an applied one as out of order', () => {
    const s = state('basic', 'basic/postgres', 'helper-read-pending-one-postgres', 'status-pending-one-postgres');
    const rows = s.table.rows.filter((r) => r.migrationName !== '20240111090000_add_users_display_name');
    const ms = migrationsFromHistory(s.folder, { hasTable: true, rows }, opts);
    expect(ms.find((m) => m.id === '20240111090000_add_users_display_name')).toMatchObject({ state: 'out-of-order', detail: expect.stringContaining('by name, order ignored') });
  });
});

describe('migrationsFromCli (the table could not be read)', () => {
  it('builds the states from the diagnosis alone', () => {
    const s = state('drift', 'drift', 'helper-read-diverged', 'status-diverged');
    if (s.prisma.kind === 'error') throw new Error('unexpected');
    expect(states(migrationsFromCli(s.folder, s.prisma, opts))).toEqual([
      ['20240401090000_create_projects', 'applied'],
      ['20240402090000_add_projects_archived', 'applied'], // the CLI cannot see the edit
      ['20240403090000_add_projects_owner', 'missing-file'],
      ['20240405090000_create_tasks', 'pending'],
    ]);
  });
});

describe('checksums and reversibility', () => {
  it("matches Prisma's checksum rules: SHA-256, CRLF/LF swapped, unpadded hex of old engines", () => {
    const script = 'CREATE TABLE "a" ("id" INT);\n';
    expect(checksumOf(script)).toMatch(/^[0-9a-f]{64}$/);
    expect(checksumMatches(script.replace(/\n/g, '\r\n'), checksumOf(script))).toBe(true);
    expect(checksumMatches(script, checksumOf(script.replace(/\n/g, '\r\n')))).toBe(true);
    expect(checksumMatches(`${script}-- edited\n`, checksumOf(script))).toBe(false);
    const unpadded = [...Buffer.from(checksumOf(script), 'hex')].map((b) => b.toString(16)).join('');
    expect(unpadded.length).toBeLessThan(64);
    expect(checksumMatches(script, unpadded)).toBe(true);
  });

  it('decides reversibility from the files: down.sql, a data step, or a generated diff', () => {
    const folder = listFolder(readLayout(join(fixturesDir, 'prisma/basic/postgres')));
    expect(folder.map((f) => reversibilityOf(f))).toEqual([
      { reversible: true, down: 'down.sql' },
      { reversible: true, down: 'down.sql' },
      { reversible: false, down: 'none', irreversibleReason: expect.stringMatching(/^no down\.sql, and none can be generated: line 3 changes data \(UPDATE "users"\)/) },
      { reversible: 'unknown', down: 'generate' },
    ]);
  });
});
