// Data sources and migration files read without running them: every fixture's real files, compiled
// output, and what the fast path must refuse.
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fixturesDir } from '@metamig/testkit';
import { type Engine, type Reading, moduleOf, packageTypeOf, readDataSource, readMigrationFile } from './sources.js';

const fixtureFile = (rel: string) => join(fixturesDir, 'typeorm', rel);
const ctxOf = (file: string) => ({ cwd: '/app', ...moduleOf(file, packageTypeOf(file)) });

function fixtureDataSource(name: string, engine: Engine = 'postgres') {
  const rel = readdirSync(fixtureFile(`${name}/src`)).find((f) => f.startsWith('data-source'))!;
  const file = fixtureFile(`${name}/src/${rel}`);
  return readDataSource(readFileSync(file, 'utf8'), file, ctxOf(file), engine);
}

const dataSource = (text: string, engine: Engine = 'postgres', module: 'cjs' | 'ts' | 'esm' = 'cjs') =>
  readDataSource(text, `/app/src/data-source.${module === 'cjs' ? 'js' : 'ts'}`, { cwd: '/app', module, typescript: module !== 'cjs' }, engine);
const migration = (text: string, module: 'cjs' | 'ts' | 'esm' = 'ts') => readMigrationFile(text, `/app/src/migrations/m.${module === 'cjs' ? 'js' : 'ts'}`, { cwd: '/app', module, typescript: module !== 'cjs' });
const why = <T>(r: Reading<T>) => (r.ok ? undefined : r.why);

describe('readDataSource on the fixtures', () => {
  it('finds the migrations globs and table of every fixture data source (both branches of the DATABASE_URL `? :`)', () => {
    const src = (name: string) => fixtureFile(`${name}/src`);
    expect(fixtureDataSource('basic')).toEqual({ ok: true, value: { patterns: [`${src('basic')}/migrations/*.{ts,js}`], tableName: 'migrations', schema: undefined } });
    expect(fixtureDataSource('out-of-order', 'sqlite')).toEqual({ ok: true, value: { patterns: [`${src('out-of-order')}/migrations/*.{ts,js}`], tableName: 'migrations', schema: undefined } });
    expect(fixtureDataSource('esm-typescript')).toEqual({ ok: true, value: { patterns: [`${src('esm-typescript')}/migrations/*.ts`], tableName: 'migrations', schema: undefined } });
    for (const name of ['failed-migration', 'irreversible', 'transaction-each']) {
      expect(fixtureDataSource(name)).toEqual({ ok: true, value: { patterns: [`${src(name)}/migrations/*.js`], tableName: 'migrations', schema: undefined } });
    }
  });

  it('knows how TypeORM loads each file', () => {
    expect(moduleOf('/p/data-source.ts', undefined)).toEqual({ module: 'ts', typescript: true });
    expect(moduleOf('/p/data-source.ts', 'module')).toEqual({ module: 'esm', typescript: true });
    expect(moduleOf('/p/data-source.mts', undefined)).toEqual({ module: 'esm', typescript: true });
    expect(moduleOf('/p/data-source.cts', 'module')).toEqual({ module: 'ts', typescript: true });
    expect(moduleOf('/p/data-source.js', 'module')).toEqual({ module: 'esm', typescript: false });
    expect(moduleOf('/p/data-source.cjs', 'module')).toEqual({ module: 'cjs', typescript: false });
  });
});

describe('readDataSource: settings', () => {
  it('reads migrationsTableName and keeps the schema only where the override keeps it (same engine)', () => {
    const text = `const { DataSource } = require('typeorm');\nmodule.exports = { ds: new DataSource({ type: 'postgres', schema: 'ops', migrationsTableName: 'history', migrations: ['dist/m/*.js', 'dist/other/1-A.js'] }) };`;
    expect(dataSource(text, 'postgres')).toEqual({ ok: true, value: { patterns: ['dist/m/*.js', 'dist/other/1-A.js'], tableName: 'history', schema: 'ops' } });
    expect(dataSource(text, 'sqlite')).toEqual({ ok: true, value: { patterns: ['dist/m/*.js', 'dist/other/1-A.js'], tableName: 'history', schema: undefined } });
    expect(dataSource(`import { DataSource } from 'typeorm';\nexport default new DataSource({ type: 'better-sqlite3', database: 'x' });`, 'sqlite', 'ts')).toEqual({ ok: true, value: { patterns: [], tableName: 'migrations', schema: undefined } });
    expect(dataSource(`const typeorm = require('typeorm');\nmodule.exports = new typeorm.DataSource({ migrations: [] });`)).toMatchObject({ ok: true });
  });

  const cases: [string, string][] = [
    [`import { DataSource } from 'typeorm';\nimport { M1 } from './m';\nexport const ds = new DataSource({ migrations: [M1] });`, 'not a file pattern (a class'],
    [`import { DataSource } from 'typeorm';\nexport const ds = new DataSource({ migrations: [process.env.GLOB] });`, 'computed when it runs'],
    [`import { DataSource } from 'typeorm';\nexport const ds = new DataSource({ migrations: ['a/*.ts'], migrationsTableName: process.env.T });`, 'migrationsTableName option is computed'],
    [`import { DataSource } from 'typeorm';\nexport const ds = process.env.X ? new DataSource({ migrations: ['a/*.ts'] }) : new DataSource({ migrations: ['b/*.ts'] });`, 'the choices differ'],
    [`import { DataSource } from 'typeorm';\nexport const a = new DataSource({});\nexport default a;`, 'several DataSources'],
    [`import { DataSource } from 'typeorm';\nexport const ds = makeDataSource();`, 'export ds is decided when it runs'],
    [`import { DataSource } from 'typeorm';\nexport const version = 3;`, 'no DataSource'],
    [`import { DataSource } from 'typeorm';\nexport const ds = new DataSource({ migrations: ['a/*.ts'] });\nds.setOptions({ migrations: ['b/*.ts'] });`, 'ds (line 2) is also used on line 3'],
    [`import { DataSource } from 'typeorm';\nconst o = { migrations: ['a/*.ts'] };\no.migrations.push('b/*.ts');\nexport const ds = new DataSource(o);`, 'o (line 2) is also used on line 3'],
    [`import { DataSource } from 'typeorm';\nexport const ds = new DataSource({ ...base(), migrations: ['a/*.ts'] });`, 'parts computed'],
    [`import { DataSource } from 'typeorm';\nexport const ds = new DataSource({ type: process.env.T, schema: 's' });`, 'type option is computed'],
    [`import { DataSource } from 'typeorm';\nexport const ds = new DataSource(options());`, 'not an object literal'],
    [`import { DataSource } from 'typeorm';\nexport const ds = new DataSource({ migrations: 'a/*.ts' });`, 'not a list'],
  ];
  for (const [text, reason] of cases) {
    it(`refuses: ${text.split('\n').slice(-1)[0]!.slice(0, 80)}`, () => {
      expect(why(dataSource(text, 'postgres', 'ts'))).toContain(reason);
    });
  }
});

