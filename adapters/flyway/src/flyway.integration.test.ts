// The real Flyway 12.4.0 command line (.toolchains/flyway) against a throwaway PostgreSQL and real
// SQLite files, driven through core's runMigrations / planMigrations exactly as the CLI drives it.
// Independent scenarios run concurrently: each JVM start costs ~0.5-1 s.
import { appendFileSync, cpSync, existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type MigrationState, type Project, Toolchains, isMigratorError, planMigrations, runMigrations } from '@metamig/core';
import { copyFixture as copyTestkitFixture, makeContext, projectIn, removeCopy, repoRoot, usePostgres } from '@metamig/testkit';
import { flywayArgs } from './argv.js';
import { adapter } from './index.js';
import { parseFlywayOutput } from './parse.js';

for (const k of Object.keys(process.env)) if (k.startsWith('FLYWAY_')) delete process.env[k]; // the tests choose the database

const pg = usePostgres();
const PASSWORD = 'Fw-s3cret-Pw';

beforeAll(() => {
  const tc = new Toolchains(repoRoot);
  expect(tc.find(tc.flyway()), 'Flyway 12.4.0 is not installed: run `npm run setup` (scripts/setup) to install it into .toolchains/flyway').toBeTruthy();
  expect(tc.find(tc.java()), 'Flyway needs Java 17+: apt-get install openjdk-17-jre-headless').toBeTruthy();
});

const copies: string[] = [];
afterAll(() => copies.forEach(removeCopy));
const copyFixture = (rel: string) => {
  const dir = copyTestkitFixture(rel);
  copies.push(dir);
  return dir;
};
const flywayProject = (name: string, databaseUrl?: string, options: Record<string, unknown> = {}): Project => ({ ...projectIn(adapter, copyFixture(`flyway/${name}`), databaseUrl), options });
const withPassword = (url: string) => url.replace('postgresql://postgres@', `postgresql://postgres:${PASSWORD}@`);
const dbName = (url: string) => new URL(url).pathname.slice(1);
const ids = (s: MigrationState, state?: string) => s.migrations.filter((m) => !state || m.state === state).map((m) => m.id);

/** Rows of a query, on the project's PostgreSQL database or its SQLite file. */
async function rows(project: Project, url: string | undefined, sql: string, sqliteFile: string): Promise<Record<string, unknown>[]> {
  if (url) return pg.server.query(dbName(url), sql);
  const db = new Database(join(project.absRoot, sqliteFile), { readonly: true });
  try {
    return db.prepare(sql).all() as Record<string, unknown>[];
  } finally {
    db.close();
  }
}

