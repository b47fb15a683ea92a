// The real Prisma 6.19.3 CLI (the project's own, JS schema engine) and metamig's direct reads of
// _prisma_migrations, against a throwaway PostgreSQL and real SQLite files, driven through core's
// runMigrations / planMigrations exactly as the CLI drives them.
import { cpSync, existsSync, mkdtempSync, readdirSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { type MigrationState, type Project, isMigratorError, planMigrations, runMigrations } from '@metamig/core';
import { copyFixture as copyTestkitFixture, makeContext, projectIn, removeCopy, repoRoot, usePostgres } from '@metamig/testkit';
import { adapter, readCliStatus, readTable } from './index.js';
import { predictCliStatus } from './history.js';
import { loadProject } from './project.js';

// The fixtures read DATABASE_URL; every test says which database it uses.
delete process.env.DATABASE_URL;

const pg = usePostgres();
const PASSWORD = 'Pr-s3cret-Pw';

beforeAll(() => {
  // The fixtures use the prisma CLI and driver adapters of the repo's root devDependencies, as a project would its own.
  const fromRoot = createRequire(join(repoRoot, 'package.json'));
  for (const pkg of ['prisma/package.json', '@prisma/adapter-pg', '@prisma/adapter-better-sqlite3', 'pg', 'better-sqlite3']) {
    try {
      fromRoot.resolve(pkg);
    } catch {
      throw new Error(`${pkg} is not installed at ${repoRoot}: run \`npm ci\` there (or scripts/setup); prisma 6.19.3 and its driver adapters are root devDependencies.`);
    }
  }
});

const copies: string[] = [];
afterAll(() => copies.forEach(removeCopy));

/** A copy of fixtures/prisma/<rel> with the repo's node_modules linked in, as a real project has its own. */
function prismaProject(rel: string, databaseUrl?: string): Project {
  const dir = copyTestkitFixture(`prisma/${rel}`);
  copies.push(dir);
  symlinkSync(join(repoRoot, 'node_modules'), join(dir, 'node_modules'));
  return projectIn(adapter, dir, databaseUrl);
}

const withPassword = (url: string) => url.replace('postgresql://postgres@', `postgresql://postgres:${PASSWORD}@`);
const dbName = (url: string) => new URL(url).pathname.slice(1);
const ids = (s: MigrationState, state?: string) => s.migrations.filter((m) => !state || m.state === state).map((m) => m.id);
const disagreements = (s: MigrationState) => s.warnings.filter((w) => /disagree/.test(w));

// Every test has its own database and copy: they run concurrently (each is a chain of Prisma CLI
// processes, ~1 s of CPU apiece).
describe.concurrent('prisma against real databases', () => {
  const BASIC = ['20240110090000_create_users', '20240111090000_add_users_display_name', '20240112090000_backfill_users_display_name', '20240113090000_add_users_display_name_index'];
  const INDEX = BASIC[3]!;

  describe.each(['postgres', 'sqlite'] as const)('basic cycle on %s', (engine) => {
    it('fresh status → up → status → plan down → down 1 (emulated, prisma agrees) → status → up --to → status', async ({ expect }) => {
      const ctx = makeContext();
      // PostgreSQL through --database-url (with a password that must never show); SQLite: the project's own .env.
      const url = engine === 'postgres' ? withPassword(await pg.database()) : undefined;
      const project = prismaProject(`basic/${engine}`, url);
      const sqliteFile = join(project.absRoot, 'prisma/dev.db');
      const query = async (sql: string) =>
        engine === 'postgres' ? pg.server.query(dbName(url!), sql) : existsSync(sqliteFile) ? new Database(sqliteFile, { readonly: true }).prepare(sql).all() : [];
      const indexes = async () =>
        (await query(engine === 'postgres' ? "select indexname as name from pg_indexes where tablename = 'users' order by 1" : "select name from sqlite_master where type = 'index' and tbl_name = 'users' and name not like 'sqlite_%' order by 1")).map((r) => (r as { name: string }).name);

      const fresh = await adapter.status(project, ctx);
      expect(ids(fresh, 'pending')).toEqual(BASIC);
      expect(fresh.history).toEqual({ kind: 'databaseBehind', pending: BASIC });
      expect(fresh.migrations.map((m) => m.reversible)).toEqual([true, true, false, 'unknown']);
      expect(fresh.migrations[2]!.irreversibleReason).toMatch(/^no down\.sql, and none can be generated: line 3 changes data/);
      expect(fresh.migrations.map((m) => m.transactional)).toEqual([false, false, false, false]); // JS engine (PG) / SQLite: statement by statement
      expect(fresh.source.toolVersion).toBe('6.19.3');
      if (engine === 'postgres') {
        expect(fresh.source).toMatchObject({ via: 'tool', native: 'npx prisma migrate status' });
        expect(fresh.warnings).toEqual([]);
      } else {
        // No database file yet: prisma migrate status would create an empty one (and then fail, P1014).
        expect(fresh.source.via).toBe('history-table');
        expect(fresh.warnings).toEqual([expect.stringContaining('does not exist yet (prisma migrate status would create an empty file)')]);
        expect(existsSync(sqliteFile)).toBe(false);
      }

      const upAll = await runMigrations(adapter, project, 'up', { kind: 'latest' }, ctx);
      expect(upAll.ok).toBe(true);
      expect(upAll.mode).toEqual({ kind: 'native' });
      expect(upAll.source.native).toBe('npx prisma migrate deploy');
      expect(upAll.changes.map((c) => c.id)).toEqual(BASIC);
      expect(await indexes()).toEqual(engine === 'postgres' ? ['users_display_name_idx', 'users_email_key', 'users_pkey'] : ['users_display_name_idx', 'users_email_key']);

      const applied = await adapter.status(project, ctx);
      expect(ids(applied, 'applied')).toEqual(BASIC);
      expect(applied.current).toEqual([INDEX]);
      expect(applied.migrations.every((m) => m.appliedAt)).toBe(true);
      expect(applied.source.via).toBe('tool'); // the CLI answered and agreed with the table
      expect(applied.warnings).toEqual([]);

      const planDown = await planMigrations(adapter, project, 'down', { kind: 'steps', n: 1 }, ctx);
      expect(planDown.steps).toHaveLength(1);
      expect(planDown.steps[0]).toMatchObject({ sqlSource: 'native-preview', transactional: true });
      expect(planDown.steps[0]!.statements.map((s) => s.sql)).toEqual([engine === 'postgres' ? 'DROP INDEX "public"."users_display_name_idx"' : 'DROP INDEX "users_display_name_idx"']);
      expect(planDown.steps[0]!.statements[0]!.note).toContain('generated by prisma migrate diff');
      if (engine === 'postgres') {
        expect(planDown.sideEffects).toEqual([expect.stringContaining('temporary shadow database')]);
        const shadows = await pg.server.query('postgres', "select datname from pg_database where datname like 'prisma_migrate_shadow_db%'");
        expect(shadows).toEqual([]); // and dropped it again
      }

      const down1 = await runMigrations(adapter, project, 'down', { kind: 'steps', n: 1 }, ctx);
      expect(down1.ok).toBe(true);
      expect(down1.changes).toEqual([{ id: INDEX, name: 'add_users_display_name_index', direction: 'down' }]);
      expect(down1.mode).toMatchObject({ kind: 'emulated', how: expect.stringContaining(`${INDEX}: SQL generated by prisma migrate diff`) });
      expect(down1.warnings).toEqual([expect.stringContaining('had no down.sql: its rollback SQL was generated by prisma migrate diff')]);
      expect(await indexes()).not.toContain('users_display_name_idx');

      const afterDown = await adapter.status(project, ctx);
      expect(ids(afterDown, 'pending')).toEqual([INDEX]);
      expect(afterDown.summary).toEqual({ total: 4, applied: 3, pending: 1, problems: 0 });
      expect(disagreements(afterDown)).toEqual([]);
      // The native tool agrees: that status ran prisma migrate status, which matched the table, and
      // right after the rollback the adapter checked it said exactly this.
      expect(afterDown.source.via).toBe('tool');
      expect(down1.mode).toMatchObject({ how: expect.stringContaining(`prisma migrate status now says: 1 not yet applied: ${INDEX} (agrees with _prisma_migrations)`) });

      const upTo = await runMigrations(adapter, project, 'up', { kind: 'to', id: 'add_users_display_name_index' }, ctx);
      expect(upTo.ok).toBe(true);
      expect(upTo.before.applied).toBe(3);
      expect(upTo.changes.map((c) => c.id)).toEqual([INDEX]);
      expect(upTo.mode).toEqual({ kind: 'native' }); // the only pending one: exactly what deploy does
      const final = await adapter.status(project, ctx);
      expect(final.summary).toEqual({ total: 4, applied: 4, pending: 0, problems: 0 });
      expect(final.warnings).toEqual([]);

      // Two steps back would cross the data step, which has no down.sql: refused before anything runs.
      const refused = await runMigrations(adapter, project, 'down', { kind: 'steps', n: 2 }, ctx).catch((e: unknown) => e);
      expect(isMigratorError(refused) && refused.code).toBe('MIGRATION.IRREVERSIBLE');
      expect(isMigratorError(refused) && refused.why).toContain(`${BASIC[2]}: no down.sql, and none can be generated: line 3 changes data`);
      expect(await indexes()).toContain('users_display_name_idx'); // the index step was not rolled back either

      const everything = JSON.stringify([fresh, upAll, applied, planDown, down1, afterDown, upTo, final]) + ctx.logger.lines.join('\n');
      expect(everything).not.toContain(PASSWORD);
    });
  });

  describe('emulated targets on PostgreSQL', () => {
    it('applies a subset the way deploy does, and rolls back with down.sql', async ({ expect }) => {
      const ctx = makeContext();
      const url = await pg.database();
      const project = prismaProject('basic/postgres', url);

      const two = await runMigrations(adapter, project, 'up', { kind: 'steps', n: 2 }, ctx);
      expect(two.ok).toBe(true);
      expect(two.mode).toMatchObject({ kind: 'emulated', how: expect.stringContaining('prisma migrate deploy has no target') });
      expect(two.changes.map((c) => c.id)).toEqual(BASIC.slice(0, 2));
      const rows = await pg.server.query<{ migration_name: string; applied_steps_count: number; checksum: string; finished_at: Date | null }>(dbName(url), 'select * from _prisma_migrations order by started_at');
      expect(rows.map((r) => [r.migration_name, r.applied_steps_count, r.finished_at instanceof Date, r.checksum.length])).toEqual([
        [BASIC[0], 1, true, 64],
        [BASIC[1], 1, true, 64],
      ]);

      // Prisma itself reads the rows metamig wrote exactly like its own.
      const p = loadProject(project);
      const [cli, table] = await Promise.all([readCliStatus(project, ctx, p), readTable(project, ctx, p)]);
      expect(cli.ran && cli.status).toEqual({ kind: 'pending', found: 4, pending: BASIC.slice(2) });
      expect('table' in table && predictCliStatus(BASIC, table.table)).toEqual(cli.ran && cli.status);

      const down = await runMigrations(adapter, project, 'down', { kind: 'steps', n: 1 }, ctx);
      expect(down.ok).toBe(true);
      expect(down.changes.map((c) => c.id)).toEqual([BASIC[1]]);
      expect(down.mode).toMatchObject({ kind: 'emulated', how: expect.stringContaining(`${BASIC[1]}: prisma/migrations/${BASIC[1]}/down.sql`) });
      expect(down.warnings).toEqual([]);
      const columns = await pg.server.query(dbName(url), "select column_name from information_schema.columns where table_name = 'users' order by 1");
      expect(columns.map((c) => c.column_name)).toEqual(['created_at', 'email', 'id']);

      expect(down.mode).toMatchObject({ how: expect.stringContaining(`prisma migrate status now says: 3 not yet applied: ${BASIC.slice(1).join(', ')} (agrees with _prisma_migrations)`) });
    });
  });

  describe('a project whose prisma cannot run (SQLite)', () => {
    it('reads status and plans from the table and the files, applies a subset, and says how to install prisma', async ({ expect }) => {
      const ctx = makeContext();
      const dir = copyTestkitFixture('prisma/basic/sqlite'); // no node_modules: no prisma resolves from here
      copies.push(dir);
      const project = projectIn(adapter, dir);
      const fresh = await adapter.status(project, ctx);
      expect(fresh.source).toMatchObject({ via: 'history-table', native: 'npx prisma migrate status' });
      expect(fresh.warnings).toEqual([expect.stringContaining('prisma is not installed in the project')]);
      expect(ids(fresh, 'pending')).toEqual(BASIC);

      const planUp = await planMigrations(adapter, project, 'up', { kind: 'steps', n: 2 }, ctx);
      expect(planUp.steps.map((s) => [s.sqlSource, s.transactional, s.statements.map((x) => `${x.file}:${x.line}`)])).toEqual([
        ['migration-file', false, [`prisma/migrations/${BASIC[0]}/migration.sql:2`, `prisma/migrations/${BASIC[0]}/migration.sql:9`]],
        ['migration-file', false, [`prisma/migrations/${BASIC[1]}/migration.sql:2`]],
      ]);

      const one = await runMigrations(adapter, project, 'up', { kind: 'steps', n: 1 }, ctx);
      expect(one).toMatchObject({ ok: true, mode: { kind: 'emulated' }, changes: [{ id: BASIC[0], direction: 'up' }] });
      const db = new Database(join(dir, 'prisma/dev.db'), { readonly: true });
      // The format Prisma's driver adapter writes (ISO text), so ORDER BY started_at stays right.
      expect(db.prepare('select migration_name, typeof(started_at) as t, applied_steps_count as n from _prisma_migrations').all()).toEqual([{ migration_name: BASIC[0], t: 'text', n: 1 }]);
      db.close();

      const all = await runMigrations(adapter, project, 'up', { kind: 'latest' }, ctx).catch((e: unknown) => e);
      expect(all).toMatchObject({ code: 'TOOL.NOT_FOUND', fix: expect.stringContaining('npm install -D prisma') });
      expect((await adapter.checkToolchain(project, ctx)).find((c) => c.name === 'prisma')).toMatchObject({ found: false, hint: expect.stringContaining('npm install -D prisma') });

      // With its prisma back, Prisma itself reads the row metamig wrote as applied.
      symlinkSync(join(repoRoot, 'node_modules'), join(dir, 'node_modules'));
      const cli = await readCliStatus(project, ctx);
      expect(cli.ran && cli.status).toEqual({ kind: 'pending', found: 4, pending: BASIC.slice(1) });
      expect((await adapter.checkToolchain(project, ctx)).find((c) => c.name === 'prisma')).toMatchObject({ found: true, version: '6.19.3' });
    });
  });

  describe.each(['postgres', 'sqlite'] as const)('a failing migration on %s', (engine) => {
    it("reports Prisma's own message, the failing migration and the real state after", async ({ expect }) => {
      const ctx = makeContext();
      // Both through --database-url: PostgreSQL, and an SQLite file outside the project.
      const sqliteFile = join(mkdtempSync(join(tmpdir(), 'metamig-prisma-failed-')), 'failed.sqlite3');
      const url = engine === 'postgres' ? await pg.database() : `sqlite://${sqliteFile}`;
      const project = prismaProject(`failed-migration/${engine}`, url);
      const failing = '20240303090000_add_customers_email_unique';
      const report = await runMigrations(adapter, project, 'up', { kind: 'latest' }, ctx);
      expect(report.ok).toBe(false);
      expect(report.failedMigration).toBe(failing);
      expect(report.error).toMatchObject({ code: 'MIGRATION.FAILED', summary: expect.stringContaining(`${failing} failed: Unique constraint failed`) });
      expect(report.error?.toolOutput).toMatch(engine === 'postgres' ? /Unique constraint failed: \(email\)/ : /Error: P2002\n\nUnique constraint failed on the fields: \(`email`\)/);
      expect(report.error?.why).toContain('statement by statement, outside a transaction');
      expect(report.changes.map((c) => c.id)).toEqual(['20240301090000_create_customers', '20240302090000_import_legacy_customers']);
      expect(report.recovery).toContain(`${failing} failed and is recorded as "failed"`);

      const after = await adapter.status(project, ctx);
      expect(after.history).toMatchObject({ kind: 'failed', migration: failing, detail: expect.stringContaining('Unique constraint failed') });
      expect(after.source.via).toBe('tool'); // prisma migrate status: "Following migration have failed"
      expect(disagreements(after)).toEqual([]);
      // Not transactional: the column added before the failing index stayed; the index did not.
      expect(existsSync(join(project.absRoot, 'prisma/dev.db'))).toBe(false); // the override, not the .env default
      const cols =
        engine === 'postgres'
          ? (await pg.server.query(dbName(url), "select column_name as name from information_schema.columns where table_name = 'customers' order by 1")).map((r) => r.name)
          : new Database(sqliteFile, { readonly: true }).prepare("select name from pragma_table_info('customers') order by 1").all().map((r) => (r as { name: string }).name);
      expect(cols).toEqual(['email', 'id', 'verified']);

    });
  });

  describe('drift on PostgreSQL', () => {
    it('reports a database migrated from another branch, an edited migration, and restamps a late merge', async ({ expect }) => {
      const ctx = makeContext();
      const url = await pg.database();
      // The other branch's checkout deploys its migrations (the real CLI) …
      const other = prismaProject('drift', url);
      rmSync(join(other.absRoot, 'prisma/migrations'), { recursive: true });
      cpSync(join(other.absRoot, 'applied-elsewhere/migrations'), join(other.absRoot, 'prisma/migrations'), { recursive: true });
      expect((await runMigrations(adapter, other, 'up', { kind: 'latest' }, ctx)).changes).toHaveLength(3);
      // … and this branch looks at the same database.
      const project = prismaProject('drift', url);
      const s = await adapter.status(project, ctx);
      expect(s.migrations.map((m) => [m.id, m.state])).toEqual([
        ['20240401090000_create_projects', 'applied'],
        ['20240402090000_add_projects_archived', 'edited'],
        ['20240403090000_add_projects_owner', 'missing-file'],
        ['20240405090000_create_tasks', 'pending'],
      ]);
      expect(s.history).toEqual({ kind: 'diverged', unknownToCode: ['20240403090000_add_projects_owner'], lastCommon: '20240402090000_add_projects_archived' });
      expect(s.source.via).toBe('tool'); // "Your local migration history and the migrations table … are different"
      expect(s.warnings).toEqual([expect.stringContaining('does not report edited migrations')]); // and no disagreement
      const heads = await adapter.heads!(project, s, ctx);
      expect(heads.divergent).toBe(true);
      expect(heads.advice.join('\n')).toContain('histories diverge');

      // A merge brings in a migration older than the applied ones.
      cpSync(join(project.absRoot, 'merged-later'), join(project.absRoot, 'prisma/migrations'), { recursive: true });
      const merged = await adapter.status(project, ctx);
      expect(merged.migrations.find((m) => m.id === '20240401120000_add_projects_color')).toMatchObject({ state: 'out-of-order', detail: expect.stringContaining('order ignored') });
      const advice = await adapter.mergeHeads(project, { state: merged }, ctx);
      expect(advice.renamed).toEqual([]);
      expect(advice.message).toMatch(/^Prisma has no migration graph, so there is nothing to merge\. Either apply them as they are[\s\S]*--restamp/);
      const restamp = await adapter.mergeHeads(project, { restamp: true, state: merged }, ctx);
      expect(restamp.renamed).toEqual([{ from: 'prisma/migrations/20240401120000_add_projects_color', to: expect.stringMatching(/^prisma\/migrations\/\d{14}_add_projects_color$/) }]);
      const newId = restamp.renamed[0]!.to.split('/').pop()!;
      expect(newId > '20240405090000_create_tasks').toBe(true);
      expect(readdirSync(join(project.absRoot, 'prisma/migrations'))).toContain(newId);
      const restamped = await adapter.status(project, ctx);
      expect(ids(restamped, 'pending')).toEqual(['20240405090000_create_tasks', newId]);
      expect(disagreements(restamped)).toEqual([]);
    });
  });
});
