import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { type AdapterContext, type HistoryReader, type Project, isMigratorError } from '@metamig/core';
import { copyFixture, makeContext, projectIn, removeCopy } from '@metamig/testkit';
import { findModule, migrationNames, pythonIsoformat, pythonPath, resolveApp } from './fast.js';
import { adapter } from './index.js';

delete process.env.DJANGO_SETTINGS_MODULE;
const copies: string[] = [];
afterAll(() => copies.forEach(removeCopy));
const copy = (name: string) => {
  const dir = copyFixture(`django/${name}`);
  copies.push(dir);
  return dir;
};

/** A context whose runner fails the test if anything is spawned, and a history reader with canned rows. */
function fastContext(rows: Record<string, unknown>[], hasTable = true): AdapterContext & { sql: string[] } {
  const sql: string[] = [];
  const history: HistoryReader = {
    tableExists: async () => hasTable,
    query: async <T extends Record<string, unknown>>(_url: string, q: string) => {
      sql.push(q);
      return rows as T[];
    },
  };
  const runner = { run: () => Promise.reject(new Error('the fast path must not start a process')) } as unknown as AdapterContext['runner'];
  return { ...makeContext(), runner, history, sql };
}

const refusal = async (project: Project, ctx: AdapterContext) => {
  const err = await adapter.statusFast!(project, ctx).catch((e: unknown) => e);
  expect(isMigratorError(err) && err.code, String(err)).toBe('OPERATION.UNSUPPORTED');
  return err as { why?: string; fix?: string; summary: string };
};

describe('statusFast', () => {
  it('refuses without a database URL: Django settings are code', async () => {
    const ctx = fastContext([]);
    const err = await refusal(projectIn(adapter, copy('basic')), ctx);
    expect(err.why).toBe("Django's database is configured in code (DATABASES in the settings module), which metamig does not run");
    expect(err.fix).toContain('--database-url');
    expect(ctx.sql).toEqual([]);
  });

  it('refuses, naming the line, when INSTALLED_APPS is computed', async () => {
    const dir = copy('basic');
    const settings = join(dir, 'config/settings.py');
    writeFileSync(settings, `${readFileSync(settings, 'utf8')}\nif DEBUG:\n    INSTALLED_APPS += ["debug_toolbar"]\n`);
    const err = await refusal(projectIn(adapter, dir, 'postgresql://u@127.0.0.1:1/db'), fastContext([]));
    expect(err.why).toBe('config/settings.py computes INSTALLED_APPS in code (line 14), not as one literal assignment');
  });

  it('refuses an installed app it cannot find in the project or the virtualenv', async () => {
    const dir = copy('basic');
    const settings = join(dir, 'config/settings.py');
    writeFileSync(settings, readFileSync(settings, 'utf8').replace('["shop"]', '["shop", "not_installed_anywhere"]'));
    const err = await refusal(projectIn(adapter, dir, 'postgresql://u@127.0.0.1:1/db'), fastContext([]));
    expect(err.why).toContain('INSTALLED_APPS has not_installed_anywhere, which is neither in the project nor in the Python environment');
  });

  it('builds the state from files and rows, with one query and no process', async () => {
    const ctx = fastContext([
      { id: '1', app: 'shop', name: '0001_initial', applied: '2024-05-06T07:08:09.123400' },
      { id: '2', app: 'shop', name: '0002_product_sku', applied: '2024-05-06T07:08:10' },
    ]);
    const s = await adapter.statusFast!(projectIn(adapter, copy('basic'), 'postgresql://u:secret@127.0.0.1:5432/app'), ctx);
    expect(ctx.sql).toEqual([`SELECT id, app, name, to_char(applied AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US') AS applied FROM django_migrations ORDER BY id`]);
    expect(s.migrations.map((m) => [m.id, m.state, m.appliedAt ?? null, m.reversible, m.transactional])).toEqual([
      ['shop.0001_initial', 'applied', '2024-05-06T07:08:09.123400+00:00', 'unknown', true],
      ['shop.0002_product_sku', 'applied', '2024-05-06T07:08:10+00:00', 'unknown', true],
      ['shop.0003_product_sku_index', 'pending', null, 'unknown', true],
      ['shop.0004_seed_products', 'pending', null, 'unknown', true],
    ]);
    expect(s.source).toMatchObject({ via: 'history-table', command: [] });
    expect(s.database).toBe('postgresql u@127.0.0.1:5432/app');
    expect(JSON.stringify(s)).not.toContain('secret');
  });
});

