// The real knex 3.3.0 (the project's own, through the helper) against a throwaway PostgreSQL and real
// SQLite files, driven through core's runMigrations / planMigrations exactly as the CLI drives it.
import { cpSync, existsSync, mkdirSync, readdirSync, renameSync, symlinkSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type MigrationState, type Project, isMigratorError, planMigrations, runMigrations } from '@metamig/core';
import { copyFixture as copyTestkitFixture, makeContext, projectIn, removeCopy, repoRoot, usePostgres } from '@metamig/testkit';
import { adapter } from './index.js';

// The fixtures' knexfiles switch to PostgreSQL on DATABASE_URL; these tests choose explicitly.
delete process.env.DATABASE_URL;

const pg = usePostgres();
const PASSWORD = 'Kx-s3cret-Pw';

beforeAll(() => {
  // Fixtures use the knex/pg/better-sqlite3 of the repo's root devDependencies, as a project would its own.
  const fromRoot = createRequire(join(repoRoot, 'package.json'));
  for (const pkg of ['knex', 'pg', 'better-sqlite3']) {
    try {
      fromRoot.resolve(pkg);
    } catch {
      throw new Error(`${pkg} is not installed at ${repoRoot}: run \`npm ci\` there (or scripts/setup); knex 3.3.0, pg and better-sqlite3 are root devDependencies.`);
    }
  }
});

const copies: string[] = [];
afterAll(() => copies.forEach(removeCopy));
const copyFixture = (rel: string) => {
  const dir = copyTestkitFixture(rel);
  copies.push(dir);
  return dir;
};

/** A copy of fixtures/knex/<name> with the repo's node_modules linked in, as a real project has its own. */
function knexProject(name: string, databaseUrl?: string, options: Record<string, unknown> = {}): Project {
  const dir = copyFixture(`knex/${name}`);
  symlinkSync(join(repoRoot, 'node_modules'), join(dir, 'node_modules'));
  return { ...projectIn(adapter, dir, databaseUrl), options };
}

const withPassword = (url: string) => url.replace('postgresql://postgres@', `postgresql://postgres:${PASSWORD}@`);
const dbName = (url: string) => new URL(url).pathname.slice(1);
const ids = (s: MigrationState, state?: string) => s.migrations.filter((m) => !state || m.state === state).map((m) => m.id);

const BASIC = ['20240115093000_create_users.cjs', '20240116101500_add_users_email.cjs', '20240117084500_add_users_email_index.cjs', '20240118120000_seed_admin_user.cjs'];

