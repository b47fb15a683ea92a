// The fast path's pure parts: listing like knex's FsMigrations, the history queries, the rows as the
// reader returns them (recorded from real PostgreSQL and SQLite next to the helper's status of the
// same database: fixtures/knex/basic/recorded/fast/), and when statusFast refuses.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { type HistoryReader, type Project, comparableState, isMigratorError } from '@metamig/core';
import { copyFixture, fixturesDir, makeContext, projectIn, recorded, removeCopy } from '@metamig/testkit';
import { completedRows, environmentOf, historyQueries, listMigrationFiles, statusFast } from './fast.js';
import { adapter } from './index.js';
import { DEFAULT_LOAD_EXTENSIONS } from './knexfile.js';
import { appliedAtOf, currentAndHeads, fromFileName, migrationsFromStatus, parseHelperOutput } from './parse.js';

const settings = (over: Partial<Parameters<typeof listMigrationFiles>[0]> = {}) => ({
  directories: ['./migrations'],
  loadExtensions: DEFAULT_LOAD_EXTENSIONS,
  sortDirsSeparately: false,
  tableName: 'knex_migrations',
  schemaName: undefined,
  ...over,
});

describe('listMigrationFiles (knex FsMigrations)', () => {
  const dirs: Record<string, string[]> = {
    '/p/migrations': ['20240102_b.js', 'README.md', '20240101_a.js', '.gitkeep', '20240104_d.ts', 'types.d.ts'],
    '/p/more': ['20240103_c.cjs', '20240100_z.mjs'],
  };
  const readdir = (d: string) => {
    const names = dirs[d];
    if (!names) throw Object.assign(new Error('ENOENT'), { code: 'ENOENT' });
    return names;
  };

  it('sorts by file name across directories, keeps knex extensions (.mjs is not one), joins the directory as written', () => {
    expect(listMigrationFiles(settings({ directories: ['./migrations', 'more/'] }), '/p', readdir)).toEqual([
      { name: '20240101_a.js', path: 'migrations/20240101_a.js' },
      { name: '20240102_b.js', path: 'migrations/20240102_b.js' },
      { name: '20240103_c.cjs', path: 'more/20240103_c.cjs' },
      { name: '20240104_d.ts', path: 'migrations/20240104_d.ts' },
      { name: 'types.d.ts', path: 'migrations/types.d.ts' }, // knex would try to load it, so it is listed
    ]);
  });

  it('sorts each directory on its own with sortDirsSeparately, and honours loadExtensions', () => {
    const names = listMigrationFiles(settings({ directories: ['more', 'migrations'], sortDirsSeparately: true, loadExtensions: ['.js', '.cjs', '.mjs'] }), '/p', readdir).map((f) => f.name);
    expect(names).toEqual(['20240100_z.mjs', '20240103_c.cjs', '20240101_a.js', '20240102_b.js']);
  });

  it('refuses a directory it cannot read (knex fails there too)', () => {
    const e = (() => {
      try {
        return listMigrationFiles(settings({ directories: ['./nope'] }), '/p', readdir);
      } catch (err) {
        return err;
      }
    })();
    expect(isMigratorError(e) && [e.code, e.why]).toEqual(['OPERATION.UNSUPPORTED', 'the migrations directory ./nope cannot be read (ENOENT): knex fails there too']);
  });
});

describe('history queries and rows', () => {
  it('asks what knex asks (hasTable in the current or given schema), then the rows by id', () => {
    expect(historyQueries('postgres', 'knex_migrations', undefined)).toEqual({
      exists: { sql: 'SELECT 1 FROM information_schema.tables WHERE table_name = $1 AND table_schema = current_schema()', params: ['knex_migrations'] },
      rows: 'SELECT id, name, batch, migration_time FROM "knex_migrations" ORDER BY id',
    });
    expect(historyQueries('postgres', 'h', 'ops').rows).toBe('SELECT id, name, batch, migration_time FROM "ops"."h" ORDER BY id');
    expect(historyQueries('sqlite', 'h', undefined).exists).toEqual({ sql: `SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?`, params: ['h'] });
    expect(() => historyQueries('postgres', 'we"ird', undefined)).toThrow(expect.objectContaining({ code: 'OPERATION.UNSUPPORTED', why: expect.stringContaining('needs quoting') }));
  });

  it('keeps PostgreSQL Dates exact (milliseconds included) and SQLite epoch milliseconds', () => {
    const d = new Date('2024-01-15T09:30:00.123Z');
    expect(appliedAtOf(d)).toBe('2024-01-15T09:30:00.123Z');
    expect(completedRows([{ id: 1, name: 'a.js', batch: 2, migration_time: d }])).toEqual([{ id: 1, name: 'a.js', batch: 2, migration_time: d }]);
    expect(completedRows([{ id: '7', name: 'a.js', batch: null, migration_time: 1705311000123 }])[0]).toMatchObject({ id: 7, batch: null });
  });
});