describe('timestamps as Django reads them back', () => {
  it('prints what datetime.isoformat() prints', () => {
    expect(pythonIsoformat('2024-05-06 07:08:09.123456', true)).toBe('2024-05-06T07:08:09.123456+00:00'); // SQLite text
    expect(pythonIsoformat('2024-05-06 07:08:09', true)).toBe('2024-05-06T07:08:09+00:00');
    expect(pythonIsoformat('2024-05-06T07:08:09.000000', true)).toBe('2024-05-06T07:08:09+00:00'); // PostgreSQL to_char
    expect(pythonIsoformat('2024-05-06 07:08:09.5', false)).toBe('2024-05-06T07:08:09.500000');
    expect(pythonIsoformat('2024-05-06 07:08', false)).toBe('2024-05-06T07:08:00');
    expect(pythonIsoformat('2024-05-06T07:08:09+0200', true)).toBe('2024-05-06T07:08:09+02:00');
    expect(() => pythonIsoformat('yesterday', true)).toThrow(/cannot read/);
  });
});

describe("Python's import system, statically", () => {
  it('finds packages before modules, namespace packages last, and lists migrations as pkgutil does', () => {
    const root = copy('basic');
    mkdirSync(join(root, 'ns/inner'), { recursive: true });
    writeFileSync(join(root, 'single.py'), '');
    expect(findModule('shop', [root])).toEqual({ kind: 'package', dirs: [join(root, 'shop')], init: join(root, 'shop/__init__.py') });
    expect(findModule('shop.migrations', [root])?.kind).toBe('package');
    expect(findModule('single', [root])).toEqual({ kind: 'module', file: join(root, 'single.py') });
    expect(findModule('ns', [root])?.kind).toBe('namespace');
    expect(findModule('nowhere', [root])).toBeUndefined();
    const migrations = join(root, 'shop/migrations');
    for (const f of ['_private.py', '~backup.py', 'notes.txt', 'with.dot.py']) writeFileSync(join(migrations, f), '');
    mkdirSync(join(migrations, '0009_pkg'));
    writeFileSync(join(migrations, '0009_pkg/__init__.py'), '');
    writeFileSync(join(migrations, '0009_pkg.py'), ''); // shadowed by the package of the same name
    expect(migrationNames(migrations)).toEqual(['0001_initial', '0002_product_sku', '0003_product_sku_index', '0004_seed_products']);
    writeFileSync(join(migrations, '0010_compiled.pyc'), '');
    expect(() => migrationNames(migrations)).toThrow(/compiled migration/);
  });

  it('resolves INSTALLED_APPS entries to labels and migrations folders', () => {
    const root = copy('basic');
    expect(resolveApp('shop', [root])).toEqual({ label: 'shop', name: 'shop', migrations: join(root, 'shop/migrations') });
    expect(resolveApp('shop.apps.ShopConfig', [root])).toEqual({ label: 'shop', name: 'shop', migrations: join(root, 'shop/migrations') });
    writeFileSync(join(root, 'shop/apps.py'), 'from django.apps import AppConfig\n\nclass ShopConfig(AppConfig):\n    name = "shop"\n    label = "store"\n');
    expect(resolveApp('shop', [root]).label).toBe('store');
    mkdirSync(join(root, 'plain'));
    writeFileSync(join(root, 'plain/__init__.py'), '');
    expect(resolveApp('plain', [root])).toEqual({ label: 'plain', name: 'plain' }); // no migrations package: unmigrated
    expect(() => resolveApp('shop.apps.Missing', [root])).toThrow(/not an AppConfig/);
  });

  it('reads apps installed in the virtualenv (site-packages) when the project does not have them', () => {
    const ctx = makeContext();
    expect(ctx.toolchains.find(ctx.toolchains.python()), 'run `npm run setup`: .toolchains/venv is needed').toBeTruthy();
    const root = copy('basic');
    const path = pythonPath(projectIn(adapter, root, 'sqlite:///x.db'), ctx, root);
    expect(path.siteWhy).toBeUndefined();
    expect(path.roots[0]).toBe(root);
    expect(path.roots.at(-1)).toMatch(/\/lib\/python3\.\d+\/site-packages$/);
    expect(resolveApp('django.contrib.auth', path.roots)).toMatchObject({ label: 'auth', name: 'django.contrib.auth' });
    expect(resolveApp('django.contrib.admin', path.roots)).toMatchObject({ label: 'admin', name: 'django.contrib.admin' });
    expect(resolveApp('django.contrib.staticfiles', path.roots)).toEqual({ label: 'staticfiles', name: 'django.contrib.staticfiles' });
  });
});