describe.each(['postgres', 'sqlite'] as const)('basic cycle on %s', (engine) => {
  it('status → plan up → up → plan down → down 1 → down 2 → up --to → status', async () => {
    const ctx = makeContext();
    const url = engine === 'postgres' ? withPassword(await pg.database()) : undefined; // SQLite: the knexfile's own file
    const project = knexProject('basic', url);
    const sqliteFile = join(project.absRoot, 'basic.sqlite3');
    const tables = async () =>
      engine === 'postgres'
        ? (await pg.server.query<{ table_name: string }>(dbName(url!), "select table_name from information_schema.tables where table_schema = 'public' order by 1")).map((r) => r.table_name)
        : existsSync(sqliteFile)
          ? new Database(sqliteFile, { readonly: true }).prepare("select name from sqlite_master where type = 'table' and name not like 'sqlite_%' order by 1").all().map((r) => (r as { name: string }).name)
          : [];
    const admins = async () =>
      engine === 'postgres'
        ? (await pg.server.query(dbName(url!), "select 1 from users where email = 'admin@example.com'")).length
        : new Database(sqliteFile, { readonly: true }).prepare("select 1 from users where email = 'admin@example.com'").all().length;

    const fresh = await adapter.status(project, ctx);
    expect(ids(fresh, 'pending')).toEqual(BASIC);
    expect(fresh.summary).toEqual({ total: 4, applied: 0, pending: 4, problems: 0 });
    expect(fresh.history).toEqual({ kind: 'databaseBehind', pending: BASIC });
    expect(fresh.migrations.map((m) => m.transactional)).toEqual([true, true, false, true]);
    expect(fresh.source.native).toContain('migrate:list');
    expect(fresh.source.toolVersion).toBe('3.3.0');
    expect(await tables()).toEqual([]); // status created neither knex's tables nor (SQLite) the file
    expect(existsSync(sqliteFile)).toBe(false);

    const planUp = await planMigrations(adapter, project, 'up', { kind: 'latest' }, ctx);
    expect(planUp.steps.map((s) => s.migration.id)).toEqual(BASIC);
    const sqlOf = (i: number) => planUp.steps[i]!.statements.map((s) => s.sql).join('\n');
    expect(sqlOf(0)).toMatch(/create table .users./);
    expect(sqlOf(1)).toMatch(/alter table .users. add column .email./);
    expect(sqlOf(3)).toMatch(/insert into .users./);
    expect(planUp.steps[3]!.statements[0]!.note).toContain('admin@example.com');
    if (engine === 'postgres') {
      expect(planUp.steps.map((s) => s.sqlSource)).toEqual(['sandbox-capture', 'sandbox-capture', 'unavailable', 'sandbox-capture']);
      expect(planUp.steps[2]!.reason).toContain('config.transaction = false');
      expect(planUp.sideEffects.join('\n')).toContain('rolled it back');
    } else {
      // On a copy, the non-transactional migration runs too, as knex would run it.
      expect(planUp.steps.map((s) => s.sqlSource)).toEqual(['sandbox-capture', 'sandbox-capture', 'sandbox-capture', 'sandbox-capture']);
      expect(sqlOf(2)).toBe('create index users_email_index on users (email)');
    }
    expect(await tables()).toEqual([]); // the preview left no table behind (not even knex_migrations)

    const upAll = await runMigrations(adapter, project, 'up', { kind: 'latest' }, ctx);
    expect(upAll.ok).toBe(true);
    expect(upAll.changes).toEqual(BASIC.map((id) => ({ id, name: expect.any(String), direction: 'up' })));
    expect(upAll.source.native).toContain('migrate:latest');
    expect(await tables()).toEqual(['knex_migrations', 'knex_migrations_lock', 'users']);
    expect(await admins()).toBe(1);

    const applied = await adapter.status(project, ctx);
    expect(ids(applied, 'applied')).toEqual(BASIC);
    expect(applied.current).toEqual([BASIC[3]]);
    expect(applied.migrations.every((m) => m.batch === 1 && m.appliedAt)).toBe(true);
    expect(applied.source.via).toBe('tool'); // knex.migrate.list() answered

    const planDown = await planMigrations(adapter, project, 'down', { kind: 'steps', n: 1 }, ctx);
    expect(planDown.steps).toHaveLength(1);
    expect(planDown.steps[0]!.sqlSource).toBe('sandbox-capture');
    expect(planDown.steps[0]!.statements[0]!.sql).toMatch(/^delete from .users. where .email. = (\$1|\?)$/);
    expect(await admins()).toBe(1); // previewing the rollback deleted nothing

    const down1 = await runMigrations(adapter, project, 'down', { kind: 'steps', n: 1 }, ctx);
    expect(down1.ok).toBe(true);
    expect(down1.changes).toEqual([{ id: BASIC[3], name: 'seed_admin_user', direction: 'down' }]);
    const afterDown1 = await adapter.status(project, ctx);
    expect(ids(afterDown1, 'pending')).toEqual([BASIC[3]]);
    expect(await admins()).toBe(0);

    const down2 = await runMigrations(adapter, project, 'down', { kind: 'steps', n: 2 }, ctx);
    expect(down2.changes.map((c) => c.id)).toEqual([BASIC[2], BASIC[1]]);
    expect(down2.source.native).toBe(`npx knex --knexfile knexfile.cjs${engine === 'postgres' ? ` --client pg --connection ${url!.replace(PASSWORD, '***')}` : ''} migrate:down ${BASIC[2]} && npx knex --knexfile knexfile.cjs${engine === 'postgres' ? ` --client pg --connection ${url!.replace(PASSWORD, '***')}` : ''} migrate:down ${BASIC[1]}`);

    const upTo = await runMigrations(adapter, project, 'up', { kind: 'to', id: 'add_users_email_index' }, ctx);
    expect(upTo.ok).toBe(true);
    expect(upTo.changes.map((c) => c.id)).toEqual([BASIC[1], BASIC[2]]);
    expect(upTo.source.native).toContain(`migrate:to ${BASIC[2]}`);
    const final = await adapter.status(project, ctx);
    expect(ids(final, 'applied')).toEqual(BASIC.slice(0, 3));
    expect(ids(final, 'pending')).toEqual([BASIC[3]]);
    expect(final.migrations.map((m) => m.batch)).toEqual([1, 2, 2, undefined]);

    const everything = JSON.stringify([fresh, planUp, upAll, applied, planDown, down1, down2, upTo, final]) + ctx.logger.lines.join('\n');
    expect(everything).not.toContain(PASSWORD);
  });
});