describe('readMigrationFile', () => {
  it('names every fixture migration as TypeORM does', () => {
    for (const name of ['basic', 'esm-typescript', 'failed-migration', 'irreversible', 'out-of-order', 'transaction-each']) {
      const dir = fixtureFile(`${name}/src/migrations`);
      for (const f of readdirSync(dir)) {
        const file = join(dir, f);
        const expected = /^(\d{13})-(\w+)\./.exec(f)!;
        expect(readMigrationFile(readFileSync(file, 'utf8'), file, ctxOf(file))).toEqual({ ok: true, value: [`${expected[2]}${expected[1]}`] });
      }
    }
  });

  it('uses `name` over the class name, in class fields, tsc constructors and every export form', () => {
    expect(migration(`export class A1700000000000 { name = 'Other1700000000001'; }`)).toEqual({ ok: true, value: ['Other1700000000001'] });
    expect(migration(`export class A1700000000000 { public readonly name: string = 'B1700000000000'; }`)).toEqual({ ok: true, value: ['B1700000000000'] });
    expect(migration(`export class A1700000000000 { name!: string; async up() {} }`)).toEqual({ ok: true, value: ['A1700000000000'] });
    expect(migration(`export default class A1700000000000 {}`)).toEqual({ ok: true, value: ['A1700000000000'] });
    expect(migration(`class A1700000000000 {}\nclass B1700000000001 {}\nexport { A1700000000000, B1700000000001 as Other };`)).toEqual({ ok: true, value: ['A1700000000000', 'B1700000000001'] });
    const tsc = `"use strict";\nObject.defineProperty(exports, "__esModule", { value: true });\nexports.A1700000000000 = void 0;\nclass A1700000000000 {\n    constructor() {\n        this.name = 'A1700000000000';\n        this.transaction = false;\n    }\n    async up(q) { await q.query('SELECT 1'); }\n}\nexports.A1700000000000 = A1700000000000;\n`;
    expect(migration(tsc, 'cjs')).toEqual({ ok: true, value: ['A1700000000000'] });
    expect(migration(`module.exports = { A: class A1700000000000 {}, B: class B1700000000001 {}, version: 2 };`, 'cjs')).toEqual({ ok: true, value: ['A1700000000000', 'B1700000000001'] });
  });

  const cases: [string, string][] = [
    [`export class A1700000000000 extends Base {}`, 'extends another class'],
    [`export class A1700000000000 { static name = 'X'; }`, 'defines name in a way'],
    [`export class A1700000000000 { get name() { return 'X1700000000000'; } }`, 'defines name in a way'],
    [`export class A1700000000000 { name = prefix + '1700000000000'; }`, 'is computed'],
    [`export class A1700000000000 { [key] = 'X'; }`, 'computed member name'],
    [`export class A1700000000000 { constructor(name) { this.name = name; } }`, 'does more than set properties'],
    [`export class A1700000000000 { static { register(this); } }`, 'static block'],
    [`@Injectable()\nexport class A1700000000000 {}`, 'has decorators'],
    [`export function helper() {}`, 'not a class'],
    [`export const list = makeMigrations();`, 'computed when it runs'],
    [`export * from './others';`, 're-exports'],
    [`export class A1700000000000 {}\nA1700000000000.prototype.name = 'X';`, 'is also used on line 2'],
  ];
  for (const [text, reason] of cases) {
    it(`refuses: ${text.replace(/\n/g, ' ').slice(0, 80)}`, () => {
      expect(why(migration(text))).toContain(reason);
    });
  }
});
