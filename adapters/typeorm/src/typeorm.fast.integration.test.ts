// `status --fast` (the migrations table read directly, data source and migration files read
// statically, globs expanded with the project's tinyglobby) against the real typeorm 1.1.1 status, on
// a throwaway PostgreSQL and on SQLite, for every fixture at every point of its life: fresh, partly
// executed, executed, reverted, failed runs, out-of-order, a migration gone, compiled JavaScript
// migrations, a custom table and schema. States are reached with TypeORM itself (adapter.up/down).
import { cpSync, renameSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { type AdapterContext, type Direction, type MigrationState, type Project, type Target, isMigratorError, selectSteps } from '@metamig/core';
import { copyFixture, expectFastMatchesFull, makeContext, projectIn, removeCopy, repoRoot, usePostgres } from '@metamig/testkit';
import { adapter } from './index.js';

// The fixtures' data sources switch on DATABASE_URL; the override decides here.
delete process.env.DATABASE_URL;

const pg = usePostgres();
const copies: string[] = [];
afterAll(() => copies.forEach(removeCopy));

type Engine = 'postgres' | 'sqlite';

async function project(name: string, engine: Engine): Promise<Project> {
  const dir = copyFixture(`typeorm/${name}`);
  copies.push(dir);
  symlinkSync(join(repoRoot, 'node_modules'), join(dir, 'node_modules'));
  const url = engine === 'postgres' ? await pg.database() : `sqlite:///${join(dirname(dir), `${name}.sqlite3`)}`;
  return projectIn(adapter, dir, url);
}

/** Move the database with TypeORM itself, from a status just read. */
async function move(p: Project, ctx: AdapterContext, state: MigrationState, direction: Direction, target: Target) {
  const steps = selectSteps(state, direction, target);
  const req = { target, steps, state };
  return direction === 'up' ? adapter.up(p, req, ctx) : adapter.down(p, req, ctx);
}

async function same(p: Project, ctx: AdapterContext): Promise<MigrationState> {
  return (await expectFastMatchesFull(adapter, p, ctx)).full;
}

const states = (s: MigrationState) => s.migrations.map((m) => m.state);

describe.concurrent.each(['postgres', 'sqlite'] as const)('fast status = TypeORM status on %s', (engine) => {
  test('basic (TypeScript): fresh, two executed, all executed, one reverted', async () => {
    const ctx = makeContext();
    const p = await project('basic', engine);
    let s = await same(p, ctx);
    expect(states(s)).toEqual(['pending', 'pending', 'pending', 'pending']);
    expect((await move(p, ctx, s, 'up', { kind: 'steps', n: 2 })).ok).toBe(true);
    s = await same(p, ctx);
    expect((await move(p, ctx, s, 'up', { kind: 'latest' })).ok).toBe(true);
    s = await same(p, ctx);
    expect((await move(p, ctx, s, 'down', { kind: 'steps', n: 1 })).ok).toBe(true);
    const { fast } = await expectFastMatchesFull(adapter, p, ctx);
    expect(states(fast)).toEqual(['applied', 'applied', 'applied', 'pending']);
    expect(fast.migrations[0]).toMatchObject({ file: 'src/migrations/1705300000000-CreateUsers.ts', reversible: 'unknown' });
    expect(fast.source).toMatchObject({ via: 'history-table', command: [], toolVersion: '1.1.1', native: expect.stringContaining('FROM "migrations" ORDER BY "id"') });
  });

  test('failed-migration (JavaScript): a run rolled back whole, three executed, a revert that stops', async () => {
    const ctx = makeContext();
    const p = await project('failed-migration', engine);
    let s = await same(p, ctx);
    expect((await move(p, ctx, s, 'up', { kind: 'latest' })).ok).toBe(false);
    s = await same(p, ctx);
    expect(s.summary.applied).toBe(0);
    expect((await move(p, ctx, s, 'up', { kind: 'steps', n: 3 })).ok).toBe(true);
    s = await same(p, ctx);
    expect((await move(p, ctx, s, 'down', { kind: 'steps', n: 2 })).ok).toBe(false);
    expect(states(await same(p, ctx))).toEqual(['applied', 'applied', 'pending', 'pending']);
  });

  test('out-of-order (TypeScript): an older migration merged, executed late, then one gone', async () => {
    const ctx = makeContext();
    const p = await project('out-of-order', engine);
    let s = await same(p, ctx);
    expect((await move(p, ctx, s, 'up', { kind: 'latest' })).ok).toBe(true);
    cpSync(join(p.absRoot, 'branch/1709596800000-AddProjectsOwner.ts'), join(p.absRoot, 'src/migrations/1709596800000-AddProjectsOwner.ts'));
    s = await same(p, ctx);
    expect(s.history?.kind).toBe('outOfOrder');
    expect((await move(p, ctx, s, 'up', { kind: 'latest' })).ok).toBe(true);
    cpSync(join(p.absRoot, 'branch/1709769600000-AddProjectsArchived.ts'), join(p.absRoot, 'src/migrations/1709769600000-AddProjectsArchived.ts'));
    s = await same(p, ctx);
    expect(states(s)).toEqual(['applied', 'applied', 'applied', 'out-of-order']);
    // An executed migration whose file is gone: missing-file, diverged.
    renameSync(join(p.absRoot, 'src/migrations/1710028800000-CreateTasks.ts'), join(p.absRoot, 'CreateTasks.ts.bak'));
    expect((await same(p, ctx)).history?.kind).toBe('diverged');
  });

  test('irreversible and esm-typescript: executed, partly executed', async () => {
    const ctx = makeContext();
    const irreversible = await project('irreversible', engine);
    expect((await move(irreversible, ctx, await same(irreversible, ctx), 'up', { kind: 'latest' })).ok).toBe(true);
    expect((await same(irreversible, ctx)).summary.applied).toBe(3);
    const esm = await project('esm-typescript', engine);
    expect((await move(esm, ctx, await same(esm, ctx), 'up', { kind: 'steps', n: 1 })).ok).toBe(true);
    expect(states(await same(esm, ctx))).toEqual(['applied', 'pending']);
  });

  test('compiled JavaScript migrations (tsc output), a class without `name`, another table and schema', async () => {
    const ctx = makeContext();
    const p = await project('failed-migration', engine);
    const dir = join(p.absRoot, 'src/migrations');
    // What `tsc` (CommonJS, ES2015+) emits for a migration class with a `name` field.
    writeFileSync(
      join(dir, '1710050000000-AddAccountsPlanIndex.js'),
      `"use strict";\nObject.defineProperty(exports, "__esModule", { value: true });\nexports.AddAccountsPlanIndex1710050000000 = void 0;\nclass AddAccountsPlanIndex1710050000000 {\n    constructor() {\n        this.name = 'AddAccountsPlanIndex1710050000000';\n    }\n    async up(queryRunner) {\n        await queryRunner.query('SELECT 1');\n    }\n    async down(queryRunner) {\n        await queryRunner.query('SELECT 1');\n    }\n}\nexports.AddAccountsPlanIndex1710050000000 = AddAccountsPlanIndex1710050000000;\n//# sourceMappingURL=1710050000000-AddAccountsPlanIndex.js.map\n`,
    );
    // No `name`: TypeORM falls back to the class name.
    writeFileSync(join(dir, '1710060000000-Noop.js'), `module.exports = { Noop1710060000000: class Noop1710060000000 { async up() {} async down() {} } };\n`);
    const schema = engine === 'postgres' ? `schema: 'ops', ` : '';
    const ds = `const path = require('node:path');\nconst { DataSource } = require('typeorm');\nconst options = { type: '${engine === 'postgres' ? 'postgres' : 'better-sqlite3'}', ${schema}migrationsTableName: 'history', migrations: [path.join(__dirname, 'migrations', '*.js')] };\nmodule.exports = { AppDataSource: new DataSource(options) };\n`;
    writeFileSync(join(p.absRoot, 'src/data-source.js'), ds);
    if (engine === 'postgres') await pg.server.query(new URL(p.databaseUrl!).pathname.slice(1), 'CREATE SCHEMA ops');
    let s = await same(p, ctx);
    expect(s.migrations.map((m) => m.id)).toEqual(['CreateAccounts1710000000000', 'AddAccountsPlanIndex1710050000000', 'Noop1710060000000', 'AddAccountsPlan1710100000000', 'AddAccountsNote1710200000000', 'BackfillAccountsOwner1710300000000']);
    expect((await move(p, ctx, s, 'up', { kind: 'steps', n: 3 })).ok).toBe(true);
    s = await same(p, ctx);
    expect(s.summary.applied).toBe(3);
  });
});

describe('fast status = TypeORM status, PostgreSQL only', () => {
  test('transaction-each: executed, then a revert TypeORM cannot do', async () => {
    const ctx = makeContext();
    const p = await project('transaction-each', 'postgres');
    const s = await same(p, ctx);
    expect((await move(p, ctx, s, 'up', { kind: 'latest' })).ok).toBe(true);
    const executed = await same(p, ctx);
    expect(executed.summary.applied).toBe(3);
    // The second revert runs DROP INDEX CONCURRENTLY inside a transaction: PostgreSQL refuses it.
    expect((await move(p, ctx, executed, 'down', { kind: 'steps', n: 2 })).ok).toBe(false);
    expect(states(await same(p, ctx))).toEqual(['applied', 'applied', 'pending']);
  });

  test('no database URL: the connection is code, so the fast path refuses and says why', async () => {
    const p = { ...(await project('basic', 'sqlite')), databaseUrl: undefined };
    const e = await adapter.statusFast!(p, makeContext()).catch((x: unknown) => x);
    expect(isMigratorError(e) && e.code).toBe('OPERATION.UNSUPPORTED');
    expect(isMigratorError(e) && e.why).toBe('the database is configured in code (src/data-source.ts)');
  });
});