describe.each(['postgres', 'sqlite'] as const)('a failing migration on %s', (engine) => {
  it("reports knex's own message, the failing file and the real state after", async () => {
    const ctx = makeContext();
    const url = engine === 'postgres' ? await pg.database() : undefined;
    const project = knexProject('failed-migration', url);
    const report = await runMigrations(adapter, project, 'up', { kind: 'latest' }, ctx);
    const failing = '20240403090000_add_customers_email_unique.cjs';
    expect(report.ok).toBe(false);
    expect(report.failedMigration).toBe(failing);
    expect(report.error?.code).toBe('MIGRATION.FAILED');
    expect(report.error?.toolOutput).toContain(`migration file "${failing}" failed`);
    expect(report.error?.toolOutput).toMatch(engine === 'postgres' ? /could not create unique index "customers_email_unique"/ : /UNIQUE constraint failed: customers\.email/);
    // Every migration is transactional, so knex ran the batch in one transaction: all of it rolled back.
    expect(report.error?.why).toContain('rolled back the whole batch');
    expect(report.changes).toEqual([]);
    expect(report.after.applied).toBe(0);
    expect(report.recovery).toContain('No migration completed');
    const after = await adapter.status(project, ctx);
    expect(after.summary).toMatchObject({ applied: 0, pending: 3 });
    const customers =
      engine === 'postgres'
        ? (await pg.server.query(dbName(url!), "select 1 from information_schema.tables where table_name = 'customers'")).length
        : new Database(join(project.absRoot, 'failed-migration.sqlite3'), { readonly: true }).prepare("select 1 from sqlite_master where name = 'customers'").all().length;
    expect(customers).toBe(0);
  });
});

