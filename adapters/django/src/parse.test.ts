// Parsers on outputs recorded from Django 5.2.19 (fixtures/django/*/recorded).
import { describe, expect, it } from 'vitest';
import { MigrationSchema, MigratorError, buildState, splitStatements } from '@metamig/core';
import { recorded } from '@metamig/testkit';
import {
  condenseTracebacks,
  parseFailure,
  parseHelperStatus,
  parseMergeCreated,
  parseShowmigrationsList,
  parseSqlmigrate,
  parseSqlmigrateDoc,
  runningMigration,
  statusFromHelper,
} from './parse.js';

const out = (fixture: string, name: string, stream: 'stdout' | 'stderr' = 'stdout') => recorded(`django/${fixture}`, `${name}.${stream}`);
const status = (fixture: string, name: string) => statusFromHelper(parseHelperStatus(out(fixture, name)));
const states = (fixture: string, name: string) => status(fixture, name).migrations.map((m) => `${m.id}:${m.state}`);
const shown = (fixture: string, name: string) =>
  parseShowmigrationsList(out(fixture, name)).map((m) => `${m.app}.${m.name}:${m.mark === ' ' ? 'pending' : 'applied'}`);
const BASIC = ['shop.0001_initial', 'shop.0002_product_sku', 'shop.0003_product_sku_index', 'shop.0004_seed_products'];

describe('status JSON from the helper', () => {
  it('fresh SQLite database: every migration pending in plan order, nothing connected or created', () => {
    const h = parseHelperStatus(out('basic', 'status-fresh'));
    expect(h.django_version).toBe('5.2.19');
    expect(h.database).toMatchObject({ vendor: 'sqlite', exists: false, can_rollback_ddl: true });
    expect(h.history_table).toBe(false);
    const s = statusFromHelper(h);
    expect(s.migrations[0]).toEqual({
      id: 'shop.0001_initial',
      name: '0001_initial',
      file: 'shop/migrations/0001_initial.py',
      parents: [],
      state: 'pending',
      reversible: true,
      transactional: true, // atomic, and Django's SQLite backend rolls back DDL
    });
    expect(s.migrations.map((m) => m.id)).toEqual(BASIC);
    expect(s.current).toEqual([]);
    expect(s.heads).toEqual(['shop.0004_seed_products']);
    expect(s.warnings).toEqual([]);
    for (const m of s.migrations) expect(MigrationSchema.parse(m)).toEqual(m);
  });

  it('applied: apply times from django_migrations, the app leaf as current', () => {
    const s = status('basic', 'status-applied');
    expect(s.migrations.map((m) => m.state)).toEqual(['applied', 'applied', 'applied', 'applied']);
    expect(s.migrations[0]!.appliedAt).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d+\+00:00$/);
    expect(s.current).toEqual(['shop.0004_seed_products']);
    const pg = status('basic', 'status-partial-pg');
    expect(pg.migrations.map((m) => `${m.id}:${m.state}`)).toEqual(['shop.0001_initial:applied', ...BASIC.slice(1).map((id) => `${id}:pending`)]);
  });

  it('a hole in the history (InconsistentMigrationHistory) and a row without a file', () => {
    const s = status('basic', 'status-inconsistent');
    expect(s.migrations.map((m) => `${m.id}:${m.state}`)).toEqual([
      'shop.0001_initial:applied', 'shop.0003_product_sku_index:applied', 'shop.0004_seed_products:applied', 'shop.0005_gone:missing-file', 'shop.0002_product_sku:out-of-order',
    ]);
    expect(s.migrations.find((m) => m.id === 'shop.0002_product_sku')!.detail).toContain('Migration shop.0003_product_sku_index is applied before its dependency shop.0002_product_sku');
    expect(s.warnings[0]).toContain('Django reports an inconsistent history and will refuse to migrate');
    expect(s.warnings[1]).toContain('django_migrations records shop.0005_gone, which no migration file defines');
    const st = buildState({ project: 'p', framework: 'django', database: 'd', ...s, source: { command: [], native: '', durationMs: 0, via: 'tool' } });
    expect(st.history).toEqual({ kind: 'diverged', unknownToCode: ['shop.0005_gone'], lastCommon: 'shop.0004_seed_products' });
    expect(st.summary).toEqual({ total: 5, applied: 3, pending: 1, problems: 2 });
  });

  it('conflicting leaves: heads are the leaves of the conflicting app', () => {
    const s = status('conflicting-leaves', 'status-conflict');
    expect(s.heads).toEqual(['shop.0004_product_price', 'shop.0004_product_stock']);
    expect(s.migrations.map((m) => m.id)).toEqual([...BASIC.slice(0, 3), 'shop.0004_product_price', 'shop.0004_product_stock']); // one forwards plan per leaf
    expect(s.migrations[4]!.transactional).toBe(true); // PostgreSQL
    expect(s.warnings).toEqual([expect.stringContaining('App shop has 2 leaf migrations (shop.0004_product_price, shop.0004_product_stock)')]);
  });

  it('two apps: one leaf each is no conflict; applied order is the order of django_migrations ids', () => {
    const s = status('two-apps-dependency', 'status-applied-pg');
    expect(s.migrations.map((m) => m.id)).toEqual([
      'catalog.0001_initial', 'catalog.0002_product_sku', 'orders.0001_initial', 'catalog.0003_product_sku_index', 'orders.0002_order_note', 'orders.0003_seed_orders',
    ]);
    expect(s.heads).toEqual(['orders.0003_seed_orders']);
    expect(s.current).toEqual(['catalog.0003_product_sku_index', 'orders.0003_seed_orders']);
    expect(s.migrations[2]!.parents).toEqual(['catalog.0002_product_sku']);
  });

  it('irreversible operations are named before anyone rolls back', () => {
    const s = status('irreversible', 'status-fresh');
    expect(s.migrations.map((m) => [m.id, m.reversible, m.irreversibleReason])).toEqual([
      ['shop.0001_initial', true, undefined],
      ['shop.0002_product_sku', true, undefined],
      ['shop.0003_product_sku_index', true, undefined],
      ['shop.0004_backfill_skus', false, 'operation 1: RunPython(backfill) has no reverse_code'],
      ['shop.0005_uppercase_skus', false, 'operation 1: RunSQL has no reverse_sql'],
    ]);
  });

  it.each([
    ['fresh', [`shop.0001_squashed_0003_product_sku_index:pending`, 'shop.0004_seed_products:pending']],
    ['partial', ['shop.0001_initial:applied', 'shop.0002_product_sku:applied', 'shop.0003_product_sku_index:pending', 'shop.0004_seed_products:pending']],
    ['replaced', ['shop.0001_squashed_0003_product_sku_index:applied', 'shop.0004_seed_products:pending']],
  ])('squashed (%s) reads the way `showmigrations` shows it', (phase, expected) => {
    expect(states('squashed', `status-${phase}`)).toEqual(expected);
    expect(shown('squashed', `showmigrations-${phase}`)).toEqual(expected);
  });

  it('squashed: the [-] state, and its place in apply order once recorded', () => {
    const replaced = status('squashed', 'status-replaced').migrations[0]!;
    expect(replaced.detail).toContain("Django counts it as applied because every migration it replaces is recorded; the next `manage.py migrate` records it too (`showmigrations` shows [-] until then)");
    expect(replaced.appliedAt).toBeDefined();
    expect(status('squashed', 'status-partial').warnings).toEqual([expect.stringContaining('but only 2 of them are applied: Django does not use a partly applied squash')]);
    const rec = status('squashed', 'status-recorded');
    expect(rec.migrations.map((m) => `${m.id}:${m.state}`)).toEqual(['shop.0001_squashed_0003_product_sku_index:applied', 'shop.0004_seed_products:applied']);
    expect(rec.migrations[0]!.detail).toBe('squashes 3 migrations: shop.0001_initial, shop.0002_product_sku, shop.0003_product_sku_index');
  });

  it('rejects anything that is not the helper document', () => {
    expect(() => parseHelperStatus('Traceback …\n{"django_version": "5.2"}')).toThrow(MigratorError);
    expect(() => parseHelperStatus('')).toThrow(/Could not understand the output of django/);
  });
});