/** The recorded rows (Dates as {"$date"}) and the helper's status of the same database. */
function recording(engine: 'postgres' | 'sqlite') {
  const rows = JSON.parse(recorded('knex/basic', `fast/history-rows-${engine}.json`), (_k, v: unknown) =>
    v && typeof v === 'object' && '$date' in v ? new Date((v as { $date: string }).$date) : v,
  ) as { exists: boolean; rows: Record<string, unknown>[] };
  const full = parseHelperOutput({ stdout: recorded('knex/basic', `fast/helper-status-${engine}.stdout`), stderr: '' }, 'status');
  return { rows, full };
}

describe.each(['postgres', 'sqlite'] as const)('recorded on %s: rows + listing give what the helper gave', (engine) => {
  it('the same migrations, states, applied times, current and heads', () => {
    const { rows, full } = recording(engine);
    expect(rows.exists).toBe(true);
    const files = listMigrationFiles(settings(), join(fixturesDir, 'knex/basic'));
    const fast = { files, completed: completedRows(rows.rows), tableName: 'knex_migrations' };
    const pick = (ms: ReturnType<typeof migrationsFromStatus>) => ms.map((m) => ({ id: m.id, name: m.name, file: m.file, parents: m.parents, state: m.state, appliedAt: m.appliedAt }));
    expect(pick(migrationsFromStatus(fast, fromFileName))).toEqual(pick(migrationsFromStatus(full)));
    expect(currentAndHeads(fast)).toEqual(currentAndHeads(full));
    expect(migrationsFromStatus(fast, fromFileName).map((m) => m.state)).toEqual(['applied', 'applied', 'applied', 'pending']);
    expect(migrationsFromStatus(fast, fromFileName)[0]!.reversible).toBe('unknown');
  });
});

describe('statusFast', () => {
  const copies: string[] = [];
  afterAll(() => copies.forEach(removeCopy));
  const basic = (url?: string): Project => {
    const dir = copyFixture('knex/basic');
    copies.push(dir);
    return projectIn(adapter, dir, url);
  };
  const refusal = async (p: Project, history?: HistoryReader) => {
    const e = await statusFast(p, { ...makeContext(), ...(history ? { history } : {}) }).catch((x: unknown) => x);
    return isMigratorError(e) ? { code: e.code, why: e.why } : e;
  };
  const fake = (rows: Record<string, unknown>[] | undefined): HistoryReader & { sql: string[] } => {
    const sql: string[] = [];
    return {
      sql,
      tableExists: async () => rows !== undefined,
      query: async <T extends Record<string, unknown>>(_url: string, q: string) => {
        sql.push(q);
        return (q.startsWith('SELECT 1') ? (rows ? [{ '?column?': 1 }] : []) : (rows ?? [])) as T[];
      },
    };
  };

  it('refuses without a database URL: the knexfile configures the connection in code', async () => {
    expect(await refusal(basic(), fake([]))).toEqual({ code: 'OPERATION.UNSUPPORTED', why: 'the database is configured in code (knexfile.cjs)' });
  });

  it('refuses a knexfile that is not plain data, and a TypeScript knexfile in an ES-module package', async () => {
    const p = basic('sqlite:///tmp/x.sqlite3');
    writeFileSync(join(p.absRoot, 'knexfile.cjs'), `module.exports = { client: 'pg', migrations: { directory: process.env.DIR } };`);
    expect(await refusal(p, fake([]))).toMatchObject({ code: 'OPERATION.UNSUPPORTED', why: 'knexfile.cjs is not plain data: its migrations.directory is computed when it runs' });
    const ts = copyFixture('knex/typescript');
    copies.push(ts);
    writeFileSync(join(ts, 'package.json'), '{"type":"module"}');
    expect(await refusal(projectIn(adapter, ts, 'sqlite:///tmp/x.sqlite3'), fake([]))).toMatchObject({ why: expect.stringContaining('TypeScript in an ES-module package') });
    expect(await refusal(basic('sqlite:///tmp/x.sqlite3'))).toMatchObject({ why: expect.stringContaining('no direct database reader') });
  });

  it('builds the state from the reader: no table yet, then the recorded rows', async () => {
    const p = basic('sqlite:///tmp/x.sqlite3');
    const none = fake(undefined);
    const fresh = await statusFast(p, { ...makeContext(), history: none });
    expect(none.sql).toHaveLength(1); // no table: one query
    expect(fresh.summary).toEqual({ total: 4, applied: 0, pending: 4, problems: 0 });
    expect(fresh.source).toMatchObject({ via: 'history-table', command: [] });
    const { rows, full } = recording('sqlite');
    const reader = fake(rows.rows);
    const fast = await statusFast(p, { ...makeContext(), history: reader });
    expect(reader.sql).toHaveLength(2);
    const fullState = { ...fast, migrations: migrationsFromStatus(full), ...currentAndHeads(full) };
    expect(comparableState(fast).migrations).toEqual(comparableState(fullState).migrations);
  });

  it('takes the environment from options, then NODE_ENV as the helper sees it, then development', () => {
    const p = basic();
    expect(environmentOf({ ...p, options: { environment: 'staging' } })).toBe('staging');
    expect(environmentOf({ ...p, env: { NODE_ENV: 'production' } })).toBe('production');
    expect(environmentOf({ ...p, env: { NODE_ENV: '' } })).toBe('development');
  });
});
