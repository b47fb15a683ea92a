// The knexfile read without running it: every fixture's real knexfile, and the knexfiles the fast
// path must refuse (code decides the migrations settings, or the environment is unclear).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fixturesDir } from '@metamig/testkit';
import { DEFAULT_LOAD_EXTENSIONS, type KnexfileReading, knexfileModule, packageTypeOf, readKnexfile } from './knexfile.js';

const DEFAULTS = { directories: ['./migrations'], loadExtensions: DEFAULT_LOAD_EXTENSIONS, sortDirsSeparately: false, tableName: 'knex_migrations', schemaName: undefined };

function fixture(name: string, file: string, environment = 'development'): KnexfileReading {
  const path = join(fixturesDir, 'knex', name, file);
  const module = knexfileModule(path, packageTypeOf(path));
  return readKnexfile(readFileSync(path, 'utf8'), path, { cwd: join(fixturesDir, 'knex', name), module: module!, environment });
}

const knexfile = (text: string, environment = 'development', module: 'cjs' | 'esm' | 'ts' = 'cjs') =>
  readKnexfile(text, `/app/knexfile.${module === 'ts' ? 'ts' : module === 'esm' ? 'mjs' : 'cjs'}`, { cwd: '/app', module, environment });
const why = (r: KnexfileReading) => (r.ok ? undefined : r.why);

describe('readKnexfile on the fixtures', () => {
  it('reads every fixture knexfile as knex would configure its migrations', () => {
    for (const name of ['basic', 'failed-migration', 'irreversible', 'rollback-gaps']) expect(fixture(name, 'knexfile.cjs')).toEqual({ ok: true, settings: DEFAULTS });
    // Keyed by environment: development is a `? :` on DATABASE_URL, both branches without migrations.
    expect(fixture('out-of-order', 'knexfile.cjs')).toEqual({ ok: true, settings: DEFAULTS });
    expect(fixture('out-of-order', 'knexfile.cjs', 'production')).toEqual({ ok: true, settings: DEFAULTS });
    expect(why(fixture('out-of-order', 'knexfile.cjs', 'test'))).toContain('it has no "test" environment');
    expect(fixture('esm', 'knexfile.js')).toEqual({ ok: true, settings: { ...DEFAULTS, directories: ['./db/migrations'], tableName: 'schema_history' } });
    expect(fixture('typescript', 'knexfile.ts')).toEqual({ ok: true, settings: DEFAULTS }); // migrations.extension only matters to make
  });

  it('knows how the helper loads each knexfile', () => {
    expect(knexfileModule('/p/knexfile.js', 'module')).toBe('esm');
    expect(knexfileModule('/p/knexfile.js', undefined)).toBe('cjs');
    expect(knexfileModule('/p/knexfile.cjs', 'module')).toBe('cjs');
    expect(knexfileModule('/p/knexfile.mjs', undefined)).toBe('esm');
    expect(knexfileModule('/p/knexfile.ts', 'commonjs')).toBe('ts');
    expect(knexfileModule('/p/knexfile.ts', 'module')).toBeUndefined();
    const files: Record<string, string> = { '/a/package.json': '{"type":"module"}' };
    expect(packageTypeOf('/a/b/c/knexfile.js', (p) => files[p])).toBe('module');
    expect(packageTypeOf('/x/knexfile.js', (p) => files[p])).toBeUndefined();
  });
});

