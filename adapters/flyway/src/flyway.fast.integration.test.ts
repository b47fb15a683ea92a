// `status --fast` (Flyway's resolution and state logic ported, flyway_schema_history read directly)
// against the real Flyway 12.4.0 `info validate`, on a throwaway PostgreSQL and on SQLite, for every
// fixture at every point of its life: fresh, partly applied, applied, after the emulated undo,
// re-applied, edited, missing file, failed, out of order (ignored, pending, applied), repeatables
// added/changed/superseded, a baseline row, custom prefixes/separators/suffixes over two locations,
// a BOM and CRLF line ends. The states are reached with the adapter itself (Flyway migrate, emulated
// undo) or Flyway's own commands. Every check is expectFastMatchesFull.
import { appendFileSync, cpSync, mkdirSync, readFileSync, renameSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { type AdapterContext, type Direction, type MigrationState, type Project, type Target, Toolchains, selectSteps } from '@metamig/core';
import { copyFixture, expectFastMatchesFull, makeContext, projectIn, removeCopy, repoRoot, usePostgres } from '@metamig/testkit';
import { flywayArgs } from './argv.js';
import { adapter } from './index.js';

for (const k of Object.keys(process.env)) if (k.startsWith('FLYWAY_')) delete process.env[k]; // the tests choose the database
// A zone with a non-whole-hour offset for this process and every Flyway JVM it starts: the timestamps
// (PostgreSQL's timestamp, SQLite's UTC text read as local time by sqlite-jdbc) must still match.
process.env.TZ = 'Asia/Kolkata';

const pg = usePostgres();
const copies: string[] = [];
afterAll(() => copies.forEach(removeCopy));

beforeAll(() => {
  const tc = new Toolchains(repoRoot);
  expect(tc.find(tc.flyway()), 'Flyway 12.4.0 is not installed: run `npm run setup` (scripts/setup) to install it into .toolchains/flyway').toBeTruthy();
  expect(tc.find(tc.java()), 'Flyway needs Java 17+: apt-get install openjdk-17-jre-headless').toBeTruthy();
});

type Engine = 'postgres' | 'sqlite';
const ENGINES: Engine[] = ['postgres', 'sqlite'];

/** A copy of fixtures/flyway/<name>: on a fresh PostgreSQL database, or on its own SQLite file. */
async function project(name: string, engine: Engine, options: Record<string, unknown> = {}): Promise<Project> {
  const dir = copyFixture(`flyway/${name}`);
  copies.push(dir);
  const url = engine === 'postgres' ? await pg.database() : `sqlite:///${join(dir, `${name}.db`)}`;
  return { ...projectIn(adapter, dir, url), options };
}

/** Move the database with the adapter (Flyway migrate, the emulated undo), from a status just read. */
async function move(p: Project, ctx: AdapterContext, state: MigrationState, direction: Direction, target: Target) {
  const steps = selectSteps(state, direction, target);
  const req = { target, steps, state };
  return direction === 'up' ? adapter.up(p, req, ctx) : adapter.down(p, req, ctx);
}

/** Fast equals full here; returns the full state for the next move. */
async function same(p: Project, ctx: AdapterContext): Promise<MigrationState> {
  return (await expectFastMatchesFull(adapter, p, ctx)).full;
}

const states = (s: MigrationState) => s.migrations.map((m) => `${m.id}:${m.state}`);

describe.concurrent.each(ENGINES)('fast status = flyway info validate on %s', (engine) => {
  test('basic: fresh, partly applied, applied, undone, re-applied, edited, a file gone', async () => {
    const ctx = makeContext();
    const p = await project('basic', engine);
    let s = await same(p, ctx);
    expect(states(s)).toEqual(['1:pending', '2:pending', '3:pending', '4:pending']);
    expect((await move(p, ctx, s, 'up', { kind: 'steps', n: 2 })).ok).toBe(true);
    s = await same(p, ctx);
    expect((await move(p, ctx, s, 'up', { kind: 'latest' })).ok).toBe(true);
    s = await same(p, ctx);
    expect(s.current).toEqual(['4']);
    expect((await move(p, ctx, s, 'down', { kind: 'steps', n: 1 })).ok).toBe(true); // a DELETE row
    const undone = await expectFastMatchesFull(adapter, p, ctx);
    expect(states(undone.fast)).toEqual(['1:applied', '2:applied', '3:applied', '4:pending']);
    expect(undone.fast.source).toMatchObject({ via: 'history-table', command: [], native: expect.stringContaining('flyway_schema_history" ORDER BY installed_rank') });
    // In Asia/Kolkata, sqlite-jdbc reads SQLite's UTC text as local time: Flyway shows it 5.5 h early, and so must the fast path.
    const age = Date.now() - Date.parse(undone.fast.migrations[0]!.appliedAt!);
    expect(engine === 'sqlite' ? age > 5 * 3_600_000 : age < 3_600_000).toBe(true);
    expect(undone.fast.migrations.map((m) => [m.reversible, m.transactional])).toEqual(undone.full.migrations.map((m) => [m.reversible, m.transactional]));
    expect((await move(p, ctx, undone.full, 'up', { kind: 'latest' })).ok).toBe(true); // 4: Deleted, then Success again
    await same(p, ctx);
    appendFileSync(join(p.absRoot, 'sql/V1__create_users.sql'), 'CREATE INDEX users_name ON users (name);\n');
    expect((await same(p, ctx)).history).toEqual({ kind: 'edited', migrations: ['1'] });
    renameSync(join(p.absRoot, 'sql/V2__add_users_email.sql'), join(p.absRoot, 'V2__add_users_email.sql.bak'));
    expect((await same(p, ctx)).history).toMatchObject({ kind: 'diverged', unknownToCode: ['2'] });
  });

  test('with-undo: placeholders, a repeatable added, changed and superseded, versions undone under it', async () => {
    const ctx = makeContext();
    const p = await project('with-undo', engine);
    if (engine === 'postgres') {
      const toml = join(p.absRoot, 'flyway.toml'); // Flyway keeps its history in its own schema
      writeFileSync(toml, readFileSync(toml, 'utf8').replace('url = "jdbc:sqlite:with-undo.db"', 'url = "jdbc:sqlite:with-undo.db"\nschemas = ["accounts"]'));
    }
    const view = join(p.absRoot, 'db/migration/R__accounts_view.sql');
    writeFileSync(view, '-- ${flyway:filename} in ${flyway:table}\nCREATE VIEW ${table_prefix}accounts_v AS SELECT id, owner FROM ${table_prefix}accounts;\n');
    let s = await same(p, ctx);
    expect(states(s)).toEqual(['1:pending', '2:pending', '3:pending', 'R__accounts_view:pending']);
    expect((await move(p, ctx, s, 'up', { kind: 'latest' })).ok).toBe(true);
    s = await same(p, ctx);
    writeFileSync(view, 'DROP VIEW IF EXISTS ${table_prefix}accounts_v;\nCREATE VIEW ${table_prefix}accounts_v AS SELECT id, owner, note FROM ${table_prefix}accounts;\n');
    s = await same(p, ctx); // Outdated: pending again
    expect(s.migrations.find((m) => m.id === 'R__accounts_view')?.state).toBe('pending');
    expect((await move(p, ctx, s, 'up', { kind: 'latest' })).ok).toBe(true);
    s = await same(p, ctx); // the first run Superseded
    // Undo version 3 with the repeatable applied after it (core would stop at the repeatable).
    const three = s.migrations.find((m) => m.id === '3')!;
    expect((await adapter.down(p, { target: { kind: 'steps', n: 1 }, steps: [three], state: s }, ctx)).ok).toBe(true);
    expect(states(await same(p, ctx))).toEqual(['1:applied', '2:applied', 'R__accounts_view:applied', '3:pending']);
  });

  test('failed-migration: a failure outside a transaction (Failed row on SQLite, nothing on PostgreSQL)', async () => {
    const ctx = makeContext();
    const p = await project('failed-migration', engine);
    const fresh = await adapter.status(p, ctx);
    expect((await move(p, ctx, fresh, 'up', { kind: 'latest' })).ok).toBe(false);
    const s = await same(p, ctx);
    expect(states(s)).toEqual(engine === 'sqlite' ? ['1:applied', '2:failed', '3:pending'] : ['1:applied', '2:pending', '3:pending']);
  });

  test('out-of-order (legacy flyway.conf): ignored, pending with outOfOrder, applied out of order, undone', async () => {
    const ctx = makeContext();
    const p = await project('out-of-order', engine);
    expect((await move(p, ctx, await adapter.status(p, ctx), 'up', { kind: 'latest' })).ok).toBe(true);
    for (const f of ['V1_1__add_projects_owner.sql', 'U1_1__add_projects_owner.sql']) cpSync(join(p.absRoot, 'branch', f), join(p.absRoot, 'db/migration', f));
    expect((await same(p, ctx)).history?.kind).toBe('outOfOrder'); // Ignored
    const opted = { ...p, options: { outOfOrder: true } };
    const s = await same(opted, ctx); // Pending, lower than applied
    expect((await move(opted, ctx, s, 'up', { kind: 'latest' })).ok).toBe(true);
    const applied = await same(opted, ctx); // "Out of Order"
    expect(states(applied)).toEqual(['1:applied', '2:applied', '1.1:applied']);
    expect((await move(opted, ctx, applied, 'down', { kind: 'steps', n: 1 })).ok).toBe(true);
    await same(opted, ctx);
  });

  test('edited-applied: an applied file edited after it ran', async () => {
    const ctx = makeContext();
    const p = await project('edited-applied', engine);
    expect((await move(p, ctx, await adapter.status(p, ctx), 'up', { kind: 'to', id: '2' })).ok).toBe(true);
    appendFileSync(join(p.absRoot, 'sql/V1__create_orders.sql'), '-- reviewed\n');
    expect(states(await same(p, ctx))).toEqual(['1:edited', '2:applied', '3:pending']);
  });
});

describe.concurrent('fast status = flyway info validate, PostgreSQL-only fixtures and Flyway-only states', () => {
  test('concurrent-index: fresh, applied (outside a transaction), undone', async () => {
    const ctx = makeContext();
    const p = await project('concurrent-index', 'postgres');
    let s = await same(p, ctx);
    expect((await move(p, ctx, s, 'up', { kind: 'latest' })).ok).toBe(true);
    s = await same(p, ctx);
    expect((await move(p, ctx, s, 'down', { kind: 'steps', n: 1 })).ok).toBe(true);
    expect(states(await same(p, ctx))).toEqual(['1:applied', '2:pending']);
  });

  test('rollback-gaps: fresh, partly applied, applied', async () => {
    const ctx = makeContext();
    const p = await project('rollback-gaps', 'postgres');
    let s = await same(p, ctx);
    expect((await move(p, ctx, s, 'up', { kind: 'steps', n: 2 })).ok).toBe(true);
    s = await same(p, ctx);
    expect((await move(p, ctx, s, 'up', { kind: 'latest' })).ok).toBe(true);
    expect((await same(p, ctx)).summary).toMatchObject({ applied: 4, pending: 0 });
  });

  test("a baseline row written by Flyway's own `baseline`, then a new version migrated above it", async () => {
    const ctx = makeContext();
    const p = await project('basic', 'sqlite');
    const flyway = ctx.toolchains.require(ctx.toolchains.flyway());
    const args = flywayArgs({ root: p.absRoot, configFile: join(p.absRoot, 'flyway.toml'), locations: [join(p.absRoot, 'sql')] }, ['baseline'], ['-baselineVersion=3']);
    const run = await ctx.runner.run(flyway, args, { cwd: p.absRoot, env: { FLYWAY_URL: `jdbc:sqlite:${join(p.absRoot, 'basic.db')}` } });
    expect(run.exitCode, run.stdout + run.stderr).toBe(0);
    let s = await same(p, ctx);
    expect(states(s)).toEqual(['3:applied', '4:pending']); // 1 and 2 are below the baseline, 3 is the baseline marker
    writeFileSync(join(p.absRoot, 'sql/V4__seed_admin_user.sql'), 'CREATE TABLE audit (id INTEGER PRIMARY KEY);\n');
    expect((await move(p, ctx, s, 'up', { kind: 'latest' })).ok).toBe(true);
    s = await same(p, ctx);
    expect(s.current).toEqual(['4']);
  });

  test("Flyway's own `repair` after files were removed and one edited: a DELETE row for a repeatable, a new checksum", async () => {
    const ctx = makeContext();
    const p = await project('basic', 'sqlite');
    writeFileSync(join(p.absRoot, 'sql/R__users_view.sql'), 'CREATE VIEW users_v AS SELECT id FROM users;\n');
    expect((await move(p, ctx, await adapter.status(p, ctx), 'up', { kind: 'latest' })).ok).toBe(true);
    for (const f of ['V4__seed_admin_user.sql', 'R__users_view.sql']) renameSync(join(p.absRoot, 'sql', f), join(p.absRoot, `${f}.bak`));
    appendFileSync(join(p.absRoot, 'sql/V1__create_users.sql'), '-- reviewed\n');
    const flyway = ctx.toolchains.require(ctx.toolchains.flyway());
    const args = flywayArgs({ root: p.absRoot, configFile: join(p.absRoot, 'flyway.toml'), locations: [join(p.absRoot, 'sql')] }, ['repair']);
    const run = await ctx.runner.run(flyway, args, { cwd: p.absRoot, env: { FLYWAY_URL: `jdbc:sqlite:${join(p.absRoot, 'basic.db')}` } });
    expect(run.exitCode, run.stdout + run.stderr).toBe(0);
    const s = await same(p, ctx);
    // V1's new checksum is recorded; 4 is above every file left (Future), which repair leaves alone. The
    // removed repeatable gets a DELETE marker row ("Success" in Flyway's info): a removal, not a
    // migration, so neither path lists it, nor the repeatable it removed.
    expect(states(s)).toEqual(['1:applied', '2:applied', '3:applied', '4:missing-file']);
  });

  test('custom prefix, separator and suffixes over two locations; hidden and symlinked folders; BOM and CRLF; a .conf; a callback', async () => {
    const ctx = makeContext();
    const p = await project('basic', 'sqlite');
    const root = p.absRoot;
    mkdirSync(join(root, 'more/nested'), { recursive: true });
    mkdirSync(join(root, 'sql/.hidden'));
    writeFileSync(
      join(root, 'flyway.toml'),
      '[environments.default]\nurl = "jdbc:sqlite:basic.db"\n\n[flyway]\nlocations = ["filesystem:sql", "filesystem:more"]\nsqlMigrationPrefix = "M"\nsqlMigrationSeparator = "--"\nsqlMigrationSuffixes = [".pgsql", ".sql"]\n',
    );
    const renames: [string, string][] = [['V1__create_users.sql', 'M1--create_users.sql'], ['V2__add_users_email.sql', 'M2--add_users_email.SQL'], ['V3__add_users_email_index.sql', '../more/nested/M3--add_users_email_index.pgsql'], ['V4__seed_admin_user.sql', 'M4.sql']];
    for (const [from, to] of renames) {
      renameSync(join(root, 'sql', from), join(root, 'sql', to));
    }
    writeFileSync(join(root, 'more/M5--crlf_bom.sql'), '\ufeffCREATE TABLE crlf (id INTEGER);\r\n-- done\r\n');
    writeFileSync(join(root, 'sql/.hidden/M6--hidden.sql'), 'CREATE TABLE hidden (id INTEGER);\n');
    writeFileSync(join(root, 'sql/R--users_view.sql'), 'CREATE VIEW users_v AS SELECT id FROM users;\n');
    // Placeholders off for this one file (its .conf): ${literal} stays as written, in the checksum too.
    writeFileSync(join(root, 'sql/R--literal.sql'), "CREATE VIEW literal_v AS SELECT '${literal}' AS x;\n");
    writeFileSync(join(root, 'sql/R--literal.sql.conf'), 'placeholderReplacement=false\n');
    writeFileSync(join(root, 'sql/afterMigrate.sql'), 'SELECT 1;\n'); // a callback, not a migration
    mkdirSync(join(root, 'shared'));
    writeFileSync(join(root, 'shared/M7--linked.sql'), 'CREATE TABLE linked (id INTEGER);\n');
    symlinkSync(join(root, 'shared'), join(root, 'more/linked')); // Flyway follows it
    let s = await same(p, ctx);
    expect(states(s)).toEqual(['1:pending', '2:pending', '3:pending', '4:pending', '5:pending', '7:pending', 'R__literal:pending', 'R__users_view:pending']);
    expect((await move(p, ctx, s, 'up', { kind: 'latest' })).ok).toBe(true);
    s = await same(p, ctx);
    expect(s.summary).toMatchObject({ applied: 8, problems: 0 }); // the BOM/CRLF file is not "edited": same checksum
  });
});