describe.concurrent.each(['postgres', 'sqlite'] as const)('basic cycle on %s', (engine) => {
  it('status → up → status → plan down → down 1 (emulated, native info agrees) → status → down 2 → up --to → status', async () => {
    const ctx = makeContext();
    const url = engine === 'postgres' ? withPassword(await pg.database()) : undefined; // SQLite: the fixture's own basic.db
    const project = flywayProject('basic', url);
    const users = () => rows(project, url, 'SELECT name FROM users ORDER BY id', 'basic.db');

    const fresh = await adapter.status(project, ctx);
    expect(ids(fresh, 'pending')).toEqual(['1', '2', '3', '4']);
    expect(fresh.summary).toEqual({ total: 4, applied: 0, pending: 4, problems: 0 });
    expect(fresh.history).toEqual({ kind: 'databaseBehind', pending: ['1', '2', '3', '4'] });
    expect(fresh.migrations.map((m) => m.reversible)).toEqual([false, true, true, true]);
    expect(fresh.migrations[0]!.irreversibleReason).toBe('no U1__*.sql undo file (Flyway Community has no undo; metamig runs U files)');
    expect(fresh.migrations.map((m) => m.transactional)).toEqual([true, true, true, true]);
    expect(fresh.migrations[3]).toMatchObject({ name: 'seed admin user', file: 'sql/V4__seed_admin_user.sql', parents: ['3'] });
    expect(fresh.heads).toEqual(['4']);
    expect(fresh.source).toMatchObject({ toolVersion: '12.4.0', native: expect.stringContaining('flyway -configFiles=flyway.toml -locations=filesystem:sql info validate') });
    expect(fresh.source.command).toEqual(expect.arrayContaining(['-failOnMissingLocations=true', 'info', 'validate']));

    const upAll = await runMigrations(adapter, project, 'up', { kind: 'latest' }, ctx);
    expect(upAll.ok).toBe(true);
    expect(upAll.changes.map((c) => c.id)).toEqual(['1', '2', '3', '4']);
    expect(upAll.mode).toEqual({ kind: 'native' });
    expect(upAll.source.native).toMatch(/flyway -configFiles=flyway\.toml -locations=filesystem:sql migrate$/);

    const applied = await adapter.status(project, ctx);
    expect(ids(applied, 'applied')).toEqual(['1', '2', '3', '4']);
    expect(applied.current).toEqual(['4']);
    expect(applied.migrations.every((m) => m.appliedAt)).toBe(true);
    expect(await users()).toEqual([{ name: 'Admin; first user' }, { name: 'Operator' }]);

    const planDown = await planMigrations(adapter, project, 'down', { kind: 'steps', n: 1 }, ctx);
    expect(planDown.steps.map((s) => [s.migration.id, s.sqlSource, s.transactional])).toEqual([['4', 'migration-file', true]]);
    expect(planDown.steps[0]!.statements).toEqual([{ sql: "DELETE FROM users WHERE email IN ('admin@example.com', 'ops@example.com')", kind: 'sql', file: 'sql/U4__seed_admin_user.sql', line: 1 }]);
    expect(planDown.source.native).toContain('dryRunOutput is a paid feature');

    const down1 = await runMigrations(adapter, project, 'down', { kind: 'steps', n: 1 }, ctx);
    expect(down1.ok).toBe(true);
    expect(down1.changes).toEqual([{ id: '4', name: 'seed admin user', direction: 'down' }]);
    expect(down1.mode).toMatchObject({ kind: 'emulated', how: expect.stringContaining('U<version>__*.sql') });
    expect(down1.source.command).toEqual(['metamig', 'flyway-undo', 'sql/U4__seed_admin_user.sql']);
    expect(await users()).toEqual([]);
    const history = await rows(project, url, 'SELECT version, type, script, success FROM flyway_schema_history ORDER BY installed_rank', 'basic.db');
    expect(history.slice(4).map((r) => [r.version, r.type, r.script, Boolean(r.success)])).toEqual([['4', 'DELETE', 'V4__seed_admin_user.sql', true]]);

    // Flyway itself (plain `flyway info`) agrees: version 4 is pending again, its old row Deleted.
    const native = await ctx.runner.run(ctx.toolchains.require(ctx.toolchains.flyway()), flywayArgs({ root: project.absRoot, configFile: join(project.absRoot, 'flyway.toml'), locations: [join(project.absRoot, 'sql')] }, ['info']), {
      cwd: project.absRoot,
      env: url ? { FLYWAY_URL: `jdbc:postgresql://${new URL(url).host}/${dbName(url)}`, FLYWAY_USER: 'postgres', FLYWAY_PASSWORD: PASSWORD } : {},
    });
    const info = parseFlywayOutput(native.stdout)!.info!;
    expect(info.migrations.map((m) => `${m.version}:${m.state}`)).toEqual(['1:Success', '2:Success', '3:Success', '4:Deleted', '4:Pending']);
    expect(info.schemaVersion).toBe('3');

    const afterDown1 = await adapter.status(project, ctx);
    expect(ids(afterDown1, 'pending')).toEqual(['4']);
    expect(afterDown1.current).toEqual(['3']);

    const down2 = await runMigrations(adapter, project, 'down', { kind: 'steps', n: 2 }, ctx);
    expect(down2.changes.map((c) => c.id)).toEqual(['3', '2']);
    expect(down2.source.command).toEqual(['metamig', 'flyway-undo', 'sql/U3__add_users_email_index.sql', 'sql/U2__add_users_email.sql']);

    const upTo = await runMigrations(adapter, project, 'up', { kind: 'to', id: '3' }, ctx);
    expect(upTo.ok).toBe(true);
    expect(upTo.changes.map((c) => c.id)).toEqual(['2', '3']);
    expect(upTo.source.native).toMatch(/-target=3 migrate$/);
    const final = await adapter.status(project, ctx);
    expect(ids(final, 'applied')).toEqual(['1', '2', '3']);
    expect(ids(final, 'pending')).toEqual(['4']);

    // V1 has no U file: refused before anything runs, by core (reversible: false) and by the adapter itself.
    const refused = await runMigrations(adapter, project, 'down', { kind: 'steps', n: 3 }, ctx).catch((e: unknown) => e);
    expect(isMigratorError(refused) && refused.code).toBe('MIGRATION.IRREVERSIBLE');
    const direct = await adapter.down(project, { target: { kind: 'steps', n: 3 }, steps: final.migrations.slice(0, 3).reverse(), state: final }, ctx).catch((e: unknown) => e);
    expect(isMigratorError(direct) && [direct.code, direct.why]).toEqual(['MIGRATION.IRREVERSIBLE', expect.stringContaining('1 has no U1__*.sql undo file')]);
    expect((await rows(project, url, 'SELECT count(*) AS n FROM flyway_schema_history', 'basic.db'))[0]!.n).toEqual(engine === 'postgres' ? '9' : 9);

    const everything = JSON.stringify([fresh, upAll, applied, planDown, down1, afterDown1, down2, upTo, final]) + ctx.logger.lines.join('\n');
    expect(everything).not.toContain(PASSWORD);
  });
});