describe('out of order (SQLite)', () => {
  it('detects, explains, applies as-is, rolls back in apply order, restamps only the unapplied file', async () => {
    const ctx = makeContext();
    const dir = copyFixture('knex/out-of-order');
    symlinkSync(join(repoRoot, 'node_modules'), join(dir, 'node_modules'));
    const url = `sqlite:///${join(dirname(dir), 'ooo.sqlite3')}`;
    const project: Project = { ...projectIn(adapter, dir, url), options: { environment: 'development' } };

    await expect(adapter.status({ ...project, options: { environment: 'staging' } }, ctx)).rejects.toMatchObject({
      code: 'CONFIG.INVALID',
      summary: expect.stringContaining('has no "staging" environment (it has: development, production)'),
    });

    expect((await runMigrations(adapter, project, 'up', { kind: 'latest' }, ctx)).changes).toHaveLength(2);
    for (const f of readdirSync(join(dir, 'branch'))) cpSync(join(dir, 'branch', f), join(dir, 'migrations', f)); // the merge
    const OWNER = '20240305090000_add_projects_owner.cjs';
    const ARCHIVED = '20240307090000_add_projects_archived.cjs';
    const TASKS = '20240310090000_create_tasks.cjs';

    const merged = await adapter.status(project, ctx);
    expect(merged.history).toEqual({ kind: 'outOfOrder', migrations: [OWNER, ARCHIVED] });
    expect(merged.heads).toEqual([TASKS]);
    const heads = await adapter.heads!(project, merged, ctx);
    expect(heads.divergent).toBe(true);
    expect(heads.advice.join('\n')).toContain('--restamp');

    const advice = await adapter.mergeHeads(project, { state: merged }, ctx);
    expect(advice.renamed).toEqual([]);
    expect(advice.headsBefore).toEqual([OWNER, ARCHIVED, TASKS]);
    expect(advice.message).toMatch(/apply them as they are[\s\S]*restamp/);
    expect(readdirSync(join(dir, 'migrations'))).toContain(ARCHIVED);

    // Apply one as-is: knex runs it after the newer create_tasks.
    const asIs = await runMigrations(adapter, project, 'up', { kind: 'to', id: OWNER }, ctx);
    expect(asIs.changes.map((c) => c.id)).toEqual([OWNER]);
    const mixed = await adapter.status(project, ctx);
    expect(ids(mixed, 'applied')).toEqual(['20240301090000_create_projects.cjs', TASKS, OWNER]);
    expect(mixed.migrations.find((m) => m.id === OWNER)?.detail).toContain('applied out of order');
    expect(ids(mixed, 'out-of-order')).toEqual([ARCHIVED]);

    // down --steps 1 undoes the last APPLIED (owner), not the last by file name (create_tasks).
    const undo = await runMigrations(adapter, project, 'down', { kind: 'steps', n: 1 }, ctx);
    expect(undo.changes).toEqual([{ id: OWNER, name: 'add_projects_owner', direction: 'down' }]);
    await runMigrations(adapter, project, 'up', { kind: 'to', id: OWNER }, ctx);

    const restamp = await adapter.mergeHeads(project, { restamp: true, state: await adapter.status(project, ctx) }, ctx);
    expect(restamp.renamed).toHaveLength(1);
    expect(restamp.renamed[0]!.from).toBe(`migrations/${ARCHIVED}`);
    expect(restamp.renamed[0]!.to).toMatch(/^migrations\/\d{14}_add_projects_archived\.cjs$/);
    const newArchived = restamp.renamed[0]!.to.slice('migrations/'.length);
    expect(newArchived > TASKS).toBe(true);
    expect(restamp.refused).toEqual([{ file: `migrations/${OWNER}`, reason: expect.stringContaining('already applied') }]);
    expect(restamp.headsAfter).toEqual([newArchived]);
    expect(readdirSync(join(dir, 'migrations')).sort()).toEqual(['20240301090000_create_projects.cjs', OWNER, TASKS, newArchived]);

    const restamped = await adapter.status(project, ctx);
    expect(restamped.history).toEqual({ kind: 'databaseBehind', pending: [newArchived] });

    // A recorded file that disappears: status reports it, knex refuses to migrate.
    renameSync(join(dir, 'migrations', TASKS), join(dir, TASKS));
    const corrupt = await adapter.status(project, ctx);
    expect(corrupt.migrations.find((m) => m.id === TASKS)?.state).toBe('missing-file');
    expect(corrupt.history).toMatchObject({ kind: 'diverged', unknownToCode: [TASKS] });
    expect(corrupt.warnings.join('\n')).toContain('The migration directory is corrupt');
    const refused = await runMigrations(adapter, project, 'up', { kind: 'latest' }, ctx);
    expect(refused.ok).toBe(false);
    expect(refused.error?.code).toBe('TOOL.FAILED');
    expect(refused.error?.toolOutput).toContain(`The migration directory is corrupt, the following files are missing: ${TASKS}`);
    renameSync(join(dir, TASKS), join(dir, 'migrations', TASKS));

    const done = await runMigrations(adapter, project, 'up', { kind: 'latest' }, ctx);
    expect(done.changes.map((c) => c.id)).toEqual([newArchived]);
    expect((await adapter.status(project, ctx)).summary).toEqual({ total: 4, applied: 4, pending: 0, problems: 0 });
  });
});