describe('sqlmigrate', () => {
  it('splits each migration by operation, drops BEGIN/COMMIT, and marks RunPython as opaque', () => {
    const doc = parseSqlmigrateDoc(out('basic', 'sqlmigrate-all-pg'));
    expect(doc).toMatchObject({ vendor: 'postgresql', created_sqlite_file: false, created_history_table: false });
    const [create, sku, , seed] = doc.results.map((r) => parseSqlmigrate(r.sql, r.operations));
    expect(create).toEqual({
      transactional: true,
      statements: [{ kind: 'sql', note: 'Create model Product', sql: 'CREATE TABLE "shop_product" ("id" bigint NOT NULL PRIMARY KEY GENERATED BY DEFAULT AS IDENTITY, "name" varchar(100) NOT NULL);' }],
    });
    expect(sku!.statements.map((s) => s.sql)).toEqual([
      `ALTER TABLE "shop_product" ADD COLUMN "sku" varchar(32) DEFAULT '' NOT NULL;`,
      'ALTER TABLE "shop_product" ALTER COLUMN "sku" DROP DEFAULT;',
    ]);
    expect(seed).toEqual({
      transactional: true,
      statements: [{ sql: '', kind: 'opaque', note: 'RunPython(seed): code that cannot be previewed statically: Django runs it when migrating; sqlmigrate prints no SQL for it' }],
    });
  });

  it("the plain `manage.py sqlmigrate` output parses the same way (SQLite)", () => {
    const s = parseSqlmigrate(out('basic', 'sqlmigrate-0001-sqlite'));
    expect(s.transactional).toBe(true);
    expect(s.statements).toEqual([{ kind: 'sql', note: 'Create model Product', sql: 'CREATE TABLE "shop_product" ("id" integer NOT NULL PRIMARY KEY AUTOINCREMENT, "name" varchar(100) NOT NULL);' }]);
  });

  it('backwards: the reverse function is named; irreversible steps carry Django\'s error', () => {
    const back = parseSqlmigrateDoc(out('basic', 'sqlmigrate-backwards-pg'));
    expect(parseSqlmigrate(back.results[0]!.sql, back.results[0]!.operations).statements[0]!.note).toMatch(/^RunPython\(unseed\): /);
    expect(parseSqlmigrate(back.results[1]!.sql).statements.map((s) => s.sql)).toEqual(['DROP INDEX IF EXISTS "shop_product_sku_idx";']);
    const irr = parseSqlmigrateDoc(out('irreversible', 'sqlmigrate-backwards-pg'));
    expect(irr.results.map((r) => [r.ok, r.error?.split(' in ')[0]])).toEqual([
      [false, "IrreversibleError: Operation <RunSQL 'UPDATE shop_product SET sku = UPPER(sku)'>"],
      [false, expect.stringMatching(/^IrreversibleError: Operation <RunPython <function backfill at 0x[0-9a-f]+>>$/)],
    ]);
  });

  it('splits statements outside quotes, dollar quotes and comments', () => {
    expect(splitStatements("INSERT INTO t VALUES ('a;b'); -- x;y\nSELECT 1;")).toEqual(["INSERT INTO t VALUES ('a;b')", '-- x;y\nSELECT 1']);
    expect(splitStatements('CREATE FUNCTION f() AS $$ BEGIN; END; $$ LANGUAGE plpgsql;')).toEqual(['CREATE FUNCTION f() AS $$ BEGIN; END; $$ LANGUAGE plpgsql']);
  });
});

