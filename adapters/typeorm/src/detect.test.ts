import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { listRepo } from '@metamig/core';
import { fixturesDir } from '@metamig/testkit';
import { constructsDataSource, dependsOnTypeorm, describeDatabase, detect, resolveDataSource, typesIn } from './detect.js';

const temps: string[] = [];
afterAll(() => temps.forEach((d) => rmSync(d, { recursive: true, force: true })));

/** A throwaway repository tree: { 'api/package.json': '…' }. */
function tree(files: Record<string, string>): string {
  const root = mkdtempSync(join(tmpdir(), 'metamig-typeorm-detect-'));
  temps.push(root);
  for (const [rel, text] of Object.entries(files)) {
    mkdirSync(dirname(join(root, rel)), { recursive: true });
    writeFileSync(join(root, rel), text);
  }
  return root;
}

const PKG = JSON.stringify({ dependencies: { typeorm: '^1.1.1', pg: '^8' } });
const DS = "import { DataSource } from 'typeorm';\nexport const AppDataSource = new DataSource({ type: 'postgres', url: process.env.DATABASE_URL });\n";

describe('detect', () => {
  it('finds every fixture project by package.json + its data source', () => {
    expect(detect(listRepo(join(fixturesDir, 'typeorm')))).toEqual([
      { framework: 'typeorm', root: 'basic', configFile: 'basic/src/data-source.ts' },
      { framework: 'typeorm', root: 'esm-typescript', configFile: 'esm-typescript/src/data-source.ts' },
      { framework: 'typeorm', root: 'failed-migration', configFile: 'failed-migration/src/data-source.js' },
      { framework: 'typeorm', root: 'irreversible', configFile: 'irreversible/src/data-source.js' },
      { framework: 'typeorm', root: 'out-of-order', configFile: 'out-of-order/src/data-source.ts' },
      { framework: 'typeorm', root: 'rollback-gaps', configFile: 'rollback-gaps/src/data-source.ts' },
      { framework: 'typeorm', root: 'transaction-each', configFile: 'transaction-each/src/data-source.js' },
    ]);
  });

  it('is conservative: typeorm dependency AND a conventional file that constructs a DataSource', () => {
    const root = tree({
      'package.json': PKG,
      'src/data-source.ts': DS,
      'src/data-source.js': DS, // compiled twin: the TypeScript source wins
      'api/package.json': JSON.stringify({ devDependencies: { typeorm: '1.1.1' } }),
      'api/data-source.js': DS,
      'web/package.json': JSON.stringify({ dependencies: { react: '19' } }), // no typeorm
      'web/src/data-source.ts': DS,
      'jobs/package.json': PKG,
      'jobs/src/db/data-source.ts': DS, // not a conventional path: declare it in metamig config
      'lib/package.json': PKG,
      'lib/src/data-source.ts': 'export const options = { type: "postgres" };\n', // no DataSource built here
      'broken/package.json': '{ not json',
      'broken/src/data-source.ts': DS,
    });
    expect(detect(listRepo(root))).toEqual([
      { framework: 'typeorm', root: '.', configFile: 'src/data-source.ts' },
      { framework: 'typeorm', root: 'api', configFile: 'api/data-source.js' },
    ]);
  });

  it('reads dependencies of every kind', () => {
    expect(dependsOnTypeorm(JSON.stringify({ peerDependencies: { typeorm: '*' } }))).toBe(true);
    expect(dependsOnTypeorm(JSON.stringify({ dependencies: { 'typeorm-extension': '1' } }))).toBe(false);
    expect(dependsOnTypeorm('[]')).toBe(false);
    expect(constructsDataSource('export default new DataSource ({})')).toBe(true);
    expect(constructsDataSource('export const options: DataSourceOptions = {}')).toBe(false);
  });
});

describe('resolveDataSource', () => {
  const project = (options: Record<string, unknown> = {}, configFile = 'svc/src/data-source.ts') => ({ framework: 'typeorm' as const, root: 'svc', configFile, id: 'svc:typeorm', options });
  const has = (...files: string[]) => (rel: string) => files.includes(rel);

  it('takes options.dataSource first, then the detected file, then a conventional path', () => {
    expect(resolveDataSource(project({ dataSource: './src/db/ds.ts' }), has('src/db/ds.ts', 'src/data-source.ts'))).toBe('src/db/ds.ts');
    expect(resolveDataSource(project(), has('src/data-source.ts'))).toBe('src/data-source.ts');
    // Declared in metamig config without a file (configFile is the folder): the conventional paths.
    expect(resolveDataSource(project({}, 'svc'), has('data-source.js'))).toBe('data-source.js');
  });

  it('explains what is wrong and how to name the file', () => {
    expect(() => resolveDataSource(project({ dataSource: 'dist/ds.js' }), has())).toThrow(/options.dataSource "dist\/ds.js" does not exist/);
    expect(() => resolveDataSource(project({ dataSource: 42 }), has())).toThrow(/must be the path of the data source file/);
    try {
      resolveDataSource(project({}, 'svc'), has());
      expect.unreachable();
    } catch (e) {
      expect(e).toMatchObject({ code: 'CONFIG.INVALID', why: expect.stringContaining('needs `-d <file>`'), fix: expect.stringContaining('"dataSource"') });
    }
  });
});

describe('describeDatabase', () => {
  it('names the data source and the types written in it, without running it', () => {
    const target = describeDatabase({ framework: 'typeorm', root: 'typeorm/basic', configFile: 'typeorm/basic/src/data-source.ts' }, fixturesDir);
    expect(target).toEqual({ engine: 'unknown', source: 'tool-config', description: 'from src/data-source.ts (code; type postgres or better-sqlite3, decided when it runs)' });
  });

  it('gives the engine when one type is written, and says when no file is known', () => {
    const root = tree({ 'package.json': PKG, 'data-source.ts': DS });
    expect(describeDatabase({ framework: 'typeorm', root: '.', configFile: 'data-source.ts' }, root)).toEqual({ engine: 'postgres', source: 'tool-config', description: 'from data-source.ts (code; type postgres)' });
    expect(describeDatabase({ framework: 'typeorm', root: 'nowhere', configFile: 'nowhere' }, root).description).toBe('from the data source named by options.dataSource (code)');
    expect(typesIn(`{ type: "mysql" }, { type:'sqlite' }, { type: dbType }`)).toEqual(['mysql', 'sqlite']);
  });
});