describe('readKnexfile: settings', () => {
  it('reads directories, extensions, sorting, table and schema; a key set to undefined falls back like knex', () => {
    const r = knexfile(`module.exports = { client: 'pg', migrations: { directory: ['./a', './b'], loadExtensions: ['.js'], sortDirsSeparately: true, tableName: 't', schemaName: 's', extension: 'ts' } };`);
    expect(r).toEqual({ ok: true, settings: { directories: ['./a', './b'], loadExtensions: ['.js'], sortDirsSeparately: true, tableName: 't', schemaName: 's' } });
    expect(knexfile(`module.exports = { migrations: { loadExtensions: undefined, schemaName: null } };`)).toEqual({ ok: true, settings: DEFAULTS });
  });

  it('picks the environment like the helper: config[env] when it is an object, else the whole file', () => {
    const keyed = `module.exports = { development: { client: 'pg', migrations: { tableName: 'dev' } }, production: { client: 'pg', migrations: { tableName: 'prod' } } };`;
    expect(knexfile(keyed, 'production')).toMatchObject({ ok: true, settings: { tableName: 'prod' } });
    // A top-level `connection` object is an "environment" when NODE_ENV=connection, exactly as in knex.
    expect(why(knexfile(`module.exports = { client: 'pg', connection: { host: 'h' } };`, 'connection'))).toBeUndefined();
    expect(knexfile(`module.exports = { client: 'pg', connection: process.env.URL, migrations: { tableName: 'x' } };`, 'connection')).toMatchObject({ ok: true, settings: { tableName: 'x' } });
    // `export default` (ESM, or TypeScript compiled by ts-node) is what knex uses.
    expect(knexfile(`export default { migrations: { tableName: 'esm' } };`, 'development', 'esm')).toMatchObject({ ok: true, settings: { tableName: 'esm' } });
    expect(knexfile(`import type { Knex } from 'knex';\nconst c: Knex.Config = { migrations: { tableName: 'ts' } };\nexport default c;`, 'development', 'ts')).toMatchObject({ ok: true, settings: { tableName: 'ts' } });
  });

  it('accepts a `? :` whose branches agree, and refuses one whose branches differ', () => {
    expect(knexfile(`module.exports = process.env.CI ? { client: 'pg', migrations: { tableName: 't' } } : { client: 'sqlite3', migrations: { tableName: 't' } };`)).toMatchObject({ ok: true });
    expect(why(knexfile(`module.exports = { client: 'pg', migrations: { tableName: process.env.CI ? 'a' : 'b' } };`))).toContain('migrations.tableName is computed when it runs');
    expect(why(knexfile(`module.exports = process.env.CI ? { migrations: { directory: 'a' } } : { migrations: { directory: 'b' } };`))).toContain('depend on how it runs');
  });
});

describe('readKnexfile: refusals (code decides)', () => {
  const cases: [string, string][] = [
    [`module.exports = async () => ({ client: 'pg' });`, 'exports a function'],
    [`module.exports = require('./config');`, 'computed when it runs'],
    [`module.exports = { client: 'pg', migrations: { migrationSource: new MySource() } };`, 'custom migrationSource'],
    [`module.exports = { client: 'pg', migrations: { directory: process.env.MIGRATIONS } };`, 'migrations.directory is computed'],
    [`module.exports = { client: 'pg', migrations: { directory: 42 } };`, 'not a literal string or list of strings'],
    [`module.exports = { client: 'pg', migrations: { ...base() } };`, 'parts computed when they run'],
    [`module.exports = { client: 'pg', migrations: load() };`, 'computed when it runs'],
    [`module.exports = { [env]: { client: 'pg' } };`, 'computed when it runs'],
    [`const c = { client: 'pg', migrations: { tableName: 'a' } };\nc.migrations.tableName = 'b';\nmodule.exports = c;`, 'c (line 1) is also used on line 2'],
    [`const c = { client: 'pg' };\nmodule.exports = c;\nmodule.exports.migrations = { tableName: 'b' };`, 'changed after it was assigned'],
    [`module.exports = { client: 'pg', migrations: { tableName: 'a' } }\nif (process.env.X) module.exports.migrations.tableName = 'b';`, 'uses module in a way'],
    [`module.exports = { client: 'pg' `, 'could not read'],
  ];
  for (const [text, reason] of cases) {
    it(`refuses: ${text.split('\n')[0]!.slice(0, 70)}`, () => {
      expect(why(knexfile(text))).toContain(reason);
    });
  }
});
