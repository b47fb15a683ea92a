// The real Laravel 8.83.26 (Debian's php-laravel-framework, through each fixture's own artisan) against
// a throwaway PostgreSQL and real SQLite files, driven through core's runMigrations / planMigrations
// exactly as the CLI drives it.
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readdirSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type MigrationState, type Project, Toolchains, isMigratorError, planMigrations, runMigrations } from '@metamig/core';
import { copyFixture as copyTestkitFixture, makeContext, projectIn, removeCopy, repoRoot, usePostgres } from '@metamig/testkit';
import { adapter } from './index.js';

// The fixtures read DB_CONNECTION & co. from the environment: these tests choose explicitly.
for (const k of ['DB_CONNECTION', 'DB_HOST', 'DB_PORT', 'DB_DATABASE', 'DB_USERNAME', 'DB_PASSWORD', 'DATABASE_URL', 'DB_URL']) delete process.env[k];

const pg = usePostgres();
const PASSWORD = 'Lv-s3cret-Pw';

beforeAll(() => {
  const php = new Toolchains(repoRoot).find(new Toolchains(repoRoot).php());
  expect(php, 'php is missing: run `npm run setup` (scripts/setup installs php-cli php-laravel-framework php-pgsql php-sqlite3 php-doctrine-dbal)').toBeTruthy();
  const laravel = execFileSync(php!, ['-r', 'require "Illuminate/autoload.php"; echo Illuminate\\Foundation\\Application::VERSION;'], { encoding: 'utf8' });
  expect(laravel, 'Laravel 8 (php-laravel-framework) is missing: run `npm run setup`').toMatch(/^8\.83\./);
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
const sqliteUrl = (dir: string, name: string) => `sqlite://${join(dirname(dir), `${name}.sqlite`)}`;

/** Tables (PostgreSQL public schema, or the SQLite file) — [] when the SQLite file does not exist. */
async function tablesOf(engine: 'postgres' | 'sqlite', url: string): Promise<string[]> {
  if (engine === 'postgres') {
    const rows = await pg.server.query<{ table_name: string }>(dbName(url), "select table_name from information_schema.tables where table_schema = 'public' order by 1");
    return rows.map((r) => r.table_name);
  }
  const file = url.replace(/^sqlite:\/\//, '');
  if (!existsSync(file)) return [];
  const db = new Database(file, { readonly: true });
  try {
    return db.prepare("select name from sqlite_master where type = 'table' and name not like 'sqlite_%' order by 1").all().map((r) => (r as { name: string }).name);
  } finally {
    db.close();
  }
}

async function rows(engine: 'postgres' | 'sqlite', url: string, sql: string): Promise<unknown[]> {
  if (engine === 'postgres') return pg.server.query(dbName(url), sql);
  const db = new Database(url.replace(/^sqlite:\/\//, ''), { readonly: true });
  try {
    return db.prepare(sql).all();
  } finally {
    db.close();
  }
}

const BASIC = ['2024_01_15_093000_create_users_table', '2024_01_16_101500_add_email_to_users_table', '2024_01_17_084500_add_index_on_users_email', '2024_01_18_120000_seed_admin_user'];

describe.each(['postgres', 'sqlite'] as const)('basic cycle on %s', (engine) => {
  it('status → plan up → up → plan down → down 1 → down 2 → up --to → up 1 → down 2 across batches', async () => {
    const ctx = makeContext();
    const dir = copyFixture('laravel/basic');
    const url = engine === 'postgres' ? withPassword(await pg.database()) : sqliteUrl(dir, 'basic'); // SQLite: not created yet
    const project = projectIn(adapter, dir, url);
    const tables = () => tablesOf(engine, url);

    const fresh = await adapter.status(project, ctx);
    expect(ids(fresh, 'pending')).toEqual(BASIC);
    expect(fresh.summary).toEqual({ total: 4, applied: 0, pending: 4, problems: 0 });
    expect(fresh.history).toEqual({ kind: 'databaseBehind', pending: BASIC });
    expect(fresh.migrations.map((m) => m.transactional)).toEqual(Array(4).fill(engine === 'postgres'));
    expect(fresh.migrations.every((m) => m.reversible === true)).toBe(true);
    expect(fresh.source.toolVersion).toBe('8.83.26');
    expect(fresh.source.native).toEqual(engine === 'postgres' ? expect.stringMatching(/^DB_CONNECTION=pgsql DB_HOST=127\.0\.0\.1 DB_PORT=\d+ DB_DATABASE=\w+ DB_USERNAME=postgres DB_PASSWORD=\*\*\* php artisan migrate:status$/) : `DB_CONNECTION=sqlite DB_DATABASE=${url.slice(9)} php artisan migrate:status`);
    if (engine === 'sqlite') expect(fresh.warnings.join('\n')).toContain('does not exist yet, so no migration has run');
    expect(await tables()).toEqual([]); // status created neither the migrations table nor (SQLite) the file

    const planUp = await planMigrations(adapter, project, 'up', { kind: 'latest' }, ctx);
    expect(planUp.steps.map((s) => [s.migration.id, s.sqlSource])).toEqual(BASIC.map((id) => [id, 'native-preview']));
    expect(planUp.steps[0]!.statements[0]!.sql).toMatch(/^create table "users"/);
    expect(planUp.steps[1]!.statements[0]!.sql).toMatch(/^alter table "users" add column "email" varchar/);
    expect(planUp.steps[2]!.statements[0]!.sql).toBe('create index "users_email_index" on "users" ("email")');
    expect(planUp.steps[3]!.statements.map((s) => [s.sql, s.note?.slice(0, 40)])).toEqual([
      ['insert into "users" ("name", "email") values (?, ?)', 'values: ["Admin","admin@example.com"]'],
      ['select * from "users" where "email" is null', 'a read: under --pretend Laravel returns '],
    ]);
    expect(planUp.source.native).toMatch(/php artisan migrate --pretend --force$/);
    // --pretend runs migrate:install on a fresh database; metamig's transaction undid it, and says so.
    expect(planUp.sideEffects).toEqual([]);
    expect(planUp.warnings.join('\n')).toContain('still does not exist');
    if (engine === 'sqlite') expect(planUp.warnings.join('\n')).toContain('empty temporary database');
    expect(await tables()).toEqual([]);

    const upAll = await runMigrations(adapter, project, 'up', { kind: 'latest' }, ctx);
    expect(upAll.ok).toBe(true);
    expect(upAll.changes).toEqual(BASIC.map((id) => ({ id, name: expect.any(String), direction: 'up' })));
    expect(upAll.source.native).toMatch(/php artisan migrate --force$/);
    if (engine === 'sqlite') expect(upAll.warnings.join('\n')).toContain('Created the empty SQLite database');
    expect(await tables()).toEqual(['migrations', 'users']);
    expect(await rows(engine, url, "select name from users where email = 'admin@example.com'")).toEqual([{ name: 'Admin' }]);

    const applied = await adapter.status(project, ctx);
    expect(ids(applied, 'applied')).toEqual(BASIC);
    expect(applied.current).toEqual([BASIC[3]]);
    expect(applied.migrations.map((m) => m.batch)).toEqual([1, 1, 1, 1]);

    const planDown = await planMigrations(adapter, project, 'down', { kind: 'steps', n: 1 }, ctx);
    expect(planDown.steps.map((s) => [s.migration.id, s.sqlSource])).toEqual([[BASIC[3], 'native-preview']]);
    expect(planDown.steps[0]!.statements).toEqual([{ sql: 'delete from "users" where "email" = ?', kind: 'sql', note: 'values: ["admin@example.com"]' }]);
    expect(planDown.source.native).toMatch(/php artisan migrate:rollback --pretend --force --step=1$/);
    expect(await rows(engine, url, 'select count(*) as n from users')).toEqual([{ n: engine === 'postgres' ? '1' : 1 }]); // the preview deleted nothing

    const down1 = await runMigrations(adapter, project, 'down', { kind: 'steps', n: 1 }, ctx);
    expect(down1.ok).toBe(true);
    expect(down1.changes).toEqual([{ id: BASIC[3], name: 'seed_admin_user', direction: 'down' }]);
    expect(down1.source.native).toMatch(/php artisan migrate:rollback --step=1 --force$/);
    const afterDown1 = await adapter.status(project, ctx);
    expect(ids(afterDown1, 'pending')).toEqual([BASIC[3]]);
    expect(afterDown1.summary).toMatchObject({ applied: 3, pending: 1 });

    const down2 = await runMigrations(adapter, project, 'down', { kind: 'steps', n: 2 }, ctx);
    expect(down2.changes.map((c) => c.id)).toEqual([BASIC[2], BASIC[1]]);

    // Laravel has no target: exactly the selected files, with --path, in one batch.
    const upTo = await runMigrations(adapter, project, 'up', { kind: 'to', id: 'add_index_on_users_email' }, ctx);
    expect(upTo.ok).toBe(true);
    expect(upTo.changes.map((c) => c.id)).toEqual([BASIC[1], BASIC[2]]);
    expect(upTo.mode).toEqual({ kind: 'emulated', how: 'Laravel has no "migrate up to": ran exactly the 2 selected file(s) with migrate --path' });
    expect(upTo.source.native).toMatch(new RegExp(`php artisan migrate --force --path=database/migrations/${BASIC[1]}.php --path=database/migrations/${BASIC[2]}.php$`));
    const partial = await adapter.status(project, ctx);
    expect(ids(partial, 'applied')).toEqual(BASIC.slice(0, 3));
    expect(ids(partial, 'pending')).toEqual([BASIC[3]]);
    expect(partial.migrations.map((m) => m.batch)).toEqual([1, 2, 2, undefined]);

    expect((await runMigrations(adapter, project, 'up', { kind: 'steps', n: 1 }, ctx)).changes.map((c) => c.id)).toEqual([BASIC[3]]);
    // --step=2 crosses batches: the seed (batch 3) and the index (batch 2).
    const across = await runMigrations(adapter, project, 'down', { kind: 'steps', n: 2 }, ctx);
    expect(across.changes.map((c) => c.id)).toEqual([BASIC[3], BASIC[2]]);
    const final = await adapter.status(project, ctx);
    expect(final.migrations.map((m) => [m.id, m.state, m.batch ?? null])).toEqual([
      [BASIC[0], 'applied', 1],
      [BASIC[1], 'applied', 2],
      [BASIC[2], 'pending', null],
      [BASIC[3], 'pending', null],
    ]);

    const everything = JSON.stringify([fresh, planUp, upAll, applied, planDown, down1, down2, upTo, partial, across, final]) + ctx.logger.lines.join('\n');
    expect(everything).not.toContain(PASSWORD);
  });
});

describe.each(['postgres', 'sqlite'] as const)('a failing migration on %s', (engine) => {
  it("reports Laravel's own message, the failing migration and the real state after", async () => {
    const ctx = makeContext();
    const dir = copyFixture('laravel/failed-migration');
    const url = engine === 'postgres' ? await pg.database() : sqliteUrl(dir, 'failed');
    const project = projectIn(adapter, dir, url);
    const failing = '2024_04_03_090000_add_customers_email_unique';
    const report = await runMigrations(adapter, project, 'up', { kind: 'latest' }, ctx);
    expect(report.ok).toBe(false);
    expect(report.failedMigration).toBe(failing);
    expect(report.error?.code).toBe('MIGRATION.FAILED');
    expect(report.error?.summary).toContain(
      engine === 'postgres' ? 'SQLSTATE[23505]: Unique violation: 7 ERROR:  could not create unique index "customers_email_unique"' : 'SQLSTATE[23000]: Integrity constraint violation: 19 UNIQUE constraint failed: customers.email',
    );
    expect(report.error?.toolOutput).toContain(`Migrating: ${failing}`);
    // Laravel runs each migration on its own: the two before it stay applied, in batch 1.
    expect(report.changes.map((c) => c.id)).toEqual(['2024_04_01_090000_create_customers_table', '2024_04_02_090000_import_legacy_customers']);
    expect(report.after.applied).toBe(2);
    expect(report.recovery).toContain(`${failing} failed and is recorded as "pending"`);
    const after = await adapter.status(project, ctx);
    expect(ids(after, 'pending')).toEqual([failing]);
    const columns = (await rows(engine, url, engine === 'postgres' ? "select column_name as name from information_schema.columns where table_name = 'customers' order by ordinal_position" : "select name from pragma_table_info('customers')")) as { name: string }[];
    if (engine === 'postgres') {
      // One transaction per migration on PostgreSQL: the column added before the failing index is gone.
      expect(report.error?.why).toContain('its statements were rolled back');
      expect(columns.map((c) => c.name)).toEqual(['id', 'email']);
    } else {
      // No transaction on SQLite: the first statement of the failing migration stayed.
      expect(report.error?.why).toContain('STAY APPLIED');
      expect(columns.map((c) => c.name)).toEqual(['id', 'email', 'email_normalized']);
      const again = await runMigrations(adapter, project, 'up', { kind: 'latest' }, ctx);
      expect(again.error?.summary).toContain('duplicate column name: email_normalized');
    }
  });
});

describe('out of order (SQLite)', () => {
  it('detects, explains, applies as-is, rolls back in apply order, restamps only the unapplied file', async () => {
    const ctx = makeContext();
    const dir = copyFixture('laravel/out-of-order');
    const project: Project = projectIn(adapter, dir, sqliteUrl(dir, 'ooo'));
    const OWNER = '2024_03_05_090000_add_owner_to_projects_table';
    const ARCHIVED = '2024_03_07_090000_add_archived_to_projects_table';
    const TASKS = '2024_03_10_090000_create_tasks_table';
    const PROJECTS = '2024_03_01_090000_create_projects_table';
    const M = join(dir, 'database/migrations');

    expect((await runMigrations(adapter, project, 'up', { kind: 'latest' }, ctx)).changes).toHaveLength(2);
    for (const f of readdirSync(join(dir, 'branch'))) cpSync(join(dir, 'branch', f), join(M, f)); // the merge

    const merged = await adapter.status(project, ctx);
    expect(merged.history).toEqual({ kind: 'outOfOrder', migrations: [OWNER, ARCHIVED] });
    expect(merged.heads).toEqual([TASKS]);
    const heads = await adapter.heads!(project, merged, ctx);
    expect(heads.divergent).toBe(true);
    expect(heads.advice.join('\n')).toMatch(/new batch[\s\S]*--restamp/);
    const advice = await adapter.mergeHeads(project, { state: merged }, ctx);
    expect(advice.renamed).toEqual([]);
    expect(advice.headsBefore).toEqual([OWNER, ARCHIVED, TASKS]);
    expect(advice.message).toMatch(/^Laravel has no migration graph[\s\S]*restamp/);

    // Apply one as-is: Laravel runs it in batch 2, after the newer create_tasks.
    const asIs = await runMigrations(adapter, project, 'up', { kind: 'to', id: OWNER }, ctx);
    expect(asIs.changes.map((c) => c.id)).toEqual([OWNER]);
    const mixed = await adapter.status(project, ctx);
    expect(ids(mixed, 'applied')).toEqual([PROJECTS, TASKS, OWNER]);
    expect(mixed.migrations.find((m) => m.id === OWNER)?.detail).toContain('applied out of order');
    expect(ids(mixed, 'out-of-order')).toEqual([ARCHIVED]);

    // down --steps 1 undoes the last APPLIED (owner, batch 2), as migrate:rollback --step=1 does.
    const undo = await runMigrations(adapter, project, 'down', { kind: 'steps', n: 1 }, ctx);
    expect(undo.changes).toEqual([{ id: OWNER, name: 'add_owner_to_projects_table', direction: 'down' }]);
    await runMigrations(adapter, project, 'up', { kind: 'to', id: OWNER }, ctx);

    const restamp = await adapter.mergeHeads(project, { restamp: true, state: await adapter.status(project, ctx) }, ctx);
    expect(restamp.renamed).toHaveLength(1);
    expect(restamp.renamed[0]!.from).toBe(`database/migrations/${ARCHIVED}.php`);
    expect(restamp.renamed[0]!.to).toMatch(/^database\/migrations\/\d{4}_\d{2}_\d{2}_\d{6}_add_archived_to_projects_table\.php$/);
    const newArchived = restamp.renamed[0]!.to.slice('database/migrations/'.length, -'.php'.length);
    expect(newArchived > TASKS).toBe(true);
    expect(restamp.refused).toEqual([{ file: `database/migrations/${OWNER}.php`, reason: expect.stringContaining('already applied (batch 2)') }]);
    expect(restamp.headsAfter).toEqual([newArchived]);
    expect(readdirSync(M).sort()).toEqual([PROJECTS, OWNER, TASKS, newArchived].map((n) => `${n}.php`));
    expect((await adapter.status(project, ctx)).history).toEqual({ kind: 'databaseBehind', pending: [newArchived] });

    // A recorded migration whose file disappears: reported, and a rollback that would count it is refused.
    renameSync(join(M, `${TASKS}.php`), join(dir, `${TASKS}.php`));
    const gone = await adapter.status(project, ctx);
    expect(gone.migrations.find((m) => m.id === TASKS)?.state).toBe('missing-file');
    expect(gone.history).toMatchObject({ kind: 'diverged', unknownToCode: [TASKS] });
    const refused = await runMigrations(adapter, project, 'down', { kind: 'steps', n: 2 }, ctx).catch((e: unknown) => e);
    expect(isMigratorError(refused) && refused.code).toBe('MIGRATION.DIVERGENT');
    expect((await adapter.status(project, ctx)).summary.applied).toBe(2);
    renameSync(join(dir, `${TASKS}.php`), join(M, `${TASKS}.php`));

    const done = await runMigrations(adapter, project, 'up', { kind: 'latest' }, ctx);
    expect(done.changes.map((c) => c.id)).toEqual([newArchived]);
    expect((await adapter.status(project, ctx)).summary).toEqual({ total: 4, applied: 4, pending: 0, problems: 0 });
  });
});

describe('irreversible migrations (PostgreSQL)', () => {
  it('reports them before any rollback and refuses to roll them back', async () => {
    const ctx = makeContext();
    const project = projectIn(adapter, copyFixture('laravel/irreversible'), await pg.database());
    const before = await adapter.status(project, ctx);
    expect(before.migrations.map((m) => [m.reversible, m.transactional])).toEqual([
      [true, true],
      [false, true],
      [false, true],
      [false, false],
    ]);
    expect(before.migrations[1]!.irreversibleReason).toBe('its down() only throws: "irreversible: the legacy_payload data was dropped"');

    const planUp = await planMigrations(adapter, project, 'up', { kind: 'latest' }, ctx);
    // A named class (BackfillEventsKind) is mapped back to its file; its read is flagged.
    expect(planUp.steps[2]!.statements.map((s) => s.sql)).toEqual(['select * from "events" where "kind" is null']);
    expect(planUp.steps[2]!.statements[0]!.note).toContain('returns no rows');
    expect(planUp.steps[3]!.transactional).toBe(false);

    expect((await runMigrations(adapter, project, 'up', { kind: 'latest' }, ctx)).ok).toBe(true);
    const planDown = await planMigrations(adapter, project, 'down', { kind: 'steps', n: 2 }, ctx);
    expect(planDown.steps.map((s) => [s.sqlSource, s.reason?.slice(0, 30)])).toEqual([
      ['unavailable', 'no down() method: `migrate:rol'],
      ['unavailable', 'not previewed: the rollback st'],
    ]);
    const refused = await runMigrations(adapter, project, 'down', { kind: 'steps', n: 1 }, ctx).catch((e: unknown) => e);
    expect(isMigratorError(refused) && refused.code).toBe('MIGRATION.IRREVERSIBLE');
    expect((await adapter.status(project, ctx)).summary.applied).toBe(4);
  });
});

describe('reading migration files (tokenizer, never executed by status)', () => {
  it('sees typed down() bodies, $withinTransaction and a $connection of its own', async () => {
    const ctx = makeContext();
    const dir = copyFixture('laravel/basic');
    writeFileSync(
      join(dir, 'database/migrations/2024_02_01_090000_copy_users_to_reporting.php'),
      `<?php\n\nuse Illuminate\\Database\\Migrations\\Migration;\n\nreturn new class extends Migration\n{\n    protected $connection = 'reporting';\n\n    public bool $withinTransaction = false;\n\n    public function up(): void\n    {\n        $connection = 'not-a-property';\n        throw new RuntimeException('status must not run this file');\n    }\n\n    public function down(): void\n    {\n        // a comment is not a body\n    }\n};\n`,
    );
    const state = await adapter.status(projectIn(adapter, dir, sqliteUrl(dir, 'files')), ctx);
    const m = state.migrations.find((x) => x.id === '2024_02_01_090000_copy_users_to_reporting')!;
    expect(m).toMatchObject({ state: 'pending', reversible: false, transactional: 'unknown', irreversibleReason: expect.stringContaining('its down() is empty') });
    expect(state.warnings).toContain('2024_02_01_090000_copy_users_to_reporting runs on connection "reporting" (its $connection property), not "sqlite": metamig\'s database override does not reach it.');
  });
});

describe("the project's own configuration", () => {
  it("uses the fixture's own SQLite file, and says clearly when it does not exist", async () => {
    const ctx = makeContext();
    const dir = copyFixture('laravel/basic');
    const project = projectIn(adapter, dir);
    expect(project.database).toMatchObject({ engine: 'sqlite', source: 'tool-config' });
    const file = join(dir, 'database/database.sqlite');
    const fresh = await adapter.status(project, ctx);
    expect(fresh.warnings.join('\n')).toContain(`create it with \`touch ${file}\``);
    const failed = await runMigrations(adapter, project, 'up', { kind: 'latest' }, ctx);
    expect(failed.ok).toBe(false);
    expect(failed.error).toMatchObject({ summary: `basic:laravel: the SQLite database ${file} does not exist.`.replace('basic:laravel', project.id), fix: `touch ${file}, then run \`metamig up\` again.` });
    expect(existsSync(file)).toBe(false);
    writeFileSync(file, '');
    expect((await runMigrations(adapter, project, 'up', { kind: 'latest' }, ctx)).changes).toHaveLength(4);
  });

  it('overrides a .env that points elsewhere (real variables win, URL variables are blanked)', async () => {
    const ctx = makeContext();
    const dir = copyFixture('laravel/basic');
    writeFileSync(join(dir, '.env'), 'DB_CONNECTION=pgsql\nDB_HOST=10.255.255.1\nDB_DATABASE=production\nDATABASE_URL=postgres://app:pw@10.255.255.1:5432/production\n');
    const url = await pg.database();
    const project = projectIn(adapter, dir, url);
    expect((await runMigrations(adapter, project, 'up', { kind: 'steps', n: 1 }, ctx)).changes.map((c) => c.id)).toEqual([BASIC[0]]);
    expect(await tablesOf('postgres', url)).toEqual(['migrations', 'users']);
  });

  it('refuses loudly when Laravel ignores the override (cached configuration)', async () => {
    const ctx = makeContext();
    const dir = copyFixture('laravel/basic');
    const config = (name: string) => `require __DIR__.'/../../config/${name}.php'`;
    writeFileSync(
      join(dir, 'bootstrap/cache/config.php'),
      `<?php return ['app' => ${config('app')}, 'cache' => ${config('cache')}, 'logging' => ${config('logging')}, 'database' => ['default' => 'sqlite', 'connections' => ['sqlite' => ['driver' => 'sqlite', 'database' => '/var/lib/app/prod.sqlite']], 'migrations' => 'migrations']];\n`,
    );
    const project = projectIn(adapter, dir, await pg.database());
    await expect(adapter.status(project, ctx)).rejects.toMatchObject({
      code: 'CONFIG.INVALID',
      summary: expect.stringContaining('Laravel ignored the database metamig passed: the configuration is cached'),
    });
  });

  it("falls back to artisan's migrate:status and --pretend when the helper cannot be loaded (open_basedir)", async () => {
    const ctx = makeContext();
    const dir = copyFixture('laravel/basic');
    mkdirSync(join(dir, 'php.d'));
    // Only the app's own copy and the framework: not /tmp as a whole, where a checkout of metamig
    // (and so its helper) may live (CI clones into /tmp).
    mkdirSync(join(dirname(dir), 'tmp'));
    writeFileSync(join(dir, 'php.d/hardened.ini'), `open_basedir = ${dirname(dir)}:/usr/share/php\nsys_temp_dir = ${join(dirname(dir), 'tmp')}\n`);
    writeFileSync(join(dir, 'database/database.sqlite'), '');
    const project = { ...projectIn(adapter, dir), env: { PHP_INI_SCAN_DIR: `:${join(dir, 'php.d')}` } };
    const fresh = await adapter.status(project, ctx);
    expect(fresh.warnings[0]).toMatch(/^metamig's helper could not read the status \(no answer/);
    expect(fresh.source.native).toBe('php artisan migrate:status');
    expect(ids(fresh, 'pending')).toEqual(BASIC);
    expect(fresh.migrations.every((m) => m.reversible === 'unknown')).toBe(true);
    // Without the helper, --pretend runs outside a transaction: its migrate:install stays, disclosed.
    const plan = await planMigrations(adapter, project, 'up', { kind: 'latest' }, ctx);
    expect(plan.sideEffects).toEqual([expect.stringContaining('created the migrations table')]);
    expect(await tablesOf('sqlite', `sqlite://${join(dir, 'database/database.sqlite')}`)).toEqual(['migrations']);
    expect(plan.steps[3]!.statements.map((s) => s.sql)).toEqual(['insert into "users" ("name", "email") values (?, ?)', 'select * from "users" where "email" is null']);
    await runMigrations(adapter, project, 'up', { kind: 'steps', n: 2 }, ctx);
    const partial = await adapter.status(project, ctx);
    expect(partial.migrations.map((m) => [m.state, m.batch ?? null])).toEqual([
      ['applied', 1],
      ['applied', 1],
      ['pending', null],
      ['pending', null],
    ]);
  });

  it("reports an application that does not boot with artisan's own words", async () => {
    const ctx = makeContext();
    const dir = copyFixture('laravel/basic');
    const project = projectIn(adapter, dir);
    // A Composer application whose dependencies were never installed.
    writeFileSync(join(dir, 'artisan'), "#!/usr/bin/env php\n<?php\nrequire __DIR__.'/vendor/autoload.php';\n");
    await expect(adapter.status(project, ctx)).rejects.toMatchObject({
      code: 'TOOL.FAILED',
      summary: expect.stringContaining("artisan could not start the application: artisan did not load Laravel: Uncaught Error: Failed opening required '"),
      fix: 'Run `composer install` in the project.',
    });
    expect((await adapter.checkToolchain(project, ctx))[1]).toMatchObject({ name: 'laravel', found: false, hint: expect.stringContaining('Run `composer install` there') });
    // A provider that does not exist: artisan renders the exception, metamig quotes it.
    cpSync(join(repoRoot, 'fixtures/laravel/basic/artisan'), join(dir, 'artisan'));
    writeFileSync(join(dir, 'config/app.php'), "<?php return ['name' => 'x', 'env' => 'production', 'providers' => [App\\Providers\\Missing::class], 'aliases' => []];\n");
    await expect(adapter.status(project, ctx)).rejects.toMatchObject({ code: 'TOOL.FAILED', summary: `${project.id}: artisan could not start the application: Class "App\\Providers\\Missing" not found` });
  });

  it('says how to install PHP when it is missing', async () => {
    const ctx = { ...makeContext(), toolchains: Object.assign(new Toolchains(repoRoot), { php: () => ({ name: 'php', candidates: ['/nonexistent/php'], install: 'apt-get install php-cli' }) }) };
    const project = projectIn(adapter, copyFixture('laravel/basic'));
    await expect(adapter.status(project, ctx)).rejects.toMatchObject({ code: 'TOOL.NOT_FOUND', fix: 'apt-get install php-cli' });
    const checks = await adapter.checkToolchain(project, makeContext());
    expect(checks).toEqual([
      { name: 'php', found: true, path: expect.stringMatching(/php$/), version: expect.stringMatching(/^8\./) },
      { name: 'laravel', found: true, path: join(project.absRoot, 'artisan'), version: '8.83.26' },
    ]);
  });
});
