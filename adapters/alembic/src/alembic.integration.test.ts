// The real Alembic (the Python metamig finds: the project's .venv, else .toolchains/venv from
// scripts/setup) against a throwaway PostgreSQL and real SQLite files, driven through core's
// runMigrations / planMigrations / selectSteps exactly as the CLI drives it.
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type MigrationState, type Project, isMigratorError, planMigrations, runMigrations, selectSteps } from '@metamig/core';
import { copyFixture as copyTestkitFixture, makeContext, projectIn, removeCopy, repoRoot, usePostgres } from '@metamig/testkit';
import { adapter } from './index.js';

// The fixtures' env.py files switch to DATABASE_URL when it is set; these tests choose explicitly.
delete process.env.DATABASE_URL;

const pg = usePostgres();
// Contains `%`: the URL reaches Alembic's configparser, where a bare % would break interpolation.
const PASSWORD = 'Al-s3cr%et';
const withPassword = (url: string) => url.replace('postgresql://postgres@', `postgresql://postgres:${encodeURIComponent(PASSWORD)}@`);
const dbName = (url: string) => new URL(url).pathname.slice(1);
const ids = (s: MigrationState, state?: string) => s.migrations.filter((m) => !state || m.state === state).map((m) => m.id);
const BASIC = ['0001', '0002', '0003', '0004'];
// The versions scripts/setup pins into .toolchains/venv.
const pinned = (pkg: string) => new RegExp(`^${pkg}==(\\S+)`, 'im').exec(readFileSync(join(repoRoot, 'scripts/toolchains/requirements.txt'), 'utf8'))?.[1];
const TOOL_VERSION = `alembic ${pinned('alembic')} (SQLAlchemy ${pinned('SQLAlchemy')})`;

beforeAll(() => {
  const ctx = makeContext();
  if (!ctx.toolchains.find(ctx.toolchains.python())) {
    throw new Error(`No Python with Alembic for the tests: run \`npm run setup\` (scripts/setup) in ${ctx.repoRoot}; it creates .toolchains/venv with the pinned alembic, SQLAlchemy and psycopg.`);
  }
});

const copies: string[] = [];
afterAll(() => copies.forEach(removeCopy));
function alembicProject(name: string, databaseUrl?: string): Project {
  const dir = copyTestkitFixture(`alembic/${name}`);
  copies.push(dir);
  return projectIn(adapter, dir, databaseUrl);
}

type Engine = 'postgres' | 'sqlite';
/** Tables of the project's database: PostgreSQL through the sandbox, SQLite by reading the file. */
function inspector(engine: Engine, project: Project, url: string | undefined, sqliteFile = join(project.absRoot, 'app.db')) {
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
  for (const form of [PASSWORD, encodeURIComponent(PASSWORD), 'Al-s3cr']) expect(text).not.toContain(form);
}