describe.concurrent('special cases', () => {
  it('doctor: finds Java and Flyway 12.4.0', async () => {
    const checks = await adapter.checkToolchain(flywayProject('basic'), makeContext());
    expect(checks).toEqual([
      { name: 'java', found: true, path: expect.any(String), version: expect.stringMatching(/^(1[7-9]|[2-9]\d)/) },
      { name: 'flyway', found: true, path: join(repoRoot, '.toolchains/flyway/flyway'), version: '12.4.0' },
    ]);
  });

  it('with-undo on PostgreSQL, in its own schema: placeholders in V and U files, every version undone and re-applied by Flyway', async () => {
    const ctx = makeContext();
    const url = await pg.database();
    const project = flywayProject('with-undo', url);
    // Flyway creates the schema, keeps its history there and runs migrations with it first on search_path.
    const toml = join(project.absRoot, 'flyway.toml');
    writeFileSync(toml, readFileSync(toml, 'utf8').replace('url = "jdbc:sqlite:with-undo.db"', 'url = "jdbc:sqlite:with-undo.db"\nschemas = ["accounts"]'));
    const plan = await planMigrations(adapter, project, 'up', { kind: 'latest' }, ctx);
    expect(plan.steps[0]!.statements[0]!.sql).toMatch(/^CREATE TABLE app_accounts \(/);
    expect(plan.steps[1]!.statements.map((s) => [s.line, s.sql])).toEqual([[2, "ALTER TABLE app_accounts ADD COLUMN note VARCHAR(200) DEFAULT 'kept in flyway_schema_history; see docs'"]]);
    expect((await runMigrations(adapter, project, 'up', { kind: 'latest' }, ctx)).changes).toHaveLength(3);
    const accounts = () => pg.server.query(dbName(url), "SELECT table_schema FROM information_schema.tables WHERE table_name = 'app_accounts'");
    expect(await accounts()).toEqual([{ table_schema: 'accounts' }]);

    const down = await runMigrations(adapter, project, 'down', { kind: 'steps', n: 3 }, ctx);
    expect(down.ok).toBe(true);
    expect(down.changes.map((c) => c.id)).toEqual(['3', '2', '1']);
    expect(down.after).toEqual({ current: [], applied: 0 });
    expect(await accounts()).toEqual([]);
    const marks = await pg.server.query<{ version: string; installed_by: string }>(dbName(url), "SELECT version, installed_by FROM accounts.flyway_schema_history WHERE type = 'DELETE' ORDER BY installed_rank");
    expect(marks).toEqual([{ version: '3', installed_by: 'postgres' }, { version: '2', installed_by: 'postgres' }, { version: '1', installed_by: 'postgres' }]);

    const again = await runMigrations(adapter, project, 'up', { kind: 'latest' }, ctx);
    expect(again.changes.map((c) => c.id)).toEqual(['1', '2', '3']);
    expect(await pg.server.query(dbName(url), 'SELECT owner FROM accounts.app_accounts ORDER BY id')).toEqual([{ owner: 'alice' }, { owner: 'bob' }]);
  });

  it('an edited applied migration is reported before anything runs, and Flyway refuses to migrate', async () => {
    const ctx = makeContext();
    const project = flywayProject('edited-applied');
    expect((await runMigrations(adapter, project, 'up', { kind: 'to', id: '2' }, ctx)).changes.map((c) => c.id)).toEqual(['1', '2']);
    appendFileSync(join(project.absRoot, 'sql/V1__create_orders.sql'), 'CREATE INDEX orders_placed_at ON orders (placed_at);\n');

    const edited = await adapter.status(project, ctx);
    expect(edited.migrations.map((m) => `${m.id}:${m.state}`)).toEqual(['1:edited', '2:applied', '3:pending']);
    expect(edited.history).toEqual({ kind: 'edited', migrations: ['1'] });
    expect(edited.migrations[0]!.detail).toContain('Migration checksum mismatch for migration version 1');

    const refused = await runMigrations(adapter, project, 'up', { kind: 'latest' }, ctx);
    expect(refused.ok).toBe(false);
    expect(refused.error).toMatchObject({ code: 'MIGRATION.DIVERGENT', summary: expect.stringContaining('an applied migration was edited'), fix: expect.stringContaining('flyway repair') });
    expect(refused.error?.toolOutput).toContain('Validate failed: Migrations have failed validation\nMigration checksum mismatch for migration version 1');
    expect(refused.changes).toEqual([]);
    expect(refused.after.applied).toBe(2);
  });

  it('out of order after a merge (legacy flyway.conf): both options explained, outOfOrder, undo in apply order, restamp', async () => {
    const ctx = makeContext();
    const project = flywayProject('out-of-order');
    expect(project.configFile).toBe('flyway.conf');
    expect((await runMigrations(adapter, project, 'up', { kind: 'latest' }, ctx)).changes.map((c) => c.id)).toEqual(['1', '2']);
    const migrations = join(project.absRoot, 'db/migration');
    for (const f of ['V1_1__add_projects_owner.sql', 'U1_1__add_projects_owner.sql']) cpSync(join(project.absRoot, 'branch', f), join(migrations, f)); // the merge

    const merged = await adapter.status(project, ctx);
    expect(merged.migrations.map((m) => `${m.id}:${m.state}`)).toEqual(['1:applied', '2:applied', '1.1:out-of-order']);
    expect(merged.history).toEqual({ kind: 'outOfOrder', migrations: ['1.1'] });
    expect(merged.warnings.join('\n')).toContain('1.1: lower than an applied version, so Flyway refuses every migrate until either outOfOrder is enabled');
    const heads = await adapter.heads!(project, merged, ctx);
    expect(heads.divergent).toBe(true);
    expect(heads.advice.join("\n")).toMatch(/options: \{ outOfOrder: true \}[\s\S]*metamig merge flyway --restamp/);
    const advice = await adapter.mergeHeads(project, { state: merged }, ctx);
    expect(advice.renamed).toEqual([]);
    expect(advice.message).toMatch(/apply them out of order[\s\S]*renumber them/);

    const refused = await runMigrations(adapter, project, 'up', { kind: 'latest' }, ctx);
    expect(refused.ok).toBe(false);
    expect(refused.error).toMatchObject({ code: 'MIGRATION.DIVERGENT', fix: expect.stringMatching(/outOfOrder: true[\s\S]*--restamp/) });
    expect(refused.error?.toolOutput).toContain('Detected resolved migration not applied to database: 1.1.\nTo ignore this migration, set -ignoreMigrationPatterns=');
    expect(refused.changes).toEqual([]);

    const opted = { ...project, options: { outOfOrder: true } };
    const asIs = await runMigrations(adapter, opted, 'up', { kind: 'to', id: '1.1' }, ctx);
    expect(asIs.changes.map((c) => c.id)).toEqual(['1.1']);
    expect(asIs.source.native).toMatch(/-outOfOrder=true migrate$/); // 1.1 is all that is pending: no -target needed
    expect(asIs.warnings).toContain('outOfOrder mode is active. Migration of schema "main" may not be reproducible.');

    // down --steps 1 undoes the last APPLIED (1.1, installed last), not the highest version (2).
    const undo = await runMigrations(adapter, opted, 'down', { kind: 'steps', n: 1 }, ctx);
    expect(undo.changes).toEqual([{ id: '1.1', name: 'add projects owner', direction: 'down' }]);

    const restamp = await adapter.mergeHeads(project, { restamp: true, state: await adapter.status(project, ctx) }, ctx);
    expect(restamp.renamed).toEqual([
      { from: 'db/migration/V1_1__add_projects_owner.sql', to: 'db/migration/V3__add_projects_owner.sql' },
      { from: 'db/migration/U1_1__add_projects_owner.sql', to: 'db/migration/U3__add_projects_owner.sql' },
    ]);
    expect(restamp.headsAfter).toEqual(['3']);
    expect(readdirSync(migrations).sort()).toEqual(['U3__add_projects_owner.sql', 'V1__create_projects.sql', 'V2__create_tasks.sql', 'V3__add_projects_owner.sql']);
    const restamped = await adapter.status(project, ctx);
    expect(restamped.history).toEqual({ kind: 'databaseBehind', pending: ['3'] });
    expect(restamped.migrations.find((m) => m.id === '3')?.reversible).toBe(true);
  });

  it('CREATE INDEX CONCURRENTLY on PostgreSQL: outside a transaction, with a session-level lock, both ways', async () => {
    const ctx = makeContext();
    const url = await pg.database();
    const project = flywayProject('concurrent-index', url);
    const fresh = await adapter.status(project, ctx);
    expect(fresh.migrations.map((m) => [m.id, m.transactional])).toEqual([['1', true], ['2', false]]);
    expect(fresh.warnings.join('\n')).toContain('a plain `flyway migrate` hangs');

    const up = await runMigrations(adapter, project, 'up', { kind: 'latest' }, ctx);
    expect(up.ok).toBe(true);
    expect(up.source.native).toMatch(/-postgresql\.transactional\.lock=false migrate$/);
    const valid = () => pg.server.query(dbName(url), "SELECT i.indisvalid AS valid FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid WHERE c.relname = 'events_kind_idx'");
    expect(await valid()).toEqual([{ valid: true }]);

    const down = await runMigrations(adapter, project, 'down', { kind: 'steps', n: 1 }, ctx); // DROP INDEX CONCURRENTLY: no transaction either
    expect(down.ok).toBe(true);
    expect(down.changes.map((c) => c.id)).toEqual(['2']);
    expect(await valid()).toEqual([]);
  });

  it.each(['postgres', 'sqlite'] as const)("a failing migration on %s: Flyway's own message and the real state after", async (engine) => {
    const ctx = makeContext();
    const url = engine === 'postgres' ? await pg.database() : undefined;
    const project = flywayProject('failed-migration', url);
    const report = await runMigrations(adapter, project, 'up', { kind: 'latest' }, ctx);
    expect(report.ok).toBe(false);
    expect(report.failedMigration).toBe('2');
    expect(report.error?.code).toBe('MIGRATION.FAILED');
    expect(report.error?.summary).toBe(
      `flyway: 2 failed (sql/V2__add_customers_email_unique.sql line 4): ${engine === 'postgres' ? 'ERROR: could not create unique index "customers_email_unique"' : '[SQLITE_CONSTRAINT_UNIQUE] A UNIQUE constraint failed (UNIQUE constraint failed: customers.email)'}`,
    );
    expect(report.error?.toolOutput).toMatch(/^Failed to execute script V2__add_customers_email_unique.sql/);
    expect(report.error?.toolOutput).toMatch(engine === 'postgres' ? /could not create unique index "customers_email_unique"/ : /UNIQUE constraint failed: customers\.email/);
    expect(report.changes.map((c) => c.id)).toEqual(['1']); // V1 committed before V2 ran
    // V2 runs outside a transaction (its .conf): its first statements stay. PostgreSQL records nothing
    // (Flyway shows it Pending); SQLite gets a Failed row.
    expect(report.error?.why).toContain(engine === 'postgres' ? 'On PostgreSQL Flyway records no failed row' : 'Flyway recorded it as Failed');
    expect(report.recovery).toContain(`2 failed and is recorded as "${engine === 'postgres' ? 'pending' : 'failed'}"`);
    const emails = await rows(project, url, 'SELECT email FROM customers ORDER BY id', 'failed-migration.db');
    expect(emails).toEqual([{ email: 'same@example.com' }, { email: 'same@example.com' }]);
    const recorded = await rows(project, url, "SELECT success FROM flyway_schema_history WHERE version = '2'", 'failed-migration.db');
    expect(recorded.map((r) => Boolean(r.success))).toEqual(engine === 'postgres' ? [] : [false]);
    expect(existsSync(join(project.absRoot, 'failed-migration.db'))).toBe(engine === 'sqlite');
  });
});
