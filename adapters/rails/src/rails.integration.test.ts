// The real Rails / ActiveRecord 6.1 (Debian's ruby-rails) against a throwaway PostgreSQL and real
// SQLite files, driven through core's runMigrations / planMigrations exactly as the CLI drives it.
import { cpSync, existsSync, readFileSync, readdirSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type MigrationState, type Project, isMigratorError, planMigrations, runMigrations, whichSync } from '@metamig/core';
import { copyFixture as copyTestkitFixture, makeContext, projectIn, removeCopy, usePostgres } from '@metamig/testkit';
import { adapter } from './index.js';
import { parseMigrateStatus } from './parse.js';

// The fixtures read DATABASE_URL / RAILS_ENV like any Rails app; these tests choose explicitly.
delete process.env.DATABASE_URL;
delete process.env.RAILS_ENV;
delete process.env.RACK_ENV;

const pg = usePostgres();
const PASSWORD = 'Rb-s3cret-Pw';

beforeAll(() => {
  const ruby = whichSync('ruby');
  expect(ruby, 'Ruby with ActiveRecord is needed: run `npm run setup` (apt: ruby ruby-rails ruby-pg ruby-sqlite3 rake)').toBeTruthy();
});

const copies: string[] = [];
afterAll(() => copies.forEach(removeCopy));
const copyFixture = (rel: string) => {
  const dir = copyTestkitFixture(rel);
  copies.push(dir);
  return dir;
};

const withPassword = (url: string) => url.replace('postgresql://postgres@', `postgresql://postgres:${PASSWORD}@`);
const dbName = (url: string) => new URL(url).pathname.slice(1);
const ids = (s: MigrationState, state?: string) => s.migrations.filter((m) => !state || m.state === state).map((m) => m.id);
const sqliteTables = (file: string) => {
  if (!existsSync(file)) return [];
  const db = new Database(file, { readonly: true });
  const names = db.prepare("select name from sqlite_master where type = 'table' and name not like 'sqlite_%' order by 1").all().map((r) => (r as { name: string }).name);
  db.close();
  return names;
};
const sqliteCount = (file: string, sql: string) => {
  const db = new Database(file, { readonly: true });
  const n = db.prepare(sql).all().length;
  db.close();
  return n;
};

// ~20 Rails boots (~0.8 s of CPU each) in one test: more than the shared 120 s when the machine is busy.
const LONG = 300_000;
const BASIC = ['20240301090000', '20240302090000', '20240303090000', '20240304090000'];

