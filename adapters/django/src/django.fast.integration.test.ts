// The fast path (files + django_migrations, no Python) against the full path (Django itself), on
// every fixture, PostgreSQL and SQLite, at each point of the fixture's life: both must agree on
// every compared field (core's comparableState), or the test fails.
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type MigrationState, type Project, runMigrations } from '@metamig/core';
import { copyFixture, expectFastMatchesFull, makeContext, projectIn, removeCopy, usePostgres } from '@metamig/testkit';
import { adapter } from './index.js';

delete process.env.DB_ENGINE;
delete process.env.DJANGO_SETTINGS_MODULE;

const pg = usePostgres();
const dbName = (url: string) => new URL(url).pathname.slice(1);
const states = (s: MigrationState) => s.migrations.map((m) => `${m.id}:${m.state}`);

beforeAll(() => {
  const ctx = makeContext();
  if (!ctx.toolchains.find(ctx.toolchains.python())) {
    throw new Error(`No Python with Django for the tests: run \`npm run setup\` (scripts/setup) in ${ctx.repoRoot}; it creates .toolchains/venv with the pinned Django and psycopg.`);
  }
});

const copies: string[] = [];
afterAll(() => copies.forEach(removeCopy));

type Engine = 'postgres' | 'sqlite';
interface Setup {
  project: Project;
  ctx: ReturnType<typeof makeContext>;
  /** Run SQL against the project's database (to damage its history on purpose). */
  exec(sql: string): Promise<void>;
  same(): Promise<MigrationState>;
  up(id?: string): Promise<void>;
  down(steps: number): Promise<void>;
}

async function setup(fixture: string, engine: Engine, edit?: (dir: string) => void): Promise<Setup> {
  const dir = copyFixture(`django/${fixture}`);
  copies.push(dir);
  edit?.(dir);
  const url = engine === 'postgres' ? await pg.database() : `sqlite:///${dir}/fast.sqlite3`;
  const project = projectIn(adapter, dir, url);
  const ctx = makeContext();
  return {
    project,
    ctx,
    async exec(sql) {
      if (engine === 'postgres') {
        await pg.server.query(dbName(url), sql);
        return;
      }
      const db = new Database(`${dir}/fast.sqlite3`);
      db.exec(sql);
      db.close();
    },
    async same() {
      return (await expectFastMatchesFull(adapter, project, ctx)).fast;
    },
    async up(id) {
      const r = await runMigrations(adapter, project, 'up', id ? { kind: 'to', id } : { kind: 'latest' }, ctx);
      expect(r.ok, r.error?.summary).toBe(true);
    },
    async down(steps) {
      const r = await runMigrations(adapter, project, 'down', { kind: 'steps', n: steps }, ctx);
      expect(r.ok, r.error?.summary).toBe(true);
    },
  };
}

