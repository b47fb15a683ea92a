// The real typeorm 1.1.1 (the project's own, through the helper; TypeScript through ts-node) against a
// throwaway PostgreSQL and real SQLite files, driven through core's runMigrations / planMigrations
// exactly as the CLI drives it. Tests run concurrently: each is mostly waiting on child processes.
import { cpSync, existsSync, readFileSync, readdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, test } from 'vitest';
import { type MigrationState, type Project, isMigratorError, planMigrations, runMigrations } from '@metamig/core';
import { copyFixture as copyTestkitFixture, makeContext, projectIn, removeCopy, repoRoot, usePostgres } from '@metamig/testkit';
import { adapter } from './index.js';

// The fixtures' data sources switch to PostgreSQL on DATABASE_URL; these tests choose explicitly.
delete process.env.DATABASE_URL;

const pg = usePostgres();
const PASSWORD = 'Ty-s3cret-Pw';

beforeAll(() => {
  // Fixtures use the typeorm/ts-node/drivers of the repo's root devDependencies, as a project would its own.
  const fromRoot = createRequire(join(repoRoot, 'package.json'));
  for (const pkg of ['typeorm', 'ts-node', 'typescript', 'reflect-metadata', 'pg', 'better-sqlite3']) {
    try {
      fromRoot.resolve(pkg);
    } catch {
      throw new Error(`${pkg} is not installed at ${repoRoot}: run \`npm ci\` there (or scripts/setup); typeorm 1.1.1, ts-node, typescript and the drivers are root devDependencies.`);
    }
  }
});

const copies: string[] = [];
afterAll(() => copies.forEach(removeCopy));

/** A copy of fixtures/typeorm/<name> with the repo's node_modules linked in, as a real project has its own. */
function typeormProject(name: string, databaseUrl?: string, { linked = true } = {}): Project {
  const dir = copyTestkitFixture(`typeorm/${name}`);
  copies.push(dir);
  if (linked) symlinkSync(join(repoRoot, 'node_modules'), join(dir, 'node_modules'));
  return projectIn(adapter, dir, databaseUrl);
}

const withPassword = (url: string) => url.replace('postgresql://postgres@', `postgresql://postgres:${PASSWORD}@`);
const dbName = (url: string) => new URL(url).pathname.slice(1);
const ids = (s: MigrationState, state?: string) => s.migrations.filter((m) => !state || m.state === state).map((m) => m.id);

/** Read-only views of the real database, whichever engine the test uses. */
function inspect(engine: 'postgres' | 'sqlite', url: string | undefined, sqliteFile: string) {
  const sqlite = <T>(sql: string): T[] => {
    if (!existsSync(sqliteFile)) return [];
    const db = new Database(sqliteFile, { readonly: true });
    try {
      return db.prepare(sql).all() as T[];
    } finally {
      db.close();
    }
  };
  return {
    async tables(): Promise<string[]> {
      if (engine === 'postgres') return (await pg.server.query<{ t: string }>(dbName(url!), "select table_name as t from information_schema.tables where table_schema = 'public' order by 1")).map((r) => r.t);
      return sqlite<{ t: string }>("select name as t from sqlite_master where type = 'table' and name not like 'sqlite_%' order by 1").map((r) => r.t);
    },
    async rows<T>(sql: string): Promise<T[]> {
      return engine === 'postgres' ? pg.server.query(dbName(url!), sql) as Promise<T[]> : sqlite<T>(sql);
    },
    async columns(table: string): Promise<string[]> {
      if (engine === 'postgres') return (await pg.server.query<{ c: string }>(dbName(url!), `select column_name as c from information_schema.columns where table_name = '${table}' order by ordinal_position`)).map((r) => r.c);
      return sqlite<{ name: string }>(`select name from pragma_table_info('${table}')`).map((r) => r.name);
    },
  };
}

const BASIC = ['CreateUsers1705300000000', 'AddUsersEmail1705400000000', 'AddUsersEmailIndex1705500000000', 'SeedAdminUser1705600000000'];

