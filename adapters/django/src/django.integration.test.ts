// The real Django (the Python metamig finds: the project's .venv, else .toolchains/venv from
// scripts/setup) against a throwaway PostgreSQL and real SQLite files, driven through core's
// runMigrations / planMigrations / selectSteps exactly as the CLI drives it.
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type MigrationState, type Project, isMigratorError, parseDatabaseUrl, planMigrations, runMigrations, selectSteps } from '@metamig/core';
import { copyFixture, makeContext, projectIn, removeCopy, usePostgres } from '@metamig/testkit';
import { DATABASE_ENV, toDjangoDatabase } from './argv.js';
import { HELPER, adapter } from './index.js';
import { parseShowmigrationsList } from './parse.js';

// The fixtures' settings switch to PostgreSQL when DB_ENGINE=postgresql; these tests choose explicitly.
delete process.env.DB_ENGINE;

const pg = usePostgres();
const PASSWORD = 'Dj-s3cr%et';
const withPassword = (url: string) => url.replace('postgresql://postgres@', `postgresql://postgres:${encodeURIComponent(PASSWORD)}@`);
const dbName = (url: string) => new URL(url).pathname.slice(1);
const ids = (s: MigrationState, state?: string) => s.migrations.filter((m) => !state || m.state === state).map((m) => m.id);
const BASIC = ['shop.0001_initial', 'shop.0002_product_sku', 'shop.0003_product_sku_index', 'shop.0004_seed_products'];

beforeAll(() => {
  const ctx = makeContext();
  if (!ctx.toolchains.find(ctx.toolchains.python())) {
    throw new Error(`No Python with Django for the tests: run \`npm run setup\` (scripts/setup) in ${ctx.repoRoot}; it creates .toolchains/venv with the pinned Django and psycopg.`);
  }
});

const copies: string[] = [];
afterAll(() => copies.forEach(removeCopy));
function djangoProject(name: string, databaseUrl?: string): Project {
  const dir = copyFixture(`django/${name}`);
  copies.push(dir);
  return projectIn(adapter, dir, databaseUrl);
}

type Engine = 'postgres' | 'sqlite';
/** An override URL per engine: a fresh PostgreSQL database, or a SQLite file outside the project. */
async function overrideUrl(engine: Engine): Promise<{ url: string; sqliteFile?: string }> {
  if (engine === 'postgres') return { url: withPassword(await pg.database()) };
  const dir = copyFixture('django/basic'); // any folder outside the project under test
  copies.push(dir);
  return { url: `sqlite:///${dir}/override.sqlite3`, sqliteFile: `${dir}/override.sqlite3` };
}

/** Tables of the project's database: PostgreSQL through the sandbox, SQLite by reading the file. */
function inspector(engine: Engine, url: string | undefined, sqliteFile: string) {
  const rows = async (sql: string): Promise<Record<string, unknown>[]> => {
    if (engine === 'postgres') return pg.server.query(dbName(url!), sql);
    if (!existsSync(sqliteFile)) return [];
    const db = new Database(sqliteFile, { readonly: true });
    try {
      return db.prepare(sql).all() as Record<string, unknown>[];
    } finally {
      db.close();
    }
  };
  return {
    rows,
    tables: async () =>
      (
        await rows(
          engine === 'postgres'
            ? "select table_name as name from information_schema.tables where table_schema = 'public' order by 1"
            : "select name from sqlite_master where type = 'table' and name not like 'sqlite_%' order by 1",
        )
      ).map((r) => r.name),
  };
}

/** Everything a user could see: reports, errors, log lines. The password must be in none of it. */
function expectNoPassword(ctx: ReturnType<typeof makeContext>, ...seen: unknown[]) {
  const text = JSON.stringify(seen) + ctx.logger.lines.join('\n');
  for (const form of [PASSWORD, encodeURIComponent(PASSWORD), 'Dj-s3cr']) expect(text).not.toContain(form);
}