// Independent copies and databases: the tests run two at a time (Rails boots take ~0.8 s of CPU each).
describe.concurrent('Rails / ActiveRecord 6.1, for real', () => {
  describe.each(['postgres', 'sqlite'] as const)('a Rails app on %s: the full cycle', (engine) => {
    it('status → plan up → up → status → plan down → down 1 → status → down --to → up --to → status', async ({ expect }) => {
      const ctx = makeContext();
      const url = engine === 'postgres' ? withPassword(await pg.database()) : undefined; // SQLite: config/database.yml's own file
      const project = projectIn(adapter, copyFixture('rails/basic'), url);
      const sqliteFile = join(project.absRoot, 'db/development.sqlite3');
      const schemaRb = join(project.absRoot, 'db/schema.rb');
      const committedSchema = readFileSync(schemaRb, 'utf8');
      const tables = async () =>
        engine === 'postgres'
          ? (await pg.server.query<{ table_name: string }>(dbName(url!), "select table_name from information_schema.tables where table_schema = 'public' order by 1")).map((r) => r.table_name)
          : sqliteTables(sqliteFile);
      const admins = async () =>
        engine === 'postgres' ? (await pg.server.query(dbName(url!), "select 1 from users where email = 'admin@example.com'")).length : sqliteCount(sqliteFile, "select 1 from users where email = 'admin@example.com'");

      const fresh = await adapter.status(project, ctx);
      expect(ids(fresh, 'pending')).toEqual(BASIC);
      expect(fresh.summary).toEqual({ total: 4, applied: 0, pending: 4, problems: 0 });
      expect(fresh.history).toEqual({ kind: 'databaseBehind', pending: BASIC });
      expect(fresh.migrations.map((m) => m.transactional)).toEqual([true, true, false, true]);
      expect(fresh.migrations.every((m) => m.reversible === true)).toBe(true);
      expect(fresh.source.toolVersion).toBe('rails 6.1.7.10');
      expect(fresh.source.native).toBe(engine === 'postgres' ? `RAILS_ENV=development DATABASE_URL=${url!.replace(PASSWORD, '***')} bin/rails db:migrate:status` : 'bin/rails db:migrate:status');
      expect(fresh.database).toBe(engine === 'postgres' ? project.database.description : `sqlite ${sqliteFile} (RAILS_ENV=development)`);
      expect(await tables()).toEqual([]);
      expect(existsSync(sqliteFile)).toBe(false); // status did not even create the SQLite file

      const planUp = await planMigrations(adapter, project, 'up', { kind: 'latest' }, ctx);
      const sqlOf = (i: number) => planUp.steps[i]!.statements.map((s) => s.sql).join('\n');
      expect(sqlOf(0)).toMatch(/^CREATE TABLE "users"/);
      expect(sqlOf(1)).toMatch(/^ALTER TABLE "users" ADD "email"/);
      expect(sqlOf(3)).toContain("UPDATE users SET email = name || '@example.com' WHERE email IS NULL");
      expect(planUp.steps.flatMap((s) => s.statements).some((s) => /schema_migrations|ar_internal_metadata/.test(s.sql))).toBe(false);
      if (engine === 'postgres') {
        expect(planUp.steps.map((s) => s.sqlSource)).toEqual(['sandbox-capture', 'sandbox-capture', 'unavailable', 'sandbox-capture']);
        expect(planUp.steps[2]!.reason).toContain('disable_ddl_transaction!');
        expect(planUp.sideEffects.join('\n')).toMatch(/rolled it back[\s\S]*created schema_migrations and ar_internal_metadata inside that transaction/);
      } else {
        expect(planUp.steps.map((s) => s.sqlSource)).toEqual(['sandbox-capture', 'sandbox-capture', 'sandbox-capture', 'sandbox-capture']);
        expect(sqlOf(2)).toBe('CREATE UNIQUE INDEX "index_users_on_email" ON "users" ("email")');
        expect(planUp.sideEffects).toEqual([]);
        expect(planUp.warnings.join('\n')).toContain('temporary copy of db/development.sqlite3');
      }
      expect(await tables()).toEqual([]); // nothing left: no table, not even schema_migrations
      expect(existsSync(sqliteFile)).toBe(false);
      expect(readFileSync(schemaRb, 'utf8')).toBe(committedSchema); // the preview does not dump the schema

      const upAll = await runMigrations(adapter, project, 'up', { kind: 'latest' }, ctx);
      expect(upAll.ok).toBe(true);
      expect(upAll.changes).toEqual(BASIC.map((id) => ({ id, name: expect.any(String), direction: 'up' })));
      expect(upAll.source.native).toMatch(/bin\/rails db:migrate$/);
      expect(await tables()).toEqual(['ar_internal_metadata', 'schema_migrations', 'users']);
      expect(await admins()).toBe(1);
      if (engine === 'postgres') {
        // The committed schema.rb was dumped from SQLite: PostgreSQL's dump differs, and Rails rewrote it.
        expect(upAll.warnings).toEqual([expect.stringMatching(/^bin\/rails db:migrate rewrote db\/schema\.rb/)]);
        expect(readFileSync(schemaRb, 'utf8')).toContain('enable_extension "plpgsql"');
      } else {
        expect(upAll.warnings).toEqual([]); // same dump as committed: nothing changed in the tree
        expect(readFileSync(schemaRb, 'utf8')).toBe(committedSchema);
      }

      const applied = await adapter.status(project, ctx);
      expect(ids(applied, 'applied')).toEqual(BASIC);
      expect(applied.current).toEqual([BASIC[3]]);
      expect(applied.heads).toEqual([BASIC[3]]);

      const planDown = await planMigrations(adapter, project, 'down', { kind: 'steps', n: 1 }, ctx);
      expect(planDown.steps.map((s) => [s.migration.id, s.sqlSource])).toEqual([[BASIC[3], 'sandbox-capture']]);
      expect(planDown.steps[0]!.statements.map((s) => s.sql)).toEqual(["DELETE FROM users WHERE name = 'admin' AND email = 'admin@example.com'"]);
      expect(await admins()).toBe(1); // previewing the rollback deleted nothing

      const down1 = await runMigrations(adapter, project, 'down', { kind: 'steps', n: 1 }, ctx);
      expect(down1.ok).toBe(true);
      expect(down1.changes).toEqual([{ id: BASIC[3], name: 'backfill_user_emails', direction: 'down' }]);
      expect(down1.source.native).toMatch(/bin\/rails db:rollback$/);
      expect(await admins()).toBe(0);
      const afterDown1 = await adapter.status(project, ctx);
      expect(ids(afterDown1, 'pending')).toEqual([BASIC[3]]);
      expect(afterDown1.summary).toEqual({ total: 4, applied: 3, pending: 1, problems: 0 });

      const downTo = await runMigrations(adapter, project, 'down', { kind: 'to', id: 'add_email_to_users' }, ctx);
      expect(downTo.changes.map((c) => c.id)).toEqual([BASIC[2]]);

      const upTo = await runMigrations(adapter, project, 'up', { kind: 'to', id: BASIC[2]! }, ctx);
      expect(upTo.ok).toBe(true);
      expect(upTo.changes.map((c) => c.id)).toEqual([BASIC[2]]);
      expect(upTo.source.native).toMatch(/bin\/rails db:migrate VERSION=20240303090000$/);
      const final = await adapter.status(project, ctx);
      expect(ids(final, 'applied')).toEqual(BASIC.slice(0, 3));
      expect(ids(final, 'pending')).toEqual([BASIC[3]]);

      const everything = JSON.stringify([fresh, planUp, upAll, applied, planDown, down1, afterDown1, downTo, upTo, final]) + ctx.logger.lines.join('\n');
      expect(everything).not.toContain(PASSWORD);
    }, LONG);
  });

  describe.each(['postgres', 'sqlite'] as const)('a failing migration on %s', (engine) => {
    it("reports ActiveRecord's own message, the failing version and the real state after", async ({ expect }) => {
      const ctx = makeContext();
      const url = engine === 'postgres' ? await pg.database() : undefined;
      const project = projectIn(adapter, copyFixture('rails/failed-migration'), url);
      const report = await runMigrations(adapter, project, 'up', { kind: 'latest' }, ctx);
      expect(report.ok).toBe(false);
      expect(report.failedMigration).toBe('20240603090000');
      expect(report.error?.code).toBe('MIGRATION.FAILED');
      expect(report.error?.summary).toMatch(
        engine === 'postgres' ? /20240603090000 failed: PG::UniqueViolation: ERROR: {2}could not create unique index "index_customers_on_email"$/ : /20240603090000 failed: SQLite3::ConstraintException: UNIQUE constraint failed: customers\.email$/,
      );
      expect(report.error?.toolOutput).toContain('StandardError: An error has occurred, this and all later migrations canceled:');
      expect(report.error?.why).toContain('its own transaction');
      // Each migration has its own transaction: the two before the failure stay applied.
      expect(report.changes.map((c) => c.id)).toEqual(['20240601090000', '20240602090000']);
      expect(report.after.applied).toBe(2);
      expect(report.recovery).toContain('2 migration(s) completed before the failure');
      const after = await adapter.status(project, ctx);
      expect(ids(after, 'applied')).toEqual(['20240601090000', '20240602090000']);
      expect(ids(after, 'pending')).toEqual(['20240603090000', '20240604090000']);
      const rows =
        engine === 'postgres'
          ? (await pg.server.query(dbName(url!), 'select email from customers')).length
          : sqliteCount(join(project.absRoot, 'db/development.sqlite3'), 'select email from customers');
      expect(rows).toBe(2);
      const index =
        engine === 'postgres'
          ? (await pg.server.query(dbName(url!), "select 1 from pg_indexes where indexname = 'index_customers_on_email'")).length
          : sqliteCount(join(project.absRoot, 'db/development.sqlite3'), "select 1 from sqlite_master where name = 'index_customers_on_email'");
      expect(index).toBe(0);
    });
  });

  describe('out of order, restamp and NO FILE (standalone ActiveRecord, SQLite override)', () => {
    it('detects, applies one as-is, rolls back by version, restamps, survives a missing file', async ({ expect }) => {
      const ctx = makeContext();
      const dir = copyFixture('rails/out-of-order');
      const file = join(dirname(dir), 'ooo.sqlite3');
      const project = projectIn(adapter, dir, `sqlite:///${file}`);
      const migrate = join(dir, 'db/migrate');
      const [PROJECTS, OWNER, ARCHIVED, TASKS] = ['20240401090000', '20240405090000', '20240407090000', '20240410090000'];

      expect((await runMigrations(adapter, project, 'up', { kind: 'latest' }, ctx)).changes.map((c) => c.id)).toEqual([PROJECTS, TASKS]);
      expect(sqliteTables(file)).toContain('tasks'); // the override file, not db/development.sqlite3
      expect(existsSync(join(dir, 'db/development.sqlite3'))).toBe(false);
      for (const f of readdirSync(join(dir, 'branch'))) cpSync(join(dir, 'branch', f), join(migrate, f)); // the merge

      const merged = await adapter.status(project, ctx);
      expect(merged.history).toEqual({ kind: 'outOfOrder', migrations: [OWNER, ARCHIVED] });
      expect(ids(merged)).toEqual([PROJECTS, TASKS, OWNER, ARCHIVED]);
      expect(merged.heads).toEqual([TASKS]);
      expect(merged.source.native).toBe(`RAILS_ENV=development DATABASE_URL=sqlite3:${file} rake db:migrate:status`);
      const heads = await adapter.heads!(project, merged, ctx);
      expect(heads.divergent).toBe(true);
      expect(heads.advice.join('\n')).toMatch(/--restamp[\s\S]*keep the HIGHER version/);
      const advice = await adapter.mergeHeads(project, { state: merged }, ctx);
      expect(advice.renamed).toEqual([]);
      expect(advice.message).toMatch(/nothing to merge[\s\S]*apply them as they are[\s\S]*restamp/);

      // The real tool agrees with metamig's status (the text of `rake db:migrate:status`).
      const text = await ctx.runner.run('rake', ['db:migrate:status'], { cwd: dir, env: { RAILS_ENV: 'development', DATABASE_URL: `sqlite3:${file}` } });
      expect(parseMigrateStatus(text.stdout).blocks[0]!.rows.map((r) => `${r.status} ${r.version}`)).toEqual([`up ${PROJECTS}`, `down ${OWNER}`, `down ${ARCHIVED}`, `up ${TASKS}`]);

      // One out-of-order migration as-is: `db:migrate VERSION=` would migrate DOWN to it, so metamig uses db:migrate:up.
      const asIs = await runMigrations(adapter, project, 'up', { kind: 'to', id: OWNER }, ctx);
      expect(asIs.changes.map((c) => c.id)).toEqual([OWNER]);
      expect(asIs.source.native).toBe(`RAILS_ENV=development DATABASE_URL=sqlite3:${file} rake db:migrate:up VERSION=${OWNER}`);
      const mixed = await adapter.status(project, ctx);
      expect(ids(mixed, 'applied')).toEqual([PROJECTS, OWNER, TASKS]); // no apply order in Rails: version order
      expect(ids(mixed, 'out-of-order')).toEqual([ARCHIVED]);

      // down 2 = the two highest versions. `db:rollback STEP=2` would revert only TASKS (STEP counts files,
      // and ARCHIVED sits between), so metamig runs db:migrate:down for each.
      const down2 = await runMigrations(adapter, project, 'down', { kind: 'steps', n: 2 }, ctx);
      expect(down2.changes.map((c) => c.id)).toEqual([TASKS, OWNER]);
      expect(down2.source.native).toMatch(new RegExp(`rake db:migrate:down VERSION=${TASKS} && .* rake db:migrate:down VERSION=${OWNER}$`));

      // Back to "main applied create_tasks, the branch arrives later": hide the branch files, migrate, merge again.
      for (const f of [OWNER, ARCHIVED]) renameSync(join(migrate, readdirSync(migrate).find((n) => n.startsWith(f))!), join(dir, `${f}.rb`));
      await runMigrations(adapter, project, 'up', { kind: 'latest' }, ctx);
      renameSync(join(dir, `${OWNER}.rb`), join(migrate, `${OWNER}_add_owner_to_projects.rb`));
      renameSync(join(dir, `${ARCHIVED}.rb`), join(migrate, `${ARCHIVED}_add_archived_to_projects.rb`));

      const restamp = await adapter.mergeHeads(project, { restamp: true, state: await adapter.status(project, ctx) }, ctx);
      expect(restamp.refused).toEqual([]);
      expect(restamp.renamed.map((r) => r.from)).toEqual([`db/migrate/${OWNER}_add_owner_to_projects.rb`, `db/migrate/${ARCHIVED}_add_archived_to_projects.rb`]);
      const [newOwner, newArchived] = restamp.renamed.map((r) => /(\d{14})_/.exec(r.to)![1]!);
      expect(newOwner! > TASKS && newArchived! > newOwner!).toBe(true);
      expect(restamp.headsAfter).toEqual([newArchived]);
      const restamped = await adapter.status(project, ctx);
      expect(restamped.history).toEqual({ kind: 'databaseBehind', pending: [newOwner, newArchived] });
      const done = await runMigrations(adapter, project, 'up', { kind: 'latest' }, ctx);
      expect(done.changes.map((c) => c.id)).toEqual([newOwner, newArchived]); // class names unchanged: they load

      // A recorded version whose file is gone (NO FILE): reported, and rollback avoids `db:rollback`, which would stop.
      renameSync(join(migrate, `${newArchived}_add_archived_to_projects.rb`), join(dir, 'archived.rb'));
      const noFile = await adapter.status(project, ctx);
      expect(noFile.migrations.find((m) => m.id === newArchived)).toMatchObject({ state: 'missing-file', reversible: false });
      expect(noFile.history).toMatchObject({ kind: 'diverged', unknownToCode: [newArchived] });
      const undo = await runMigrations(adapter, project, 'down', { kind: 'steps', n: 1 }, ctx);
      expect(undo.ok).toBe(true);
      expect(undo.changes.map((c) => c.id)).toEqual([newOwner]);
      expect(undo.source.native).toMatch(new RegExp(`rake db:migrate:down VERSION=${newOwner}$`));
    }, LONG);
  });

  describe('irreversible migrations (standalone with a Gemfile: bundle exec rake)', () => {
    it('are reported reversible:false before any rollback, refused by core, and ActiveRecord agrees', async ({ expect }) => {
      const ctx = makeContext();
      const project = projectIn(adapter, copyFixture('rails/irreversible'));
      const before = await adapter.status(project, ctx);
      expect(before.source.native).toBe('bundle exec rake db:migrate:status');
      expect(before.migrations.map((m) => [m.id, m.reversible])).toEqual([
        ['20240501090000', true],
        ['20240502090000', 'unknown'],
        ['20240503090000', false],
        ['20240504090000', false],
      ]);
      expect(before.migrations[3]!.irreversibleReason).toContain('its down raises ActiveRecord::IrreversibleMigration: the legacy_payload data was dropped');

      expect((await runMigrations(adapter, project, 'up', { kind: 'latest' }, ctx)).ok).toBe(true);
      const refused = await runMigrations(adapter, project, 'down', { kind: 'steps', n: 1 }, ctx).catch((e: unknown) => e);
      expect(isMigratorError(refused) && refused.code).toBe('MIGRATION.IRREVERSIBLE');
      expect(isMigratorError(refused) && refused.why).toContain('20240504090000: its down raises ActiveRecord::IrreversibleMigration');

      // Bypassing core's refusal: ActiveRecord itself refuses the `execute` in change, as the analysis said.
      const state = await adapter.status(project, ctx);
      expect(state.summary.applied).toBe(4);
      const direct = await adapter.down(project, { target: { kind: 'steps', n: 1 }, steps: [state.migrations[2]!], state }, ctx);
      expect(direct.ok).toBe(false);
      expect(direct.failedMigration).toBe('20240503090000');
      expect(direct.error?.summary).toContain('ActiveRecord::IrreversibleMigration: This migration uses execute, which is not automatically reversible.');
      expect((await adapter.status(project, ctx)).summary.applied).toBe(4);
    });
  });

  describe('a multi-database app', () => {
    it('manages the primary database, reports the others, and manages another when configured', async ({ expect }) => {
      const ctx = makeContext();
      const dir = copyFixture('rails/multi-db');
      const primary = projectIn(adapter, dir);
      const up = await runMigrations(adapter, primary, 'up', { kind: 'latest' }, ctx);
      expect(up.changes.map((c) => c.id)).toEqual(['20240701090000', '20240702090000']);
      expect(up.source.native).toBe('bin/rails db:migrate:primary');
      expect(existsSync(join(dir, 'db/animals_development.sqlite3'))).toBe(false); // db:migrate would have migrated it too

      const animals: Project = { ...primary, options: { database: 'animals' } };
      const first = await runMigrations(adapter, animals, 'up', { kind: 'steps', n: 1 }, ctx);
      expect(first.changes.map((c) => c.id)).toEqual(['20240701100000']);
      expect(first.source.native).toBe('bin/rails db:migrate:animals VERSION=20240701100000');

      const state = await adapter.status(primary, ctx);
      expect(state.source.native).toBe('bin/rails db:migrate:status:primary');
      expect(state.summary).toEqual({ total: 2, applied: 2, pending: 0, problems: 0 });
      expect(state.warnings).toEqual([
        'This app has 2 databases in development (primary, animals): metamig manages primary; set options.database in the metamig config to manage another.',
        'animals (db/animals_migrate): 1 applied migration, 1 pending.',
      ]);
    });
  });

  describe('the database override is really used, or nothing runs', () => {
    it('refuses when the Rakefile pins another environment, and when database.yml sets url:', async ({ expect }) => {
      const ctx = makeContext();
      const dir = copyFixture('rails/out-of-order');
      const target = join(dirname(dir), 'target.sqlite3');
      const rakefile = join(dir, 'Rakefile');
      writeFileSync(rakefile, readFileSync(rakefile, 'utf8').replace(/^DatabaseTasks\.env = .*$/m, 'DatabaseTasks.env = "test"'));
      const project = projectIn(adapter, dir, `sqlite:///${target}`);
      await expect(adapter.status(project, ctx)).rejects.toMatchObject({
        code: 'CONFIG.INVALID',
        summary: `${project.id}: the project's configuration does not use the database metamig was asked to use; nothing was run.`,
        why: expect.stringContaining('The primary database of the test environment resolves to sqlite'),
      });

      const app = copyFixture('rails/basic');
      const yml = join(app, 'config/database.yml');
      writeFileSync(yml, readFileSync(yml, 'utf8').replace('database: db/development.sqlite3', 'url: sqlite3:db/pinned.sqlite3'));
      const pinned = projectIn(adapter, app, `sqlite:///${target}`);
      const refused = await runMigrations(adapter, pinned, 'up', { kind: 'latest' }, ctx).catch((e: unknown) => e);
      expect(isMigratorError(refused) && refused.why).toContain('config/database.yml sets `url:` for this database');
      expect(existsSync(target)).toBe(false);
      expect(existsSync(join(app, 'db/pinned.sqlite3'))).toBe(false);
    });
  });

  describe('toolchain', () => {
    it('reports versions, and a missing gem as not found with how to install it', async ({ expect }) => {
      const ctx = makeContext();
      const basic = projectIn(adapter, copyFixture('rails/basic'));
      expect(await adapter.checkToolchain(basic, ctx)).toEqual([
        { name: 'ruby', found: true, path: expect.stringMatching(/ruby$/), version: '3.1.2' },
        { name: 'rails', found: true, version: '6.1.7.10' },
        { name: 'bundler', found: true, version: '2.3.15' },
      ]);
      const dir = copyFixture('rails/irreversible');
      writeFileSync(join(dir, 'Gemfile'), `${readFileSync(join(dir, 'Gemfile'), 'utf8')}gem "metamig_no_such_gem"\n`);
      const broken = projectIn(adapter, dir);
      await expect(adapter.status(broken, ctx)).rejects.toMatchObject({ code: 'TOOL.NOT_FOUND', why: expect.stringContaining("Could not find gem 'metamig_no_such_gem'"), fix: expect.stringContaining('bundle install') });
      expect((await adapter.checkToolchain(broken, ctx))[1]).toMatchObject({ name: 'activerecord', found: false, hint: expect.stringContaining('metamig_no_such_gem') });
    });
  });
});
