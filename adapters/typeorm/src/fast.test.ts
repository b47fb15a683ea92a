// The fast path's pure parts: globbing with the project's tinyglobby as TypeORM does, TypeORM's
// migration order and refusals, the history queries, the rows as the reader returns them (recorded
// from real PostgreSQL and SQLite next to the helper's status: fixtures/typeorm/basic/recorded/fast/),
// and when statusFast refuses.
import { mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { type HistoryReader, type Project, isMigratorError } from '@metamig/core';
import { copyFixture, fixturesDir, makeContext, projectIn, recorded, removeCopy, repoRoot } from '@metamig/testkit';
import { executedRows, historyQueries, migrationFiles, projectTypeorm, registeredMigrations, statusFast } from './fast.js';
import { adapter } from './index.js';
import { currentAndHeads, fromName, migrationsFromStatus, parseHelperOutput } from './parse.js';
import { moduleOf, packageTypeOf, readMigrationFile } from './sources.js';

const copies: string[] = [];
afterAll(() => copies.forEach(removeCopy));

const caught = (f: () => unknown) => {
  try {
    f();
    return undefined;
  } catch (e) {
    return isMigratorError(e) ? { code: e.code, why: e.why } : e;
  }
};

describe('migrationFiles (the project typeorm\'s tinyglobby)', () => {
  const tmp = realpathSync(mkdtempSync(join(tmpdir(), 'metamig-typeorm-glob-')));
  afterAll(() => rmSync(tmp, { recursive: true, force: true }));
  for (const f of ['m/2-B.ts', 'm/1-A.js', 'm/types.d.ts', 'm/notes.md', 'm/.hidden.ts', 'm/sub/3-C.ts', 'dist/4-D.js']) {
    mkdirSync(join(tmp, f, '..'), { recursive: true });
    writeFileSync(join(tmp, f), '');
  }
  const { globSync, version } = projectTypeorm(repoRoot);

  it('expands globs and literal paths from the cwd; keeps TypeORM\'s extensions, drops .d.ts and dot files', () => {
    expect(version).toBe('1.1.1');
    expect(migrationFiles([join(tmp, 'm/*.{ts,js}')], tmp, globSync).sort()).toEqual([join(tmp, 'm/1-A.js'), join(tmp, 'm/2-B.ts')]);
    expect(migrationFiles(['m/**/*.ts', 'dist/4-D.js'], tmp, globSync).sort()).toEqual([join(tmp, 'dist/4-D.js'), join(tmp, 'm/2-B.ts'), join(tmp, 'm/sub/3-C.ts')]);
    // A directory expands to everything under it (tinyglobby's expandDirectories), as in TypeORM.
    expect(migrationFiles(['./m/'], tmp, globSync).sort()).toEqual([join(tmp, 'm/1-A.js'), join(tmp, 'm/2-B.ts'), join(tmp, 'm/sub/3-C.ts')]);
  });
});

describe('registeredMigrations (MigrationExecutor.getMigrations)', () => {
  const root = '/app';
  it('sorts by the 13-digit timestamp and names each file relative to the project', () => {
    const found = [
      { file: '/app/src/m/b.ts', names: ['B1700000000002'] },
      { file: '/app/src/m/a.ts', names: ['A1700000000001', 'C1700000000003'] },
    ];
    expect(registeredMigrations(found, root)).toEqual([
      { name: 'A1700000000001', timestamp: 1700000000001, file: 'src/m/a.ts' },
      { name: 'B1700000000002', timestamp: 1700000000002, file: 'src/m/b.ts' },
      { name: 'C1700000000003', timestamp: 1700000000003, file: 'src/m/a.ts' },
    ]);
  });

  it('refuses what TypeORM refuses (no timestamp, duplicates) and ties whose order depends on the file system', () => {
    expect(caught(() => registeredMigrations([{ file: '/app/a.ts', names: ['CreateUsers'] }], root))).toMatchObject({ code: 'OPERATION.UNSUPPORTED', why: expect.stringContaining('migration name is wrong') });
    expect(caught(() => registeredMigrations([{ file: '/app/a.ts', names: ['A1700000000001'] }, { file: '/app/b.ts', names: ['A1700000000001'] }], root))).toMatchObject({ why: expect.stringContaining('Duplicate migrations') });
    expect(caught(() => registeredMigrations([{ file: '/app/a.ts', names: ['A1700000000001', 'B1700000000001'] }], root))).toMatchObject({ why: expect.stringContaining('share the timestamp') });
  });
});

describe('history queries and rows', () => {
  it('asks what TypeORM asks: hasTable in the current (or the data source\'s) schema, then the rows', () => {
    expect(historyQueries('postgres', 'migrations', undefined)).toEqual({
      exists: { sql: 'SELECT 1 FROM information_schema.tables WHERE table_schema = current_schema() AND table_name = $1', params: ['migrations'] },
      rows: 'SELECT "id", "timestamp", "name" FROM "migrations" ORDER BY "id"',
    });
    expect(historyQueries('postgres', 'history', 'ops').exists.params).toEqual(['ops', 'history']);
    expect(historyQueries('sqlite', 'migrations', undefined).exists.sql).toBe(`SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?`);
    expect(caught(() => historyQueries('postgres', 'a.b', undefined))).toMatchObject({ why: expect.stringContaining('needs quoting') });
  });

  it('parses ids and timestamps as TypeORM does (PostgreSQL bigint arrives as a string)', () => {
    expect(executedRows([{ id: 3, timestamp: '1705300000000', name: 'A1705300000000' }])).toEqual([{ id: 3, timestamp: 1705300000000, name: 'A1705300000000' }]);
  });
});

function recording(engine: 'postgres' | 'sqlite') {
  const rows = JSON.parse(recorded('typeorm/basic', `fast/history-rows-${engine}.json`)) as { exists: boolean; rows: Record<string, unknown>[] };
  const full = parseHelperOutput({ stdout: recorded('typeorm/basic', `fast/helper-status-${engine}.stdout`), stderr: '' }, 'status');
  return { rows, full };
}

/** The fixture's migration files, read and ordered by the fast path. */
function fixtureRegistered() {
  const root = join(fixturesDir, 'typeorm/basic');
  const files = migrationFiles([join(root, 'src/migrations/*.{ts,js}')], root, projectTypeorm(repoRoot).globSync);
  const found = files.map((file) => {
    const r = readMigrationFile(readFileSync(file, 'utf8'), file, { cwd: root, ...moduleOf(file, packageTypeOf(file)) });
    if (!r.ok) throw new Error(r.why);
    return { file, names: r.value };
  });
  return registeredMigrations(found, root);
}

describe.each(['postgres', 'sqlite'] as const)('recorded on %s: rows + files give what the helper gave', (engine) => {
  it('the same migrations, files, states, current and heads', () => {
    const { rows, full } = recording(engine);
    expect(rows.exists).toBe(true);
    const fast = { registered: fixtureRegistered(), executed: executedRows(rows.rows), migrationsTableName: 'migrations' };
    const pick = (ms: ReturnType<typeof migrationsFromStatus>) => ms.map((m) => ({ id: m.id, name: m.name, file: m.file, parents: m.parents, state: m.state, appliedAt: m.appliedAt }));
    expect(pick(migrationsFromStatus(fast, fromName))).toEqual(pick(migrationsFromStatus(full)));
    expect(currentAndHeads(fast)).toEqual(currentAndHeads(full));
    expect(migrationsFromStatus(fast, fromName).map((m) => m.state)).toEqual(['applied', 'applied', 'applied', 'pending']);
  });
});

describe('statusFast refusals', () => {
  const basic = (url?: string, linked = true): Project => {
    const dir = copyFixture('typeorm/basic');
    copies.push(dir);
    if (linked) symlinkSync(join(repoRoot, 'node_modules'), join(dir, 'node_modules'));
    return projectIn(adapter, dir, url);
  };
  const none: HistoryReader = { tableExists: async () => false, query: async () => [] };
  const refusal = async (p: Project) => {
    const e = await statusFast(p, { ...makeContext(), history: none }).catch((x: unknown) => x);
    return isMigratorError(e) ? { code: e.code, why: e.why } : e;
  };

  it('without a database URL: the data source configures the connection in code', async () => {
    expect(await refusal(basic())).toEqual({ code: 'OPERATION.UNSUPPORTED', why: 'the database is configured in code (src/data-source.ts)' });
  });

  it('when TypeORM would not even start, or the URL carries settings the helper does not pass on', async () => {
    expect(await refusal(basic('sqlite:///tmp/x.sqlite', false))).toMatchObject({ code: 'OPERATION.UNSUPPORTED', why: expect.stringContaining('typeorm is not installed') });
    expect(await refusal(basic('postgresql://u@localhost:5432/db?options=-csearch_path%3Dops'))).toMatchObject({ why: expect.stringContaining('sets options') });
  });

  it('when the data source is code', async () => {
    const p = basic('sqlite:///tmp/x.sqlite');
    writeFileSync(join(p.absRoot, 'src/data-source.ts'), `import { DataSource } from 'typeorm';\nimport { migrations } from './list';\nexport const AppDataSource = new DataSource({ type: 'better-sqlite3', database: 'x', migrations });\n`);
    expect(await refusal(p)).toMatchObject({ code: 'OPERATION.UNSUPPORTED', why: expect.stringContaining('data-source.ts: its migrations option is computed when it runs') });
  });

  it('builds the state from an empty database', async () => {
    const fresh = await statusFast(basic('sqlite:///tmp/none.sqlite'), { ...makeContext(), history: none });
    expect(fresh.summary).toEqual({ total: 4, applied: 0, pending: 4, problems: 0 });
    expect(fresh.source).toMatchObject({ via: 'history-table', command: [], toolVersion: '1.1.1' });
  });
});