describe.concurrent('TypeORM adapter', () => {
  test.for(['postgres', 'sqlite'] as const)('basic cycle on %s: status → plan up → up → status → plan down → down 1 → status → down 2 → up --to → status', async (engine, { expect }) => {
    const ctx = makeContext();
    const url = engine === 'postgres' ? withPassword(await pg.database()) : undefined; // SQLite: the data source's own file
    const project = typeormProject('basic', url);
    expect(project.configFile).toBe('src/data-source.ts');
    const db = inspect(engine, url, join(project.absRoot, 'basic.sqlite3'));
    const admins = async () => (await db.rows("select 1 from users where email = 'admin@example.com'")).length;

    const fresh = await adapter.status(project, ctx);
    expect(ids(fresh, 'pending')).toEqual(BASIC);
    expect(fresh.summary).toEqual({ total: 4, applied: 0, pending: 4, problems: 0 });
    expect(fresh.history).toEqual({ kind: 'databaseBehind', pending: BASIC });
    expect(fresh.migrations.map((m) => [m.transactional, m.reversible])).toEqual(BASIC.map(() => [true, true]));
    expect(fresh.source.toolVersion).toBe('1.1.1');
    expect(fresh.source.native).toMatch(/^npx typeorm-ts-node-commonjs migration:show -d src\/data-source\.ts/);
    expect(await db.tables()).toEqual([]); // unlike migration:show, status created no migrations table (nor the SQLite file)
    expect(existsSync(join(project.absRoot, 'basic.sqlite3'))).toBe(false);

    const planUp = await planMigrations(adapter, project, 'up', { kind: 'latest' }, ctx);
    expect(planUp.steps.map((s) => [s.migration.id, s.sqlSource])).toEqual(BASIC.map((id) => [id, 'sandbox-capture']));
    const sqlOf = (i: number) => planUp.steps[i]!.statements.map((s) => s.sql).join('\n');
    expect(sqlOf(0)).toMatch(/^CREATE TABLE "users"/);
    expect(sqlOf(1)).toMatch(engine === 'postgres' ? /^ALTER TABLE "users" ADD "email" varchar\(255\)$/ : /CREATE TABLE "temporary_users"[\s\S]*ALTER TABLE "temporary_users" RENAME TO "users"/);
    expect(sqlOf(2)).toMatch(/^CREATE INDEX "IDX_users_email" ON "users"/);
    expect(sqlOf(3)).toMatch(/^INSERT INTO "users"\("name", "email"\) VALUES/);
    expect(planUp.steps[3]!.statements[0]!.note).toBe('parameters: ["Admin","admin@example.com"]');
    expect(planUp.sideEffects.join('\n')).toMatch(engine === 'postgres' ? /rolled it back[\s\S]*locks were held/ : /empty temporary database/);
    expect(planUp.warnings.some((w) => w.includes('ACCESS EXCLUSIVE'))).toBe(engine === 'postgres');
    expect(await db.tables()).toEqual([]); // the preview left nothing: no table, not even migrations

    const upAll = await runMigrations(adapter, project, 'up', { kind: 'latest' }, ctx);
    expect(upAll.ok).toBe(true);
    expect(upAll.mode).toEqual({ kind: 'native' });
    expect(upAll.changes).toEqual(BASIC.map((id) => ({ id, name: expect.any(String), direction: 'up' })));
    expect(upAll.source.native).toMatch(/^npx typeorm-ts-node-commonjs migration:run -d src\/data-source\.ts/);
    expect(await db.tables()).toEqual(['migrations', 'users']);
    expect(await admins()).toBe(1);

    const applied = await adapter.status(project, ctx);
    expect(ids(applied, 'applied')).toEqual(BASIC);
    expect(applied.current).toEqual([BASIC[3]]);
    expect(applied.history).toBeNull();

    const planDown = await planMigrations(adapter, project, 'down', { kind: 'steps', n: 1 }, ctx);
    expect(planDown.steps.map((s) => s.migration.id)).toEqual([BASIC[3]]);
    expect(planDown.steps[0]!.statements.map((s) => s.sql)).toEqual([`DELETE FROM "users" WHERE "email" = ${engine === 'postgres' ? '$1' : '?'}`]);
    expect(await admins()).toBe(1); // previewing the rollback deleted nothing
    expect((await db.rows('select name from migrations')).length).toBe(4);

    const down1 = await runMigrations(adapter, project, 'down', { kind: 'steps', n: 1 }, ctx);
    expect(down1.ok).toBe(true);
    expect(down1.changes).toEqual([{ id: BASIC[3], name: 'seed admin user', direction: 'down' }]);
    expect(down1.source.native).toMatch(/^npx typeorm-ts-node-commonjs migration:revert -d src\/data-source\.ts/);
    const afterDown1 = await adapter.status(project, ctx);
    expect(ids(afterDown1, 'pending')).toEqual([BASIC[3]]);
    expect(await admins()).toBe(0);

    // TypeORM reverts one migration per call: two steps are two migration:revert.
    const down2 = await runMigrations(adapter, project, 'down', { kind: 'steps', n: 2 }, ctx);
    expect(down2.changes.map((c) => c.id)).toEqual([BASIC[2], BASIC[1]]);
    expect(down2.source.native.split(' && ')).toHaveLength(2);
    expect(await db.columns('users')).toEqual(['id', 'name']);

    // migration:run has no target: up --to is emulated by withholding the later pending migration.
    const upTo = await runMigrations(adapter, project, 'up', { kind: 'to', id: 'AddUsersEmailIndex' }, ctx);
    expect(upTo.ok).toBe(true);
    expect(upTo.changes.map((c) => c.id)).toEqual([BASIC[1], BASIC[2]]);
    expect(upTo.mode).toEqual({ kind: 'emulated', how: expect.stringContaining(`withheld ${BASIC[3]} from the DataSource for this run`) });
    expect(upTo.source.native).toContain(`runs every pending migration, including ${BASIC[3]}`);
    const final = await adapter.status(project, ctx);
    expect(ids(final, 'applied')).toEqual(BASIC.slice(0, 3));
    expect(ids(final, 'pending')).toEqual([BASIC[3]]);
    expect((await db.rows<{ name: string }>('select name from migrations order by id')).map((r) => r.name)).toEqual(BASIC.slice(0, 3));

    const everything = JSON.stringify([fresh, planUp, upAll, applied, planDown, down1, afterDown1, down2, upTo, final]) + ctx.logger.lines.join('\n');
    expect(everything).not.toContain(PASSWORD);
  });

  test.for(['postgres', 'sqlite'] as const)("a failing migration on %s: TypeORM's message, the real state, and a multi-step revert that stops", async (engine, { expect }) => {
    const ctx = makeContext();
    const url = engine === 'postgres' ? await pg.database() : undefined;
    const project = typeormProject('failed-migration', url);
    const db = inspect(engine, url, join(project.absRoot, 'failed.sqlite3'));
    const FAILED = ['CreateAccounts1710000000000', 'AddAccountsPlan1710100000000', 'AddAccountsNote1710200000000', 'BackfillAccountsOwner1710300000000'] as const;

    const report = await runMigrations(adapter, project, 'up', { kind: 'latest' }, ctx);
    expect(report.ok).toBe(false);
    expect(report.failedMigration).toBe(FAILED[3]);
    expect(report.error).toMatchObject({ code: 'MIGRATION.FAILED', summary: expect.stringContaining(`${FAILED[3]} failed`) });
    expect(report.error?.toolOutput).toContain(`Migration "${FAILED[3]}" failed, error: `);
    expect(report.error?.toolOutput).toMatch(engine === 'postgres' ? /column "owner" of relation "accounts" does not exist/ : /SqliteError: no such column: owner/);
    expect(report.error?.toolOutput).toMatch(/Error during migration run:/);
    // migrationsTransactionMode "all": the whole run rolled back — the first three too.
    expect(report.error?.why).toContain('rolled back the whole run');
    expect(report.changes).toEqual([]);
    expect(report.after.applied).toBe(0);
    expect(report.recovery).toContain('No migration completed');
    expect(await db.tables()).toEqual(['migrations']); // created by TypeORM before its transaction; no accounts table
    expect(await db.rows('select * from migrations')).toEqual([]);

    // Three applied, then `down --steps 2`: the first revert works, the second fails and stops there.
    expect((await runMigrations(adapter, project, 'up', { kind: 'to', id: FAILED[2] }, ctx)).changes).toHaveLength(3);
    const down = await runMigrations(adapter, project, 'down', { kind: 'steps', n: 2 }, ctx);
    expect(down.ok).toBe(false);
    expect(down.changes).toEqual([{ id: FAILED[2], name: 'add accounts note', direction: 'down' }]);
    expect(down.failedMigration).toBe(FAILED[1]);
    expect(down.error).toMatchObject({
      code: 'MIGRATION.FAILED',
      summary: `${project.id}: reverting ${FAILED[1]} failed: Supplied index IDX_accounts_plan was not found in table accounts`,
      why: `Reverted 1 of 2 before it (${FAILED[2]}); ${FAILED[1]} ran in a transaction that was rolled back, so it is still executed; not attempted: none.`,
    });
    expect(down.error?.toolOutput).toContain(`Migration ${FAILED[2]} has been reverted successfully.`);
    const after = await adapter.status(project, ctx);
    expect(ids(after, 'applied')).toEqual(FAILED.slice(0, 2));
    expect(ids(after, 'pending')).toEqual(FAILED.slice(2));
    expect(await db.columns('accounts')).toEqual(['id', 'email', 'plan']);
  });

  test('out of order (SQLite): detected, restamped (file + class), still runs; an executed one is refused', async ({ expect }) => {
    const ctx = makeContext();
    const project = typeormProject('out-of-order');
    const dir = project.absRoot;
    const migrations = join(dir, 'src/migrations');
    const OWNER = 'AddProjectsOwner1709596800000';
    const ARCHIVED = 'AddProjectsArchived1709769600000';
    const TASKS = 'CreateTasks1710028800000';
    expect((await runMigrations(adapter, project, 'up', { kind: 'latest' }, ctx)).changes).toHaveLength(2);
    cpSync(join(dir, 'branch/1709596800000-AddProjectsOwner.ts'), join(migrations, '1709596800000-AddProjectsOwner.ts')); // the merge

    const merged = await adapter.status(project, ctx);
    expect(merged.history).toEqual({ kind: 'outOfOrder', migrations: [OWNER] });
    expect(merged.migrations.find((m) => m.id === OWNER)?.detail).toContain('TypeORM runs it silently');
    const heads = await adapter.heads!(project, merged, ctx);
    expect(heads.divergent).toBe(true);
    expect(heads.advice.join('\n')).toContain('--restamp');
    const advice = await adapter.mergeHeads(project, { state: merged }, ctx);
    expect(advice.renamed).toEqual([]);
    expect(advice.message).toMatch(/run them as they are[\s\S]*restamp/);

    const restamp = await adapter.mergeHeads(project, { restamp: true, state: merged }, ctx);
    expect(restamp.refused).toEqual([]);
    expect(restamp.renamed).toEqual([{ from: 'src/migrations/1709596800000-AddProjectsOwner.ts', to: expect.stringMatching(/^src\/migrations\/\d{13}-AddProjectsOwner\.ts$/) }]);
    const stamp = /(\d{13})-/.exec(restamp.renamed[0]!.to)![1]!;
    const newOwner = `AddProjectsOwner${stamp}`;
    expect(Number(stamp)).toBeGreaterThan(1710028800000);
    expect(restamp.headsAfter).toEqual([newOwner]);
    expect(readdirSync(migrations)).not.toContain('1709596800000-AddProjectsOwner.ts');
    const source = readFileSync(join(dir, restamp.renamed[0]!.to), 'utf8');
    expect(source).toContain(`export class ${newOwner} implements MigrationInterface`);
    expect(source).toContain(`name = '${newOwner}';`);

    const restamped = await adapter.status(project, ctx);
    expect(restamped.history).toEqual({ kind: 'databaseBehind', pending: [newOwner] });
    const ran = await runMigrations(adapter, project, 'up', { kind: 'latest' }, ctx);
    expect(ran.changes.map((c) => c.id)).toEqual([newOwner]);

    // A second branch, run as it is: TypeORM executes the older migration silently; restamp refuses it then.
    cpSync(join(dir, 'branch/1709769600000-AddProjectsArchived.ts'), join(migrations, '1709769600000-AddProjectsArchived.ts'));
    expect((await runMigrations(adapter, project, 'up', { kind: 'latest' }, ctx)).changes.map((c) => c.id)).toEqual([ARCHIVED]);
    const late = await adapter.status(project, ctx);
    expect(ids(late, 'applied')).toEqual(['CreateProjects1709251200000', TASKS, newOwner, ARCHIVED]);
    expect(late.migrations.find((m) => m.id === ARCHIVED)?.detail).toBe(`executed out of order: after ${newOwner}, which has a newer timestamp`);
    const refused = await adapter.mergeHeads(project, { restamp: true, state: late }, ctx);
    expect(refused.renamed).toEqual([]);
    expect(refused.refused).toEqual([{ file: 'src/migrations/1709769600000-AddProjectsArchived.ts', reason: expect.stringContaining('already executed') }]);
    expect(readdirSync(migrations)).toContain('1709769600000-AddProjectsArchived.ts');
    // down --steps 1 undoes the last EXECUTED (archived), as migration:revert does, not the newest timestamp.
    const undo = await runMigrations(adapter, project, 'down', { kind: 'steps', n: 1 }, ctx);
    expect(undo.changes).toEqual([{ id: ARCHIVED, name: 'add projects archived', direction: 'down' }]);
    await expect(inspect('sqlite', undefined, join(dir, 'out-of-order.sqlite3')).columns('projects')).resolves.toEqual(['id', 'title', 'owner']);
  });

  test('irreversible migrations are reported before any rollback (SQLite)', async ({ expect }) => {
    const ctx = makeContext();
    const project = typeormProject('irreversible');
    const before = await adapter.status(project, ctx);
    expect(before.migrations.map((m) => m.reversible)).toEqual([true, false, false]);
    expect(before.migrations[1]!.irreversibleReason).toBe('its down() throws: "DropLegacyPayload cannot be reverted: the payloads were deleted"');
    await runMigrations(adapter, project, 'up', { kind: 'latest' }, ctx);
    const refused = await runMigrations(adapter, project, 'down', { kind: 'steps', n: 1 }, ctx).catch((e: unknown) => e);
    expect(isMigratorError(refused) && refused.code).toBe('MIGRATION.IRREVERSIBLE');
    expect(isMigratorError(refused) && refused.why).toContain('its down() is empty');
    expect((await adapter.status(project, ctx)).summary.applied).toBe(3);
  });

  test('migrationsTransactionMode "each" with CREATE INDEX CONCURRENTLY (PostgreSQL)', async ({ expect }) => {
    const ctx = makeContext();
    const url = await pg.database();
    const project = typeormProject('transaction-each', url);
    const plan = await planMigrations(adapter, project, 'up', { kind: 'latest' }, ctx);
    expect(plan.steps.map((s) => s.sqlSource)).toEqual(['sandbox-capture', 'unavailable', 'sandbox-capture']);
    expect(plan.steps[1]!.reason).toContain('`transaction = false`');
    expect(await pg.server.query(dbName(url), "select 1 from information_schema.tables where table_schema = 'public'")).toEqual([]);

    const up = await runMigrations(adapter, project, 'up', { kind: 'latest' }, ctx);
    expect(up.ok).toBe(true);
    expect(up.source.native).toBe(`npx typeorm migration:run -d src/data-source.js   # with the data source's connection replaced by postgres postgres@127.0.0.1:${new URL(url).port}/${dbName(url)}`);
    const state = await adapter.status(project, ctx);
    expect(state.migrations.map((m) => [m.transactional, m.reversible])).toEqual([[true, true], [false, false], [true, true]]);
    expect(await pg.server.query(dbName(url), "select indexname from pg_indexes where indexname = 'IDX_orders_status'")).toHaveLength(1);
    // migration:revert would run DROP INDEX CONCURRENTLY in a transaction: refused before anything runs.
    const refused = await runMigrations(adapter, project, 'down', { kind: 'steps', n: 2 }, ctx).catch((e: unknown) => e);
    expect(isMigratorError(refused) && refused.code).toBe('MIGRATION.IRREVERSIBLE');
    expect((await adapter.status(project, ctx)).summary.applied).toBe(3);
  });

  test('an ES-module TypeScript project runs under ts-node/esm, as typeorm-ts-node-esm runs it (SQLite)', async ({ expect }) => {
    const ctx = makeContext();
    const project = typeormProject('esm-typescript');
    const ESM = ['CreateInvoices1716000000000', 'AddInvoicesDueOn1716100000000'];
    const fresh = await adapter.status(project, ctx);
    expect(fresh.migrations.map((m) => [m.id, m.file])).toEqual([
      [ESM[0], 'src/migrations/1716000000000-CreateInvoices.ts'],
      [ESM[1], 'src/migrations/1716100000000-AddInvoicesDueOn.ts'],
    ]);
    expect(fresh.source.native).toBe('npx typeorm-ts-node-esm migration:show -d src/data-source.ts');
    expect(fresh.source.command.slice(1, 4)).toEqual(['--loader', 'ts-node/esm', '--no-warnings']);
    const up = await runMigrations(adapter, project, 'up', { kind: 'latest' }, ctx);
    expect(up.changes.map((c) => c.id)).toEqual(ESM);
    await expect(inspect('sqlite', undefined, join(project.absRoot, 'esm.sqlite3')).columns('invoices')).resolves.toEqual(['id', 'total_cents', 'due_on']);
  });

  test('setup problems say how to fix them', async ({ expect }) => {
    const ctx = makeContext();
    const bare = typeormProject('failed-migration', undefined, { linked: false });
    await expect(adapter.status(bare, ctx)).rejects.toMatchObject({ code: 'TOOL.NOT_FOUND', fix: expect.stringContaining('npm install') });
    expect((await adapter.checkToolchain(bare, ctx)).find((c) => c.name === 'typeorm')).toMatchObject({ found: false });
    const linked = typeormProject('basic');
    expect((await adapter.checkToolchain(linked, ctx)).map((c) => [c.name, c.found, c.version ?? null])).toEqual([
      ['node', true, process.versions.node],
      ['typeorm', true, '1.1.1'],
      ['ts-node', true, '10.9.2'],
    ]);
    const declared = { ...linked, options: { dataSource: 'src/nope.ts' } };
    await expect(adapter.status(declared, ctx)).rejects.toMatchObject({ code: 'CONFIG.INVALID', summary: expect.stringContaining('options.dataSource "src/nope.ts" does not exist') });
    // Without the fixture's `transpileOnly`, ts-node type-checks (its default), as typeorm-ts-node-commonjs
    // would: decorator metadata still works, and a type error stops TypeORM before it connects.
    const typed = typeormProject('basic');
    const tsconfig = join(typed.absRoot, 'tsconfig.json');
    writeFileSync(tsconfig, readFileSync(tsconfig, 'utf8').replace('"ts-node": { "transpileOnly": true },', ''));
    expect((await adapter.status(typed, ctx)).summary.pending).toBe(4);
    const ds = join(typed.absRoot, 'src/data-source.ts');
    writeFileSync(ds, readFileSync(ds, 'utf8').replace('synchronize: false,', 'synchronize: 0,'));
    await expect(adapter.status(typed, ctx)).rejects.toMatchObject({
      code: 'CONFIG.UNREADABLE',
      summary: `typeorm: TypeORM could not load src/data-source.ts: Unable to open file: "${ds}". ⨯ Unable to compile TypeScript:`,
      toolOutput: expect.stringMatching(/error TS2345: Argument of type .* is not assignable to parameter of type 'DataSourceOptions'/),
    });
  });
});