describe.each(['postgres', 'sqlite'] as const)('fast status equals full status on %s', (engine) => {
  it('basic: fresh, partly applied, applied, rolled back, a hole, a deleted file, a row of an unknown app', async () => {
    const s = await setup('basic', engine);
    expect((await s.same()).summary).toMatchObject({ applied: 0, pending: 4 });
    await s.up('shop.0002_product_sku');
    expect((await s.same()).summary).toMatchObject({ applied: 2, pending: 2 });
    await s.up();
    const applied = await s.same();
    expect(applied.migrations.every((m) => /^\d{4}-\d\d-\d\dT[\d:.]+\+00:00$/.test(m.appliedAt ?? ''))).toBe(true);
    await s.down(1);
    expect((await s.same()).summary).toMatchObject({ applied: 3, pending: 1 });
    await s.up();
    await s.exec("delete from django_migrations where name = '0002_product_sku'");
    expect((await s.same()).history).toMatchObject({ kind: 'outOfOrder' });
    await s.exec("insert into django_migrations (app, name, applied) values ('ghost', '0001_initial', '2024-05-06 07:08:09')");
    rmSync(join(s.project.absRoot, 'shop/migrations/0004_seed_products.py'));
    const diverged = await s.same();
    expect(diverged.history).toMatchObject({ kind: 'diverged', unknownToCode: ['shop.0004_seed_products', 'ghost.0001_initial'] });
    expect(diverged.source.via).toBe('history-table');
  });

  it('conflicting leaves: two heads, one branch applied, merged and applied, rolled back', async () => {
    const s = await setup('conflicting-leaves', engine);
    expect((await s.same()).history).toMatchObject({ kind: 'multipleHeads' });
    // migrate refuses while the conflict exists: apply one branch with the other one's file set aside.
    const other = join(s.project.absRoot, 'shop/migrations/0004_product_stock.py');
    const otherText = readFileSync(other, 'utf8');
    rmSync(other);
    await s.up('shop.0004_product_price');
    writeFileSync(other, otherText);
    expect((await s.same()).current).toEqual(['shop.0004_product_price']);
    const merge = await adapter.mergeHeads(s.project, { state: await adapter.status(s.project, s.ctx) }, s.ctx);
    expect(merge.created).toHaveLength(1);
    await s.up();
    expect((await s.same()).history).toBeNull();
    await s.down(3);
    expect((await s.same()).summary).toMatchObject({ applied: 3 });
  });

  it('squashed: unused squash (partly applied), squash counted applied before it is recorded, recorded, zero', async () => {
    const s = await setup('squashed', engine);
    const squashFile = join(s.project.absRoot, 'shop/migrations/0001_squashed_0003_product_sku_index.py');
    const squash = readFileSync(squashFile, 'utf8');
    expect(states(await s.same())).toEqual(['shop.0001_squashed_0003_product_sku_index:pending', 'shop.0004_seed_products:pending']);
    rmSync(squashFile); // migrate with the code as it was before the squash existed
    await s.up('shop.0002_product_sku');
    writeFileSync(squashFile, squash);
    expect(states(await s.same())).toEqual(['shop.0001_initial:applied', 'shop.0002_product_sku:applied', 'shop.0003_product_sku_index:pending', 'shop.0004_seed_products:pending']);
    rmSync(squashFile);
    await s.up('shop.0003_product_sku_index');
    writeFileSync(squashFile, squash);
    const replaced = await s.same();
    expect(replaced.migrations[0]).toMatchObject({ id: 'shop.0001_squashed_0003_product_sku_index', state: 'applied' });
    expect(replaced.migrations[0]!.appliedAt).toBeDefined();
    await s.up();
    await s.same();
    await s.down(2);
    expect((await s.same()).summary).toMatchObject({ applied: 0, pending: 2 });
  });

  it('two apps: cross-app dependency applied in part, all, and rolled back across apps', async () => {
    const s = await setup('two-apps-dependency', engine);
    await s.same();
    await s.up('orders.0001_initial');
    expect((await s.same()).current.sort()).toEqual(['catalog.0002_product_sku', 'orders.0001_initial']);
    await s.up();
    await s.same();
    await s.down(3);
    expect((await s.same()).summary).toMatchObject({ applied: 3, pending: 3 });
  });

  it('failed, irreversible and rollback-gaps fixtures: after a failed migrate, partly and fully applied', async () => {
    const failed = await setup('failed-migration', engine);
    const report = await runMigrations(adapter, failed.project, 'up', { kind: 'latest' }, failed.ctx);
    expect(report.ok).toBe(false);
    expect((await failed.same()).summary).toMatchObject({ applied: 3, pending: 1 });
    const irreversible = await setup('irreversible', engine);
    await irreversible.up();
    const fast = await irreversible.same();
    expect(fast.migrations.map((m) => m.reversible)).toEqual(Array(5).fill('unknown')); // only Django's code analysis knows
    const gaps = await setup('rollback-gaps', engine);
    await gaps.up('accounts.0002_accounts_email_index');
    await gaps.same();
    await gaps.up();
    expect((await gaps.same()).summary).toMatchObject({ applied: 4, pending: 0 });
  });
});

describe('fast status reads apps Django installs from the virtualenv, and AppConfig paths', () => {
  it('contrib apps (contenttypes, auth) next to the project app, and INSTALLED_APPS naming an AppConfig class', async () => {
    const s = await setup('basic', 'sqlite', (dir) => {
      const settings = join(dir, 'config/settings.py');
      const text = readFileSync(settings, 'utf8').replace('INSTALLED_APPS = ["shop"]', 'INSTALLED_APPS = ["django.contrib.contenttypes", "django.contrib.auth", "shop.apps.ShopConfig"]');
      writeFileSync(settings, text);
    });
    const fresh = await s.same();
    expect(fresh.migrations.filter((m) => m.id.startsWith('auth.')).length).toBeGreaterThan(10);
    expect(fresh.migrations.find((m) => m.id === 'auth.0001_initial')?.file).toBeUndefined(); // outside the project
    await s.up('auth.0003_alter_user_email_max_length');
    await s.same();
    await s.up();
    await s.same();
  });
});