/** `python manage.py showmigrations`, run the way the adapter runs manage.py (same database). */
async function showmigrations(ctx: ReturnType<typeof makeContext>, project: Project): Promise<string[]> {
  const python = ctx.toolchains.require(ctx.toolchains.python(project.absRoot));
  const env: Record<string, string> = {};
  if (project.databaseUrl) env[DATABASE_ENV] = JSON.stringify(toDjangoDatabase(parseDatabaseUrl(project.databaseUrl)));
  const run = await ctx.runner.run(python, [HELPER, 'manage', '--', 'showmigrations'], { cwd: project.absRoot, env });
  expect(run.exitCode, run.stderr).toBe(0);
  return parseShowmigrationsList(run.stdout).map((m) => `${m.app}.${m.name}:${m.mark === ' ' ? 'pending' : 'applied'}`);
}
const asShown = (s: MigrationState) => s.migrations.filter((m) => m.state !== 'missing-file').map((m) => `${m.id}:${m.state}`);

describe.each(['postgres', 'sqlite'] as const)('basic cycle on %s', (engine) => {
  it('status → plan up → up → plan down → down 1 → down --to → up --to → status', async () => {
    const ctx = makeContext();
    const url = engine === 'postgres' ? withPassword(await pg.database()) : undefined; // SQLite: the settings' own db.sqlite3
    const project = djangoProject('basic', url);
    const db = inspector(engine, url, join(project.absRoot, 'db.sqlite3'));

    const fresh = await adapter.status(project, ctx);
    expect(ids(fresh, 'pending')).toEqual(BASIC);
    expect(fresh.summary).toEqual({ total: 4, applied: 0, pending: 4, problems: 0 });
    expect(fresh.history).toEqual({ kind: 'databaseBehind', pending: BASIC });
    expect(fresh.current).toEqual([]);
    expect(fresh.heads).toEqual(['shop.0004_seed_products']);
    expect(fresh.migrations.map((m) => [m.transactional, m.reversible])).toEqual(Array(4).fill([true, true]));
    expect(fresh.migrations[1]).toMatchObject({ name: '0002_product_sku', file: 'shop/migrations/0002_product_sku.py', parents: ['shop.0001_initial'] });
    expect(fresh.source.native).toBe('python manage.py showmigrations');
    expect(fresh.source.toolVersion).toBe('Django 5.2.19');
    expect(fresh.database).toBe(engine === 'postgres' ? `postgresql postgres@127.0.0.1:${new URL(url!).port}/${dbName(url!)}` : `sqlite ${project.absRoot}/db.sqlite3`);
    if (engine === 'sqlite') expect(existsSync(join(project.absRoot, 'db.sqlite3'))).toBe(false); // status did not even create the file
    expect(await db.tables()).toEqual([]);

    const planUp = await planMigrations(adapter, project, 'up', { kind: 'latest' }, ctx);
    expect(planUp.steps.map((s) => [s.migration.id, s.sqlSource, s.transactional])).toEqual(BASIC.map((id) => [id, 'native-preview', true]));
    expect(planUp.steps[0]!.statements[0]).toMatchObject({ kind: 'sql', note: 'Create model Product' });
    expect(planUp.steps[0]!.statements[0]!.sql).toMatch(/^CREATE TABLE "shop_product" \(/);
    expect(planUp.steps[2]!.statements).toEqual([{ sql: 'CREATE INDEX "shop_product_sku_idx" ON "shop_product" ("sku");', kind: 'sql', note: 'Create index shop_product_sku_idx on field(s) sku of model product' }]);
    expect(planUp.steps[3]!.statements).toEqual([{ sql: '', kind: 'opaque', note: expect.stringContaining('RunPython(seed): code that cannot be previewed statically') }]);
    expect(planUp.source.native).toBe(BASIC.map((id) => `python manage.py sqlmigrate shop ${id.slice(5)}`).join(' && '));
    expect(planUp.sideEffects).toEqual(engine === 'sqlite' ? [expect.stringContaining('created it as an empty SQLite file')] : []);
    expect(await db.tables()).toEqual([]); // sqlmigrate never creates django_migrations

    const up = await runMigrations(adapter, project, 'up', { kind: 'latest' }, ctx);
    expect(up.ok).toBe(true);
    expect(up.source.native).toBe('python manage.py migrate');
    expect(up.changes).toEqual(BASIC.map((id) => ({ id, name: id.slice(5), direction: 'up' })));
    expect(up.after).toEqual({ current: ['shop.0004_seed_products'], applied: 4 });
    expect(await db.tables()).toEqual(['django_migrations', 'shop_product']);
    expect(await db.rows('select sku from shop_product order by sku')).toEqual([{ sku: 'KET-1' }, { sku: 'TEA-1' }]);

    const applied = await adapter.status(project, ctx);
    expect(ids(applied, 'applied')).toEqual(BASIC);
    expect(applied.history).toBeNull();
    expect(applied.migrations.every((m) => /^\d{4}-\d\d-\d\dT/.test(m.appliedAt ?? ''))).toBe(true);

    const planDown = await planMigrations(adapter, project, 'down', { kind: 'steps', n: 2 }, ctx);
    expect(planDown.source.native).toBe('python manage.py sqlmigrate --backwards shop 0004_seed_products && python manage.py sqlmigrate --backwards shop 0003_product_sku_index');
    expect(planDown.steps.map((s) => [s.migration.id, s.sqlSource])).toEqual([['shop.0004_seed_products', 'native-preview'], ['shop.0003_product_sku_index', 'native-preview']]);
    expect(planDown.steps[0]!.statements[0]!.note).toContain('RunPython(unseed)');
    expect(planDown.steps[1]!.statements.map((s) => s.sql)).toEqual([engine === 'postgres' ? 'DROP INDEX IF EXISTS "shop_product_sku_idx";' : 'DROP INDEX "shop_product_sku_idx";']);
    expect(planDown.warnings.join('\n')).toContain('against the live database');
    expect(planDown.sideEffects).toEqual([]);

    const down1 = await runMigrations(adapter, project, 'down', { kind: 'steps', n: 1 }, ctx);
    expect(down1.ok).toBe(true);
    expect(down1.source.native).toBe('python manage.py migrate shop 0003_product_sku_index');
    expect(down1.mode).toMatchObject({ kind: 'emulated' });
    expect(down1.changes).toEqual([{ id: 'shop.0004_seed_products', name: '0004_seed_products', direction: 'down' }]);
    const afterDown1 = await adapter.status(project, ctx);
    expect(ids(afterDown1, 'pending')).toEqual(['shop.0004_seed_products']);
    expect(await db.rows('select count(*) as n from shop_product')).toEqual([{ n: engine === 'postgres' ? '0' : 0 }]);

    const downTo = await runMigrations(adapter, project, 'down', { kind: 'to', id: 'shop.0001' }, ctx);
    expect(downTo.ok).toBe(true);
    expect(downTo.source.native).toBe('python manage.py migrate shop 0001_initial');
    expect(downTo.mode).toEqual({ kind: 'native' });
    expect(downTo.changes.map((c) => c.id)).toEqual(['shop.0003_product_sku_index', 'shop.0002_product_sku']);

    const upTo = await runMigrations(adapter, project, 'up', { kind: 'to', id: 'shop.0003_product_sku_index' }, ctx);
    expect(upTo.ok).toBe(true);
    expect(upTo.source.native).toBe('python manage.py migrate shop 0003_product_sku_index');
    expect(upTo.changes.map((c) => c.id)).toEqual(['shop.0002_product_sku', 'shop.0003_product_sku_index']);
    const end = await adapter.status(project, ctx);
    expect(end.migrations.map((m) => `${m.id}:${m.state}`)).toEqual([...BASIC.slice(0, 3).map((id) => `${id}:applied`), 'shop.0004_seed_products:pending']);
    expect(end.current).toEqual(['shop.0003_product_sku_index']);
    expectNoPassword(ctx, fresh, planUp, up, applied, planDown, down1, downTo, upTo, end);
  });
});

// Conflicts and their merge live in the migration graph, not in the engine: PostgreSQL only.
describe.each(['postgres'] as const)('conflicting leaves on %s', (engine) => {
  it('conflict → migrate refuses → makemigrations --merge → applies; Django cannot unapply one branch alone', async () => {
    const ctx = makeContext();
    const { url } = await overrideUrl(engine);
    const project = djangoProject('conflicting-leaves', url);
    const LEAVES = ['shop.0004_product_price', 'shop.0004_product_stock'];

    const fresh = await adapter.status(project, ctx);
    expect(fresh.heads).toEqual(LEAVES);
    expect(fresh.history).toEqual({ kind: 'multipleHeads', heads: LEAVES });
    expect(fresh.warnings.join('\n')).toContain('App shop has 2 leaf migrations');
    const heads = await adapter.heads!(project, fresh, ctx);
    expect(heads.divergent).toBe(true);
    expect(heads.advice.join('\n')).toContain('python manage.py makemigrations --merge --noinput shop');

    const refused = await runMigrations(adapter, project, 'up', { kind: 'latest' }, ctx);
    expect(refused.ok).toBe(false);
    expect(refused.error?.code).toBe('TOOL.FAILED');
    expect(refused.error?.summary).toContain('Conflicting migrations detected; multiple leaf nodes in the migration graph: (0004_product_price, 0004_product_stock in shop).');
    expect(refused.changes).toEqual([]);

    const merge = await adapter.mergeHeads(project, { state: fresh }, ctx);
    const MERGE = 'shop.0005_merge_0004_product_price_0004_product_stock';
    expect(merge.created).toEqual(['shop/migrations/0005_merge_0004_product_price_0004_product_stock.py']);
    expect(merge.headsBefore).toEqual(LEAVES);
    expect(merge.headsAfter).toEqual([MERGE]);
    expect(merge.source.native).toBe('python manage.py makemigrations --merge --noinput shop');
    expect(readFileSync(join(project.absRoot, merge.created[0]!), 'utf8')).toContain("('shop', '0004_product_price'),\n        ('shop', '0004_product_stock'),");

    const up = await runMigrations(adapter, project, 'up', { kind: 'latest' }, ctx);
    expect(up.ok).toBe(true);
    expect(up.changes.map((c) => c.id)).toEqual(['shop.0001_initial', 'shop.0002_product_sku', 'shop.0003_product_sku_index', 'shop.0004_product_stock', 'shop.0004_product_price', MERGE]);
    const merged = await adapter.status(project, ctx);
    expect(merged.history).toBeNull();
    expect(merged.migrations.at(-1)).toMatchObject({ id: MERGE, parents: LEAVES, detail: `merge migration joining ${LEAVES.join(', ')}` });

    // The last two applied are the merge and one branch: `migrate shop 0003…` would take the other branch too.
    const tooMuch = await runMigrations(adapter, project, 'down', { kind: 'steps', n: 2 }, ctx).catch((e: unknown) => e);
    expect(isMigratorError(tooMuch) && tooMuch.code).toBe('OPERATION.UNSUPPORTED');
    expect(isMigratorError(tooMuch) && tooMuch.summary).toContain('without also rolling back shop.0004_product_stock');
    expect(isMigratorError(tooMuch) && tooMuch.fix).toContain('--steps 3');
    expect((await adapter.status(project, ctx)).summary.applied).toBe(6); // nothing ran
    const down3 = await runMigrations(adapter, project, 'down', { kind: 'steps', n: 3 }, ctx);
    expect(down3.source.native).toBe('python manage.py migrate shop 0003_product_sku_index');
    expect(down3.changes.map((c) => c.id)).toEqual([MERGE, 'shop.0004_product_price', 'shop.0004_product_stock']);

    const noop = await adapter.mergeHeads(project, { state: await adapter.status(project, ctx) }, ctx);
    expect(noop.created).toEqual([]);
    expect(noop.message).toContain('No conflicts detected to merge.');
    expectNoPassword(ctx, fresh, heads, refused, merge, up, merged, tooMuch, down3, noop);
  });
});

describe.each(['postgres', 'sqlite'] as const)('two apps, one depending on the other, on %s', (engine) => {
  it('up --to across apps, down --steps across apps, down --to that drags the dependent app', async () => {
    const ctx = makeContext();
    const { url, sqliteFile } = await overrideUrl(engine);
    const project = djangoProject('two-apps-dependency', url);
    const C = ['catalog.0001_initial', 'catalog.0002_product_sku', 'catalog.0003_product_sku_index'];
    const O = ['orders.0001_initial', 'orders.0002_order_note', 'orders.0003_seed_orders'];

    const fresh = await adapter.status(project, ctx);
    expect(ids(fresh)).toEqual([...C, ...O]); // Django's plan order
    expect(fresh.heads).toEqual(['orders.0003_seed_orders']); // one leaf per app is no conflict
    expect(fresh.history).toEqual({ kind: 'databaseBehind', pending: [...C, ...O] });
    expect(fresh.migrations.find((m) => m.id === 'orders.0001_initial')?.parents).toEqual(['catalog.0002_product_sku']);

    const upTo = await runMigrations(adapter, project, 'up', { kind: 'to', id: 'orders.0001_initial' }, ctx);
    expect(upTo.source.native).toBe('python manage.py migrate orders 0001_initial');
    expect(upTo.changes.map((c) => c.id)).toEqual([C[0], C[1], O[0]]);
    expect(upTo.warnings).toEqual([expect.stringContaining('This run spans 2 apps (catalog, orders)')]);
    const rest = await runMigrations(adapter, project, 'up', { kind: 'latest' }, ctx);
    expect(rest.changes.map((c) => c.id)).toEqual([C[2], O[1], O[2]]);
    const all = await adapter.status(project, ctx);
    expect(ids(all)).toEqual([C[0], C[1], O[0], C[2], O[1], O[2]]); // as really applied
    expect(all.current).toEqual([C[2], O[2]]);

    const down3 = await runMigrations(adapter, project, 'down', { kind: 'steps', n: 3 }, ctx);
    expect(down3.ok).toBe(true);
    expect(down3.source.native).toBe('python manage.py migrate orders 0001_initial && python manage.py migrate catalog 0002_product_sku');
    expect(down3.changes.map((c) => c.id)).toEqual([O[2], O[1], C[2]]);
    expect(down3.warnings[0]).toContain('This rollback spans 2 apps (orders, catalog)');

    const state = await adapter.status(project, ctx);
    expect(selectSteps(state, 'down', { kind: 'to', id: C[0]! }).map((m) => m.id)).toEqual([O[0], C[1]]);
    const planDown = await planMigrations(adapter, project, 'down', { kind: 'to', id: C[0]! }, ctx);
    expect(planDown.steps.map((s) => s.migration.id)).toEqual([O[0], C[1]]);
    expect(planDown.warnings).toContain('orders.0001_initial (app orders) is rolled back too: it depends on catalog.0002_product_sku, which is rolled back.');
    const downTo = await runMigrations(adapter, project, 'down', { kind: 'to', id: C[0]! }, ctx);
    expect(downTo.ok).toBe(true);
    expect(downTo.source.native).toBe('python manage.py migrate orders zero && python manage.py migrate catalog 0001_initial');
    expect(downTo.changes.map((c) => c.id)).toEqual([O[0], C[1]]);
    expect(downTo.warnings).toContain('orders.0001_initial (app orders) is rolled back too: it depends on catalog.0002_product_sku, which is rolled back.');
    expect(downTo.after).toEqual({ current: [C[0]], applied: 1 });
    expect(await inspector(engine, url, sqliteFile ?? '').tables()).toEqual(['catalog_product', 'django_migrations']);
    expect(existsSync(join(project.absRoot, 'db.sqlite3'))).toBe(false); // the override was used, never the settings' file
    expectNoPassword(ctx, fresh, upTo, rest, all, down3, planDown, downTo);
  });
});

// Squash semantics live in Django's loader, not in the database engine: one engine is enough.
describe.each(['sqlite'] as const)('squashed migrations on %s', (engine) => {
  it('status agrees with `manage.py showmigrations` before, during and after the squash is used', async () => {
    const ctx = makeContext();
    const { url } = await overrideUrl(engine);
    const project = djangoProject('squashed', url);
    const SQUASH = 'shop.0001_squashed_0003_product_sku_index';
    const squashFile = join(project.absRoot, 'shop/migrations/0001_squashed_0003_product_sku_index.py');
    const squashText = readFileSync(squashFile, 'utf8');
    const withoutSquash = async (f: () => Promise<unknown>) => {
      rmSync(squashFile); // the code as it was before the squash existed
      await f();
      writeFileSync(squashFile, squashText);
    };

    const fresh = await adapter.status(project, ctx);
    expect(asShown(fresh)).toEqual([`${SQUASH}:pending`, 'shop.0004_seed_products:pending']);
    expect(fresh.migrations[0]!.detail).toBe('squashes 3 migrations: shop.0001_initial, shop.0002_product_sku, shop.0003_product_sku_index');
    expect(asShown(fresh)).toEqual(await showmigrations(ctx, project));

    // A database migrated to 0002 before the squash was written: Django does not use the squash yet.
    await withoutSquash(() => runMigrations(adapter, project, 'up', { kind: 'to', id: 'shop.0002_product_sku' }, ctx));
    const partial = await adapter.status(project, ctx);
    expect(asShown(partial)).toEqual(['shop.0001_initial:applied', 'shop.0002_product_sku:applied', 'shop.0003_product_sku_index:pending', 'shop.0004_seed_products:pending']);
    expect(partial.warnings.join('\n')).toContain(`${SQUASH} squashes shop.0001_initial, shop.0002_product_sku, shop.0003_product_sku_index, but only 2 of them are applied`);
    expect(asShown(partial)).toEqual(await showmigrations(ctx, project));

    // Every replaced migration applied: Django counts the squash as applied ([-] until migrate records it).
    await withoutSquash(() => runMigrations(adapter, project, 'up', { kind: 'to', id: 'shop.0003_product_sku_index' }, ctx));
    const replaced = await adapter.status(project, ctx);
    expect(asShown(replaced)).toEqual([`${SQUASH}:applied`, 'shop.0004_seed_products:pending']);
    expect(replaced.migrations[0]!.detail).toContain('showmigrations` shows [-]');
    expect(replaced.migrations[0]!.appliedAt).toBeDefined();
    expect(asShown(replaced)).toEqual(await showmigrations(ctx, project));

    const up = await runMigrations(adapter, project, 'up', { kind: 'latest' }, ctx);
    expect(up.changes.map((c) => c.id)).toEqual(['shop.0004_seed_products']);
    const recorded = await adapter.status(project, ctx);
    expect(recorded.migrations[0]!.detail).not.toContain('[-]');
    expect(asShown(recorded)).toEqual(await showmigrations(ctx, project));

    const down = await runMigrations(adapter, project, 'down', { kind: 'steps', n: 2 }, ctx);
    expect(down.source.native).toBe('python manage.py migrate shop zero');
    expect(down.changes.map((c) => c.id)).toEqual(['shop.0004_seed_products', SQUASH]);
    const zero = await adapter.status(project, ctx);
    expect(asShown(zero)).toEqual(asShown(fresh));
    expect(asShown(zero)).toEqual(await showmigrations(ctx, project));
  });
});

// Reversibility is read from the migration code before anything runs: one engine is enough.
describe.each(['postgres'] as const)('irreversible migrations on %s', (engine) => {
  it('are reported before any rollback, and down refuses before running anything', async () => {
    const ctx = makeContext();
    const { url } = await overrideUrl(engine);
    const project = djangoProject('irreversible', url);
    const fresh = await adapter.status(project, ctx);
    expect(fresh.migrations.map((m) => [m.id.slice(5), m.reversible])).toEqual([
      ['0001_initial', true], ['0002_product_sku', true], ['0003_product_sku_index', true], ['0004_backfill_skus', false], ['0005_uppercase_skus', false],
    ]);
    expect(fresh.migrations[3]!.irreversibleReason).toBe('operation 1: RunPython(backfill) has no reverse_code');
    expect(fresh.migrations[4]!.irreversibleReason).toBe('operation 1: RunSQL has no reverse_sql');

    expect((await runMigrations(adapter, project, 'up', { kind: 'latest' }, ctx)).ok).toBe(true);
    const refused = await runMigrations(adapter, project, 'down', { kind: 'steps', n: 1 }, ctx).catch((e: unknown) => e);
    expect(isMigratorError(refused) && refused.code).toBe('MIGRATION.IRREVERSIBLE');
    expect(isMigratorError(refused) && refused.why).toBe('shop.0005_uppercase_skus: operation 1: RunSQL has no reverse_sql');
    expect(ctx.logger.lines.filter((l) => l.includes('manage --'))).toHaveLength(1); // only the `up` ran manage.py
    expect((await adapter.status(project, ctx)).current).toEqual(['shop.0005_uppercase_skus']);

    // A preview is not a rollback: it shows what Django says about the way back.
    const planDown = await planMigrations(adapter, project, 'down', { kind: 'steps', n: 2 }, ctx);
    expect(planDown.steps.map((s) => s.sqlSource)).toEqual(['unavailable', 'unavailable']);
    expect(planDown.steps[0]!.reason).toContain('IrreversibleError: Operation <RunSQL');
    expect(planDown.steps[1]!.reason).toContain('IrreversibleError: Operation <RunPython');
  });
});

describe.each(['postgres', 'sqlite'] as const)('failed migration on %s', (engine) => {
  it("reports Django's own message and the real state afterwards", async () => {
    const ctx = makeContext();
    const { url, sqliteFile } = await overrideUrl(engine);
    const project = djangoProject('failed-migration', url);
    const db = inspector(engine, url, sqliteFile ?? '');
    const FAILED = 'shop.0004_audit_log_and_legacy_flag';

    const report = await runMigrations(adapter, project, 'up', { kind: 'latest' }, ctx);
    expect(report.ok).toBe(false);
    expect(report.failedMigration).toBe(FAILED);
    expect(report.error?.code).toBe('MIGRATION.FAILED');
    const own = engine === 'postgres' ? 'django.db.utils.ProgrammingError: relation "legacy_accounts" does not exist' : 'django.db.utils.OperationalError: no such table: legacy_accounts';
    expect(report.error?.summary).toBe(`${project.id}: ${FAILED} failed: ${own}`);
    if (engine === 'postgres') expect(report.error?.why).toContain('LINE 1: UPDATE legacy_accounts SET is_legacy = TRUE');
    expect(report.error?.toolOutput).toContain(`Applying ${FAILED}...`);
    expect(report.error?.toolOutput).toContain('lines of Python stack frames omitted');
    // Django commits each migration on its own: 0001-0003 stay; 0004 ran in a transaction and left nothing.
    expect(report.changes.map((c) => c.id)).toEqual(BASIC.slice(0, 3));
    expect(report.after).toEqual({ current: ['shop.0003_product_sku_index'], applied: 3 });
    expect(report.warnings.join('\n')).toContain(`Django ran ${FAILED} in a transaction`);
    expect(report.recovery).toContain(`${FAILED} failed and is recorded as "pending"`);
    expect(await db.tables()).toEqual(['django_migrations', 'shop_product']); // no shop_auditlog
    const after = await adapter.status(project, ctx);
    expect(ids(after, 'pending')).toEqual([FAILED]);
    expectNoPassword(ctx, report, after);
  });
});

describe('history problems, database selection and toolchain errors', () => {
  it('a recorded migration without its file is missing-file; a hole in the history is out-of-order', async () => {
    const ctx = makeContext();
    const project = djangoProject('basic');
    await runMigrations(adapter, project, 'up', { kind: 'latest' }, ctx);
    const db = new Database(join(project.absRoot, 'db.sqlite3'));
    db.prepare("delete from django_migrations where name = '0002_product_sku'").run();
    db.close();
    const hole = await adapter.status(project, ctx);
    expect(hole.migrations.map((m) => `${m.id}:${m.state}`)).toEqual([
      'shop.0001_initial:applied', 'shop.0003_product_sku_index:applied', 'shop.0004_seed_products:applied', 'shop.0002_product_sku:out-of-order',
    ]);
    expect(hole.history).toEqual({ kind: 'outOfOrder', migrations: ['shop.0002_product_sku'] });
    expect(hole.warnings[0]).toBe("Django reports an inconsistent history and will refuse to migrate: Migration shop.0003_product_sku_index is applied before its dependency shop.0002_product_sku on database 'default'.");
    const up = await runMigrations(adapter, project, 'up', { kind: 'latest' }, ctx);
    expect(up.ok).toBe(false);
    expect(up.error?.summary).toContain('InconsistentMigrationHistory: Migration shop.0003_product_sku_index is applied before its dependency shop.0002_product_sku');

    rmSync(join(project.absRoot, 'shop/migrations/0004_seed_products.py'));
    const missing = await adapter.status(project, ctx);
    expect(missing.migrations.find((m) => m.id === 'shop.0004_seed_products')).toMatchObject({ state: 'missing-file', reversible: 'unknown' });
    expect(missing.history).toMatchObject({ kind: 'diverged', unknownToCode: ['shop.0004_seed_products'] });
    expect(missing.warnings.join('\n')).toContain('migrate --prune <app>');
  });

  it('options.settings reaches Django as DJANGO_SETTINGS_MODULE', async () => {
    const ctx = makeContext();
    const project = { ...djangoProject('basic'), options: { settings: 'config.missing_settings' } };
    const err = await adapter.status(project, ctx).catch((e: unknown) => e);
    expect(isMigratorError(err) && err.code).toBe('TOOL.FAILED');
    expect(isMigratorError(err) && err.summary).toContain("ModuleNotFoundError: No module named 'config.missing_settings'");
    expect(isMigratorError(err) && err.fix).toContain('`DJANGO_SETTINGS_MODULE=config.missing_settings python manage.py showmigrations`');
  });

  it("fails with TOOL.NOT_FOUND naming both fixes when the project's Python has no Django", async () => {
    const ctx = makeContext();
    const project = djangoProject('basic');
    const real = ctx.toolchains.require(ctx.toolchains.python());
    // A project virtualenv whose Python cannot see any site-packages (-S -I): no Django there.
    mkdirSync(join(project.absRoot, '.venv/bin'), { recursive: true });
    writeFileSync(join(project.absRoot, '.venv/bin/python'), `#!/bin/sh\nexec ${real} -S -I "$@"\n`, { mode: 0o755 });
    const err = await adapter.status(project, ctx).catch((e: unknown) => e);
    expect(isMigratorError(err) && err.code).toBe('TOOL.NOT_FOUND');
    expect(isMigratorError(err) && err.why).toContain('cannot import django');
    expect(isMigratorError(err) && err.fix).toContain(`${project.absRoot}/.venv/bin/python -m pip install django`);
    expect(isMigratorError(err) && err.fix).toContain('npm run setup');
    const checks = await adapter.checkToolchain(project, ctx);
    expect(checks.find((c) => c.name === 'django')).toMatchObject({ found: false });
  });
});