describe('irreversible migrations and setup errors', () => {
  it('reports irreversibility before any rollback, and knex refusing a file without down()', async () => {
    const ctx = makeContext();
    const dir = copyFixture('knex/irreversible');
    symlinkSync(join(repoRoot, 'node_modules'), join(dir, 'node_modules'));
    const project = projectIn(adapter, dir, `sqlite:///${join(dirname(dir), 'irreversible.sqlite3')}`);
    const before = await adapter.status(project, ctx);
    expect(before.migrations.map((m) => m.reversible)).toEqual([true, false, false]);
    expect(before.migrations[1]!.irreversibleReason).toBe('its down() only throws: "irreversible: the legacy_payload data was dropped"');
    expect(before.migrations[2]!.irreversibleReason).toContain('no down() function');

    await runMigrations(adapter, project, 'up', { kind: 'to', id: '20240502090000_drop_events_legacy_payload.cjs' }, ctx);
    const refused = await runMigrations(adapter, project, 'down', { kind: 'steps', n: 1 }, ctx).catch((e: unknown) => e);
    expect(isMigratorError(refused) && refused.code).toBe('MIGRATION.IRREVERSIBLE');
    expect((await adapter.status(project, ctx)).summary.applied).toBe(2);

    const noDown = await runMigrations(adapter, project, 'up', { kind: 'latest' }, ctx);
    expect(noDown.ok).toBe(false);
    expect(noDown.error?.toolOutput).toContain('Invalid migration: 20240503090000_add_events_index.cjs must have both an up and down function');
    expect(noDown.after.applied).toBe(2);
  });

  it('runs an ES-module project with its own migrations directory and table', async () => {
    const ctx = makeContext();
    const project = knexProject('esm');
    const fresh = await adapter.status(project, ctx);
    expect(fresh.migrations.map((m) => m.file)).toEqual(['db/migrations/20240601090000_create_orders.js', 'db/migrations/20240602090000_add_orders_status.js']);
    expect((await runMigrations(adapter, project, 'up', { kind: 'latest' }, ctx)).ok).toBe(true);
    const db = new Database(join(project.absRoot, 'esm.sqlite3'), { readonly: true });
    expect(db.prepare('select name, batch from schema_history order by id').all()).toEqual([
      { name: '20240601090000_create_orders.js', batch: 1 },
      { name: '20240602090000_add_orders_status.js', batch: 1 },
    ]);
    db.close();
    expect((await adapter.status(project, ctx)).summary).toMatchObject({ applied: 2, pending: 0 });
  });

  it('loads a TypeScript knexfile and migrations through the loader knex itself would use', async () => {
    const ctx = makeContext();
    const project = { ...knexProject('typescript'), options: { environment: 'development' } };
    expect(project.configFile).toBe('knexfile.ts');
    const report = await runMigrations(adapter, project, 'up', { kind: 'latest' }, ctx);
    expect(report.changes.map((c) => c.id)).toEqual(['20240701090000_create_invoices.ts', '20240702090000_add_invoices_due_on.ts']);
    expect(report.source.native).toBe('npx knex --env development migrate:latest'); // the CLI finds knexfile.ts itself
  });

  it('refuses a TypeScript knexfile clearly when the project has no loader', async () => {
    const ctx = makeContext();
    const dir = copyFixture('knex/typescript');
    // A project whose node_modules has knex but no TypeScript loader (ts-node, sucrase, esbuild-register …).
    mkdirSync(join(dir, 'node_modules'));
    symlinkSync(join(repoRoot, 'node_modules/knex'), join(dir, 'node_modules/knex'));
    const project = { ...projectIn(adapter, dir), options: { environment: 'development' } };
    await expect(adapter.status(project, ctx)).rejects.toMatchObject({
      code: 'TOOL.NOT_FOUND',
      why: expect.stringContaining('knexfile.ts is TypeScript and no TypeScript loader could be loaded from the project (knex tries: ts-node/register'),
      fix: expect.stringContaining('npm install -D ts-node typescript'),
    });
  });

  it('says how to install knex when the project has none', async () => {
    const ctx = makeContext();
    const project = projectIn(adapter, copyFixture('knex/basic'));
    await expect(adapter.status(project, ctx)).rejects.toMatchObject({ code: 'TOOL.NOT_FOUND', fix: expect.stringContaining('npm install knex') });
    const checks = await adapter.checkToolchain(project, ctx);
    expect(checks.find((c) => c.name === 'knex')).toMatchObject({ found: false, hint: expect.stringContaining('npm install knex') });
    const linked = knexProject('basic');
    expect((await adapter.checkToolchain(linked, ctx)).find((c) => c.name === 'knex')).toMatchObject({ found: true, version: '3.3.0' });
  });
});