describe.each(['postgres', 'sqlite'] as const)('basic cycle on %s', (engine) => {
  it('status → plan up → up → plan down → down 1 → down --to → up --to → status', async () => {
    const ctx = makeContext();
    const url = engine === 'postgres' ? withPassword(await pg.database()) : undefined; // SQLite: the ini's own app.db
    const project = alembicProject('basic', url);
    const db = inspector(engine, project, url);

    const fresh = await adapter.status(project, ctx);
    expect(ids(fresh, 'pending')).toEqual(BASIC);
    expect(fresh.summary).toEqual({ total: 4, applied: 0, pending: 4, problems: 0 });
    expect(fresh.history).toEqual({ kind: 'databaseBehind', pending: BASIC });
    expect(fresh.current).toEqual([]);
    expect(fresh.heads).toEqual(['0004']);
    expect(fresh.migrations.map((m) => m.transactional)).toEqual(Array(4).fill(engine === 'postgres'));
    expect(fresh.source.native).toBe('alembic history --indicate-current');
    expect(fresh.source.toolVersion).toBe(TOOL_VERSION);
    expect(fresh.database).toBe(engine === 'postgres' ? `postgresql+psycopg://postgres:***@127.0.0.1:${new URL(url!).port}/${dbName(url!)}` : `sqlite:///${project.absRoot}/app.db`);
    expect(await db.tables()).toEqual([]); // reading status created nothing

    const planUp = await planMigrations(adapter, project, 'up', { kind: 'latest' }, ctx);
    expect(planUp.steps.map((s) => [s.migration.id, s.sqlSource, s.transactional])).toEqual(BASIC.map((id) => [id, 'native-preview', engine === 'postgres']));
    expect(planUp.steps[0]!.statements[0]!.sql).toMatch(/^CREATE TABLE users \(/);
    expect(planUp.steps[1]!.statements.map((s) => s.sql)).toEqual(['ALTER TABLE users ADD COLUMN email VARCHAR(200)']);
    expect(planUp.steps[3]!.statements.map((s) => s.sql)).toEqual([
      "INSERT INTO users (name, email) VALUES ('Ada', 'ada@example.com')",
      "INSERT INTO users (name, email) VALUES ('Grace', 'grace@example.com')",
    ]);
    expect(planUp.source.native).toBe('alembic upgrade 0004 --sql');
    expect(planUp.sideEffects).toEqual([]);
    expect(await db.tables()).toEqual([]); // offline mode: still nothing in the database

    const up = await runMigrations(adapter, project, 'up', { kind: 'latest' }, ctx);
    expect(up.ok).toBe(true);
    expect(up.source.native).toBe('alembic upgrade heads');
    expect(up.changes).toEqual(BASIC.map((id, i) => ({ id, name: ['create users', 'add email', 'index email', 'seed admin users'][i], direction: 'up' })));
    expect(up.after).toEqual({ current: ['0004'], applied: 4 });
    expect(await db.tables()).toEqual(['alembic_version', 'users']);
    expect(await db.rows('select name from users order by name')).toEqual([{ name: 'Ada' }, { name: 'Grace' }]);

    const applied = await adapter.status(project, ctx);
    expect(ids(applied, 'applied')).toEqual(BASIC);
    expect(applied.history).toBeNull();

    const planDown = await planMigrations(adapter, project, 'down', { kind: 'steps', n: 2 }, ctx);
    expect(planDown.source.native).toBe('alembic downgrade 0004:0002 --sql');
    expect(planDown.steps.map((s) => [s.migration.id, s.sqlSource])).toEqual([['0004', 'native-preview'], ['0003', 'native-preview']]);
    expect(planDown.steps[0]!.statements.map((s) => s.sql)).toEqual(["DELETE FROM users WHERE users.email IN ('ada@example.com', 'grace@example.com')"]);
    expect(planDown.steps[1]!.statements.map((s) => s.sql)).toEqual(['DROP INDEX ix_users_email']);

    const down1 = await runMigrations(adapter, project, 'down', { kind: 'steps', n: 1 }, ctx);
    expect(down1.ok).toBe(true);
    expect(down1.source.native).toBe('alembic downgrade 0003');
    expect(down1.changes).toEqual([{ id: '0004', name: 'seed admin users', direction: 'down' }]);
    const afterDown1 = await adapter.status(project, ctx);
    expect(ids(afterDown1, 'pending')).toEqual(['0004']);
    expect(ids(afterDown1, 'applied')).toEqual(['0001', '0002', '0003']);
    expect(await db.rows('select count(*) as n from users')).toEqual([{ n: engine === 'postgres' ? '0' : 0 }]);

    const downTo = await runMigrations(adapter, project, 'down', { kind: 'to', id: '0001' }, ctx);
    expect(downTo.ok).toBe(true);
    expect(downTo.source.native).toBe('alembic downgrade 0001');
    expect(downTo.changes.map((c) => c.id)).toEqual(['0003', '0002']);

    const upTo = await runMigrations(adapter, project, 'up', { kind: 'to', id: '0003' }, ctx);
    expect(upTo.ok).toBe(true);
    expect(upTo.source.native).toBe('alembic upgrade 0003');
    expect(upTo.changes.map((c) => c.id)).toEqual(['0002', '0003']);
    const end = await adapter.status(project, ctx);
    expect(end.migrations.map((m) => `${m.id}:${m.state}`)).toEqual(['0001:applied', '0002:applied', '0003:applied', '0004:pending']);
    expect(end.current).toEqual(['0003']);
    expectNoPassword(ctx, fresh, planUp, up, applied, planDown, down1, downTo, upTo, end);
  });
});

describe.each(['postgres', 'sqlite'] as const)('multiple heads on %s', (engine) => {
  it('two heads → one branch up → down one head → merge → down across the merge point', async () => {
    const ctx = makeContext();
    const sqliteDir = engine === 'sqlite' ? copyTestkitFixture('alembic/basic') : undefined; // any folder outside the project
    if (sqliteDir) copies.push(sqliteDir);
    const url = engine === 'postgres' ? withPassword(await pg.database()) : `sqlite:///${sqliteDir}/override.db`; // SQLite: an override URL
    const project = alembicProject('multiple-heads', url);
    const db = inspector(engine, project, url, `${sqliteDir}/override.db`);

    const fresh = await adapter.status(project, ctx);
    expect(fresh.heads).toEqual(['0003a', '0003b']);
    expect(fresh.history).toEqual({ kind: 'multipleHeads', heads: ['0003a', '0003b'] });
    expect(ids(fresh)).toEqual(['0001', '0002', '0003b', '0003a']); // the order `alembic upgrade heads` runs them
    const advice = await adapter.heads!(project, fresh, ctx);
    expect(advice.divergent).toBe(true);
    expect(advice.advice.join('\n')).toContain('alembic merge -m "merge heads" heads');

    const oneBranch = await runMigrations(adapter, project, 'up', { kind: 'steps', n: 3 }, ctx);
    expect(oneBranch.source.native).toBe('alembic upgrade 0003b');
    expect(oneBranch.after.current).toEqual(['0003b']);
    const both = await runMigrations(adapter, project, 'up', { kind: 'latest' }, ctx);
    expect(both.source.native).toBe('alembic upgrade heads');
    expect(both.changes.map((c) => c.id)).toEqual(['0003a']);
    expect([...both.after.current].sort()).toEqual(['0003a', '0003b']);

    // Two applied heads: rolling back one must not touch the other (`downgrade 0002` would).
    const twoHeads = await adapter.status(project, ctx);
    expect(selectSteps(twoHeads, 'down', { kind: 'steps', n: 1 }).map((m) => m.id)).toEqual(['0003a']);
    const downOne = await runMigrations(adapter, project, 'down', { kind: 'steps', n: 1 }, ctx);
    expect(downOne.ok).toBe(true);
    expect(downOne.source.native).toBe('alembic downgrade 0003a@-1');
    expect(downOne.changes).toEqual([{ id: '0003a', name: 'create orders', direction: 'down' }]);
    expect(await db.tables()).toEqual(['alembic_version', 'audit_log', 'users']);
    await runMigrations(adapter, project, 'up', { kind: 'latest' }, ctx);

    const versions = join(project.absRoot, 'migrations/versions');
    const merge = await adapter.mergeHeads(project, { state: await adapter.status(project, ctx) }, ctx);
    expect(merge.headsBefore).toEqual(['0003a', '0003b']);
    expect(merge.created).toHaveLength(1);
    expect(merge.created[0]).toMatch(/^migrations\/versions\/[0-9a-f]{12}_merge_heads\.py$/);
    const mergeId = merge.created[0]!.split('/').pop()!.slice(0, 12);
    expect(merge.headsAfter).toEqual([mergeId]);
    expect(merge.source.native).toBe("alembic merge -m 'merge heads' heads");
    expect(readFileSync(join(project.absRoot, merge.created[0]!), 'utf8')).toMatch(/^down_revision: Union\[str, Sequence\[str\], None\] = \('0003a', '0003b'\)$/m);

    const merged = await adapter.status(project, ctx);
    expect(merged.heads).toEqual([mergeId]);
    expect(merged.history).toEqual({ kind: 'databaseBehind', pending: [mergeId] });
    expect(merged.migrations.find((m) => m.id === mergeId)).toMatchObject({ parents: ['0003a', '0003b'], state: 'pending', reversible: true });
    const upMerge = await runMigrations(adapter, project, 'up', { kind: 'latest' }, ctx);
    expect(upMerge.changes.map((c) => c.id)).toEqual([mergeId]);
    expect(upMerge.after.current).toEqual([mergeId]);

    // A second merge with a single head writes nothing.
    const files = readdirSync(versions).filter((f) => f.endsWith('.py')).sort();
    const noop = await adapter.mergeHeads(project, { state: await adapter.status(project, ctx) }, ctx);
    expect(noop.created).toEqual([]);
    expect(noop.message).toContain('nothing to merge');
    expect(readdirSync(versions).filter((f) => f.endsWith('.py')).sort()).toEqual(files);

    // Down across the merge point: never `downgrade -1` ("Ambiguous walk").
    const planDown = await planMigrations(adapter, project, 'down', { kind: 'steps', n: 2 }, ctx);
    expect(planDown.steps.map((s) => [s.migration.id, s.sqlSource, s.statements.map((x) => x.sql)])).toEqual([
      [mergeId, 'native-preview', []],
      ['0003a', 'native-preview', ['DROP TABLE orders']],
    ]);
    const acrossMerge = await runMigrations(adapter, project, 'down', { kind: 'steps', n: 2 }, ctx);
    expect(acrossMerge.ok).toBe(true);
    expect(acrossMerge.source.native).toBe('alembic downgrade 0003a && alembic downgrade 0003a@-1');
    expect(acrossMerge.changes.map((c) => c.id)).toEqual([mergeId, '0003a']);
    expect(acrossMerge.after.current).toEqual(['0003b']);
    expect(await db.tables()).toEqual(['alembic_version', 'audit_log', 'users']);
    if (engine === 'sqlite') expect(existsSync(join(project.absRoot, 'app.db'))).toBe(false); // the override was used, not the ini's file
    expectNoPassword(ctx, fresh, oneBranch, both, downOne, merge, merged, upMerge, planDown, acrossMerge);
  });
});

describe.each(['postgres', 'sqlite'] as const)('failed migration on %s', (engine) => {
  it("reports the tool's own error and the real state afterwards", async () => {
    const ctx = makeContext();
    const url = engine === 'postgres' ? withPassword(await pg.database()) : undefined;
    const project = alembicProject('failed-migration', url);
    const db = inspector(engine, project, url);

    const report = await runMigrations(adapter, project, 'up', { kind: 'latest' }, ctx);
    expect(report.ok).toBe(false);
    expect(report.failedMigration).toBe('0005');
    expect(report.error?.code).toBe('MIGRATION.FAILED');
    const own = engine === 'postgres' ? 'relation "legacy_accounts" does not exist' : 'no such table: legacy_accounts';
    expect(report.error?.summary).toContain(`${project.id}: 0005 failed: `);
    expect(report.error?.summary).toContain(own);
    expect(report.error?.why).toContain('[SQL: ALTER TABLE legacy_accounts ADD COLUMN is_legacy BOOLEAN]');
    expect(report.error?.toolOutput).toContain('Running upgrade 0004 -> 0005, add legacy flag');
    const after = await adapter.status(project, ctx);
    if (engine === 'postgres') {
      // Alembic's env.py runs the whole command in one transaction: 0001-0004 were rolled back with 0005.
      expect(report.changes).toEqual([]);
      expect(report.after).toEqual({ current: [], applied: 0 });
      expect(ids(after, 'pending')).toEqual([...BASIC, '0005']);
      expect(await db.tables()).toEqual([]);
      expect(report.warnings.join('\n')).toContain('rolled back');
    } else {
      // SQLite: no transactional DDL. 0001-0004 stay; 0005's first statement (CREATE TABLE audit_log) too.
      expect(report.changes.map((c) => c.id)).toEqual(BASIC);
      expect(report.after).toEqual({ current: ['0004'], applied: 4 });
      expect(ids(after, 'pending')).toEqual(['0005']);
      expect(await db.tables()).toEqual(['alembic_version', 'audit_log', 'users']);
      expect(report.warnings.join('\n')).toContain('0005 ran without a transaction');
    }
    expect(report.recovery).toContain('0005 failed');
    expectNoPassword(ctx, report, after);
  });
});

describe.each(['postgres', 'sqlite'] as const)('irreversible revisions and offline limits on %s', (engine) => {
  it('flags them before any rollback, and previews around a migration that needs a connection', async () => {
    const ctx = makeContext();
    const url = engine === 'postgres' ? withPassword(await pg.database()) : undefined;
    const project = alembicProject('irreversible', url);
    const fresh = await adapter.status(project, ctx);
    expect(fresh.migrations.map((m) => [m.id, m.reversible])).toEqual([['0001', true], ['0002', false], ['0003', false]]);
    expect(fresh.migrations[1]!.irreversibleReason).toBe('downgrade() always raises NotImplementedError');

    // 0002 reads the database (op.get_bind()): offline mode cannot render it; the preview goes on after it.
    const planUp = await planMigrations(adapter, project, 'up', { kind: 'latest' }, ctx);
    expect(planUp.source.native).toBe('alembic upgrade 0003 --sql && alembic upgrade 0002:0003 --sql');
    expect(planUp.steps[0]!.sqlSource).toBe('native-preview');
    expect(planUp.steps[1]!.sqlSource).toBe('unavailable');
    expect(planUp.steps[1]!.reason).toContain("AttributeError: 'NoneType' object has no attribute 'fetchall'");
    expect(planUp.steps[1]!.reason).toContain('op.get_bind()');
    if (engine === 'postgres') {
      expect(planUp.steps[2]).toMatchObject({ sqlSource: 'native-preview', statements: [{ sql: 'ALTER TABLE accounts DROP COLUMN legacy_code', kind: 'sql' }] });
    } else {
      // Alembic's batch mode on SQLite reflects the table, which offline mode cannot do.
      expect(planUp.steps[2]!.sqlSource).toBe('unavailable');
      expect(planUp.steps[2]!.reason).toContain('batch mode with dialect sqlite requires a live database connection');
    }

    expect((await runMigrations(adapter, project, 'up', { kind: 'latest' }, ctx)).ok).toBe(true);
    const refused = await runMigrations(adapter, project, 'down', { kind: 'steps', n: 1 }, ctx).catch((e: unknown) => e);
    expect(isMigratorError(refused) && refused.code).toBe('MIGRATION.IRREVERSIBLE');
    expect(isMigratorError(refused) && refused.why).toContain('0003: downgrade() is empty (pass)');
    expect((await adapter.status(project, ctx)).current).toEqual(['0003']); // nothing ran
    expectNoPassword(ctx, fresh, planUp, refused);
  });
});

describe('database selection and toolchain errors', () => {
  it('a revision in the database that the code lacks is missing-file, not a crash', async () => {
    const ctx = makeContext();
    const project = alembicProject('basic');
    await runMigrations(adapter, project, 'up', { kind: 'latest' }, ctx);
    rmSync(join(project.absRoot, 'migrations/versions/0004_seed_admin_users.py'));
    const s = await adapter.status(project, ctx);
    // Applied in the database (first), but without its file Alembic cannot say what lies below it.
    expect(s.migrations.map((m) => `${m.id}:${m.state}`)).toEqual(['0004:missing-file', '0001:pending', '0002:pending', '0003:pending']);
    expect(s.history).toEqual({ kind: 'diverged', unknownToCode: ['0004'] });
    expect(s.warnings[0]).toContain('Alembic cannot tell which');
    expect((await adapter.heads!(project, s, ctx)).advice.join('\n')).toContain('alembic stamp <revision>');
    const checks = await adapter.checkToolchain(project, ctx);
    expect(checks.map((c) => [c.name, c.found, c.version])).toEqual([
      ['python', true, expect.stringMatching(/^3\.\d+\.\d+$/)],
      ['alembic', true, pinned('alembic')],
      ['sqlalchemy', true, pinned('SQLAlchemy')],
      ['psycopg', true, `psycopg ${pinned('psycopg\\[binary\\]')}, psycopg2 ${pinned('psycopg2-binary')}`],
    ]);
  });

  it('refuses to run when env.py ignores the database metamig passes', async () => {
    const ctx = makeContext();
    const url = withPassword(await pg.database());
    const project = alembicProject('basic', url);
    const envPy = join(project.absRoot, 'migrations/env.py');
    const other = join(project.absRoot, 'hardcoded.db');
    writeFileSync(envPy, readFileSync(envPy, 'utf8').replace('connectable = engine_from_config(', `connectable = __import__("sqlalchemy").create_engine("sqlite:///${other}")\n    _ignored = dict(`));
    const err = await adapter.status(project, ctx).catch((e: unknown) => e);
    expect(isMigratorError(err) && err.code).toBe('CONFIG.INVALID');
    expect(isMigratorError(err) && err.why).toContain(`env.py connected to sqlite:///${other}, not to the database metamig passed (postgresql+psycopg://postgres:***@`);
    const up = await runMigrations(adapter, project, 'up', { kind: 'latest' }, ctx).catch((e: unknown) => e);
    expect(isMigratorError(up) && up.code).toBe('CONFIG.INVALID');
    expect(await pg.server.query(dbName(url), "select 1 from information_schema.tables where table_schema = 'public'")).toEqual([]);
    expect(existsSync(other) ? new Database(other, { readonly: true }).prepare("select name from sqlite_master where type = 'table'").all() : []).toEqual([]);
    expectNoPassword(ctx, err, up);
  });

  it("fails with TOOL.NOT_FOUND naming both fixes when the project's Python has no Alembic", async () => {
    const ctx = makeContext();
    const project = alembicProject('basic');
    const real = ctx.toolchains.require(ctx.toolchains.python());
    // A project virtualenv whose Python cannot see any site-packages (-S -I): no alembic there.
    mkdirSync(join(project.absRoot, '.venv/bin'), { recursive: true });
    writeFileSync(join(project.absRoot, '.venv/bin/python'), `#!/bin/sh\nexec ${real} -S -I "$@"\n`, { mode: 0o755 });
    const err = await adapter.status(project, ctx).catch((e: unknown) => e);
    expect(isMigratorError(err) && err.code).toBe('TOOL.NOT_FOUND');
    expect(isMigratorError(err) && err.why).toContain('cannot import alembic');
    expect(isMigratorError(err) && err.fix).toContain(`${project.absRoot}/.venv/bin/python -m pip install alembic`);
    expect(isMigratorError(err) && err.fix).toContain('npm run setup');
    const checks = await adapter.checkToolchain(project, ctx);
    expect(checks.find((c) => c.name === 'alembic')).toMatchObject({ found: false });
  });
});
