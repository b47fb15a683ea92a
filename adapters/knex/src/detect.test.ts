import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { listRepo } from '@metamig/core';
import { fixturesDir } from '@metamig/testkit';
import { clientsIn, describeDatabase, detect } from './detect.js';

describe('detect', () => {
  it('finds every fixture project by its knexfile.cjs', () => {
    expect(detect(listRepo(join(fixturesDir, 'knex')))).toEqual([
      { framework: 'knex', root: 'basic', configFile: 'basic/knexfile.cjs' },
      { framework: 'knex', root: 'esm', configFile: 'esm/knexfile.js' },
      { framework: 'knex', root: 'failed-migration', configFile: 'failed-migration/knexfile.cjs' },
      { framework: 'knex', root: 'irreversible', configFile: 'irreversible/knexfile.cjs' },
      { framework: 'knex', root: 'out-of-order', configFile: 'out-of-order/knexfile.cjs' },
      { framework: 'knex', root: 'rollback-gaps', configFile: 'rollback-gaps/knexfile.cjs' },
      { framework: 'knex', root: 'typescript', configFile: 'typescript/knexfile.ts' },
    ]);
  });

  it('prefers the knexfile the knex CLI would pick, and knows the repo root', () => {
    const listing = {
      root: '/repo',
      files: ['knexfile.ts', 'api/knexfile.cjs', 'api/knexfile.js', 'web/knexfile.mjs', 'web/knexfile.cjs', 'docs/knexfile.md', 'lib/myknexfile.js'],
    };
    expect(detect(listing)).toEqual([
      { framework: 'knex', root: '.', configFile: 'knexfile.ts' },
      { framework: 'knex', root: 'api', configFile: 'api/knexfile.js' },
      { framework: 'knex', root: 'web', configFile: 'web/knexfile.mjs' },
    ]);
  });
});

describe('describeDatabase', () => {
  it('names the knexfile and both clients of the basic fixture without running it', () => {
    const target = describeDatabase({ framework: 'knex', root: 'basic', configFile: 'knex/basic/knexfile.cjs' }, fixturesDir);
    expect(target.engine).toBe('unknown');
    expect(target.source).toBe('tool-config');
    expect(target.description).toMatch(/^from knexfile\.cjs \(environment \w+; client pg or better-sqlite3, decided when it runs\)$/);
  });

  it('gives the engine when the knexfile names one client', () => {
    const dir = mkdtempSync(join(tmpdir(), 'metamig-knex-detect-'));
    try {
      writeFileSync(join(dir, 'knexfile.js'), "module.exports = { production: { client: 'postgresql', connection: process.env.DB } };\n");
      expect(describeDatabase({ framework: 'knex', root: '.', configFile: 'knexfile.js' }, dir)).toMatchObject({ engine: 'postgres', description: expect.stringContaining('client postgresql') });
      expect(describeDatabase({ framework: 'knex', root: '.', configFile: 'missing/knexfile.js' }, dir)).toMatchObject({ engine: 'unknown', description: expect.stringContaining('client not written literally') });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('reads client literals in every quote style', () => {
    expect(clientsIn(`{ client: "mysql2" }, { client:'sqlite3' }, { client: \`pg\` }, { client: someVar }`)).toEqual(['mysql2', 'sqlite3', 'pg']);
  });
});