describe('failures', () => {
  it("a failing migration: Django's exception (with psycopg's context) and the migration it was applying", () => {
    const pg = parseFailure(out('failed-migration', 'migrate-pg'), out('failed-migration', 'migrate-pg', 'stderr'));
    expect(pg).toEqual({
      failedMigration: 'shop.0004_audit_log_and_legacy_flag',
      message: 'django.db.utils.ProgrammingError: relation "legacy_accounts" does not exist\nLINE 1: UPDATE legacy_accounts SET is_legacy = TRUE\n               ^',
    });
    const lite = parseFailure(out('failed-migration', 'migrate-sqlite'), out('failed-migration', 'migrate-sqlite', 'stderr'));
    expect(lite).toEqual({ failedMigration: 'shop.0004_audit_log_and_legacy_flag', message: 'django.db.utils.OperationalError: no such table: legacy_accounts' });
    const pgAfter = statusFromHelper(parseHelperStatus(out('failed-migration', 'status-after-pg')));
    expect(pgAfter.migrations.map((m) => m.state)).toEqual(['applied', 'applied', 'applied', 'pending']);
  });

  it('CommandError and InconsistentMigrationHistory: no migration was running', () => {
    expect(parseFailure(out('conflicting-leaves', 'migrate-conflict'), out('conflicting-leaves', 'migrate-conflict', 'stderr'))).toEqual({
      message: "Conflicting migrations detected; multiple leaf nodes in the migration graph: (0004_product_price, 0004_product_stock in shop).\nTo fix them run 'python manage.py makemigrations --merge'",
    });
    expect(parseFailure(out('basic', 'migrate-inconsistent'), out('basic', 'migrate-inconsistent', 'stderr'))).toEqual({
      message: "django.db.migrations.exceptions.InconsistentMigrationHistory: Migration shop.0003_product_sku_index is applied before its dependency shop.0002_product_sku on database 'default'.",
    });
  });

  it('knows which migration was running only while it has no OK', () => {
    expect(runningMigration(out('basic', 'migrate'))).toBeUndefined();
    expect(runningMigration('  Unapplying orders.0002_order_note... OK\n  Unapplying orders.0001_initial...')).toBe('orders.0001_initial');
  });

  it('folds stack frames but keeps the exception and the chain', () => {
    const text = condenseTracebacks(out('failed-migration', 'migrate-pg', 'stderr'));
    expect(text).toContain('The above exception was the direct cause of the following exception:');
    expect(text).toContain('django.db.utils.ProgrammingError: relation "legacy_accounts" does not exist');
    expect(text).not.toContain('File "');
    expect(text).toMatch(/… \(\d+ lines of Python stack frames omitted\)/);
  });
});

describe('makemigrations --merge and showmigrations', () => {
  it('finds the file the merge created, and nothing when there was no conflict', () => {
    expect(parseMergeCreated(out('conflicting-leaves', 'makemigrations-merge'))).toEqual([
      '/tmp/metamig-django-record/conflicting-leaves/shop/migrations/0005_merge_0004_product_price_0004_product_stock.py',
    ]);
    expect(parseMergeCreated(out('conflicting-leaves', 'makemigrations-merge-nothing'))).toEqual([]);
  });

  it('reads the list format, including -v 2 apply times', () => {
    expect(parseShowmigrationsList(out('basic', 'showmigrations-v2'))).toEqual(BASIC.map((id) => ({ app: 'shop', name: id.slice(5), mark: 'X' })));
    expect(parseShowmigrationsList(out('squashed', 'showmigrations-replaced'))[0]).toEqual({ app: 'shop', name: '0001_squashed_0003_product_sku_index', mark: '-' });
  });
});
