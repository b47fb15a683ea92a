// The fast status path's pure parts: Flyway's names, checksums and placeholder reader, its state
// logic checked against `info validate` documents recorded from Flyway 12.4.0, the rows and
// timestamps as the JDBC drivers read them, and every refusal.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { type AdapterContext, type Project, Toolchains, isMigratorError } from '@metamig/core';
import { fixturesDir, recorded, repoRoot } from '@metamig/testkit';
import { readFlywaySettings } from './config.js';
import { readProject } from './context.js';
import { PORTED_VERSION, appliedRows, configProblem, environmentProblem, installedFlywayVersion, instantText, localTimestamp, readerTarget, statusFast } from './fast.js';
import { type AppliedRow, simulateInfo } from './info.js';
import { entriesFromInfo, parseFlywayOutput } from './parse.js';
import { type ResolvedMigration, crc32, flywayChecksum, parseResourceName, replacePlaceholders, resolveMigrations, resourcePrefixes, versionValidity } from './resolve.js';

for (const k of Object.keys(process.env)) if (k.startsWith('FLYWAY_')) delete process.env[k];

const rules = { sqlMigrationPrefix: 'V', repeatableSqlMigrationPrefix: 'R', sqlMigrationSeparator: '__', sqlMigrationSuffixes: ['.sql'] };
const prefixes = resourcePrefixes(rules);
const parse = (name: string, r = rules) => parseResourceName(name, resourcePrefixes(r), r.sqlMigrationSeparator, r.sqlMigrationSuffixes);

const temps: string[] = [];
afterAll(() => temps.forEach((d) => rmSync(d, { recursive: true, force: true })));
const tempDir = () => {
  const d = mkdtempSync(join(tmpdir(), 'metamig-flyway-fast-'));
  temps.push(d);
  return d;
};

describe('ResourceNameParser', () => {
  it('reads names as Flyway does: longest prefix, first separator, case-insensitive suffix, callbacks and B apart', () => {
    expect(parse('V1_1__add_user_email.sql')).toMatchObject({ valid: true, kind: 'versioned', version: '1_1', description: 'add user email' });
    expect(parse('V2__x.SQL')).toMatchObject({ valid: true, version: '2', suffix: '.SQL' });
    expect(parse('V3.sql')).toMatchObject({ valid: true, version: '3', description: '' }); // no separator: version only
    expect(parse('R__users_view.sql')).toMatchObject({ valid: true, kind: 'repeatable', version: '', description: 'users view' });
    expect(parse('R1__x.sql')).toEqual({ valid: false });
    expect(parse('Vx__y.sql')).toEqual({ valid: false });
    expect(parse('U1__undo.sql')).toEqual({ valid: false }); // Community has no U resource type
    expect(parse('beforeMigrate.sql')).toMatchObject({ valid: true, kind: 'callback' });
    expect(parse('B2__baseline.sql')).toMatchObject({ valid: true, kind: 'baseline' });
    expect(parse('V-1__x.sql')).toMatchObject({ valid: false, exotic: expect.stringContaining('"-1"') });
    expect(parse('VR__x.sql', { ...rules, repeatableSqlMigrationPrefix: 'VR' })).toMatchObject({ valid: true, kind: 'repeatable', prefix: 'VR' });
    expect(prefixes[0]![1]).toBe('callback'); // the longest first
  });

  it('accepts versions as MigrationVersion.fromVersion does', () => {
    expect(['1', '1.2.3', '1_2', '007', '20240101120000'].map(versionValidity)).toEqual(['ok', 'ok', 'ok', 'ok', 'ok']);
    expect(['', '1.', '.1', '1..2', 'a', '1.a'].map(versionValidity)).toEqual(['invalid', 'invalid', 'invalid', 'invalid', 'invalid', 'invalid']);
    expect(['latest', '+1', '١'].map(versionValidity)).toEqual(['exotic', 'exotic', 'exotic']);
  });
});

describe("Flyway's checksum", () => {
  it('is java.util.zip.CRC32, as a signed int', () => {
    expect(crc32(new TextEncoder().encode('123456789'))).toBe(0xcbf43926 | 0);
    expect(crc32(new Uint8Array())).toBe(0);
  });

  it('ignores line terminators and a BOM, as recorded from Flyway 12.4.0', () => {
    const v1 = readFileSync(join(fixturesDir, 'flyway/edited-applied/sql/V1__create_orders.sql'), 'utf8');
    // edited-applied/recorded/info-validate-edited-sqlite: "Applied to database : 1269407503", "Resolved locally : -694901995"
    expect(flywayChecksum(v1)).toBe(1269407503);
    expect(flywayChecksum(`${v1}CREATE INDEX orders_placed_at ON orders (placed_at);\n`)).toBe(-694901995);
    expect(flywayChecksum(v1.replace(/\n/g, '\r\n'))).toBe(1269407503);
    expect(flywayChecksum(`\ufeff${v1.replace(/\n/g, '\r')}`)).toBe(1269407503);
    expect(flywayChecksum(v1.trimEnd())).toBe(1269407503); // no final line end: the same lines
    // Flyway 12.4.0 migrate on SQLite (with-undo plus these two files), SELECT checksum FROM flyway_schema_history:
    const withUndo = (f: string) => readFileSync(join(fixturesDir, 'flyway/with-undo/db/migration', f), 'utf8');
    expect([withUndo('V1__create_accounts.sql'), withUndo('V2__add_accounts_note.sql'), withUndo('V3__seed_accounts.sql')].map(flywayChecksum)).toEqual([1220341976, 1800682901, 623619041]);
    expect(flywayChecksum('\ufeffCREATE TABLE crlf (id INTEGER);\r\n-- done\r\n')).toBe(183171514);
    const view = '-- ${flyway:filename} in ${flyway:table}\nCREATE VIEW ${table_prefix}accounts_v AS SELECT id, owner FROM ${table_prefix}accounts;\n';
    const values: Record<string, string> = { 'flyway:filename': 'R__accounts_view.sql', 'flyway:table': 'flyway_schema_history', table_prefix: 'app_' };
    const replaced = replacePlaceholders(view, '${', '}', (n) => values[n]);
    expect('text' in replaced && flywayChecksum(replaced.text)).toBe(1069268571); // the repeatable: checksum after replacement
  });
});

describe('PlaceholderReplacingReader', () => {
  const lookup = (n: string) => ({ a: 'X', empty: '', now: { dynamic: 'the current time' } })[n];
  it('replaces case-insensitively, character by character like Flyway', () => {
    expect(replacePlaceholders('${A}-${a}-${empty}.', '${', '}', lookup)).toEqual({ text: 'X-X-.' });
    expect(replacePlaceholders('$${a}', '${', '}', lookup)).toEqual({ text: '$${a}' }); // a failed partial prefix is not rescanned
    expect(replacePlaceholders('$x${a}', '${', '}', lookup)).toEqual({ text: '$xX' });
    expect(replacePlaceholders('[[a]]', '[[', ']]', lookup)).toEqual({ text: 'X' });
  });
  it('says why when Flyway would fail or the value is only known when it runs', () => {
    expect(replacePlaceholders('${b}', '${', '}', lookup)).toEqual({ problem: expect.stringContaining('no value for the placeholder ${b}') });
    expect(replacePlaceholders('${now}', '${', '}', lookup)).toEqual({ problem: expect.stringContaining('the current time') });
    expect(replacePlaceholders('x ${', '${', '}', lookup)).toEqual({ problem: expect.stringContaining('unterminated') });
  });
});

// ---- the state logic against recorded `info validate` documents ----------------------------------

const resolvedV = (version: string, description: string, checksum: number, physicalLocation = ''): ResolvedMigration => ({ kind: 'versioned', version, description, script: `V${version}.sql`, physicalLocation, checksum });
const resolvedR = (description: string, checksum: number, physicalLocation = ''): ResolvedMigration => ({ kind: 'repeatable', description, script: 'R.sql', physicalLocation, checksum, equivalentChecksum: checksum + 1 });
const row = (installedRank: number, version: string | null, description: string, checksum: number | null, over: Partial<AppliedRow> = {}): AppliedRow => ({
  installedRank, version, description, type: 'SQL', script: 's.sql', checksum, installedOn: `2026-01-01T00:00:0${installedRank}Z`, success: true, ...over,
});
const recordedDocs = (rel: string, name: string) => parseFlywayOutput(recorded(`flyway/${rel}`, name))!;
const rowsOf = (docs: { info?: { migrations: { version: string; state: string; category: string }[]; schemaVersion: string | null } }) =>
  docs.info!.migrations.map((m) => `${m.version || 'R'}:${m.state}`);
/** Flyway's file paths, by version (or R for the repeatable), from the recording. */
const pathsOf = (rel: string, name: string) => new Map(recordedDocs(rel, name).info!.migrations.map((m) => [m.version || 'R', m.filepath]));

describe('simulateInfo: what `flyway info validate` printed, from the history rows and the files', () => {
  it('after the emulated undo of 4 then 3 (DELETE rows): Deleted rows, both pending again', () => {
    const p = pathsOf('basic', 'info-validate-after-undo-postgres.stdout');
    const files = [resolvedV('1', 'create users', 1, p.get('1')), resolvedV('2', 'add users email', 2, p.get('2')), resolvedV('3', 'add users email index', 3, p.get('3')), resolvedV('4', 'seed admin user', 4, p.get('4'))];
    const rows = [row(1, '1', 'create users', 1), row(2, '2', 'add users email', 2), row(3, '3', 'add users email index', 3), row(4, '4', 'seed admin user', 4), row(5, '4', 'seed admin user', 4, { type: 'DELETE' }), row(6, '3', 'add users email index', 3, { type: 'DELETE' })];
    const docs = simulateInfo(files, rows, { outOfOrder: false });
    const want = recordedDocs('basic', 'info-validate-after-undo-postgres.stdout');
    if (typeof docs === 'string') throw new Error(docs);
    expect(rowsOf(docs)).toEqual(rowsOf(want));
    expect(docs.info.schemaVersion).toBe(want.info!.schemaVersion);
    expect(docs.validate.invalidMigrations).toEqual(want.validate!.invalidMigrations);
    expect(entriesFromInfo(docs.info, docs.validate).entries.map((e) => [e.id, e.state, e.filepath])).toEqual(entriesFromInfo(want.info!, want.validate).entries.map((e) => [e.id, e.state, e.filepath]));
  });

  it('an edited applied file: the same CHECKSUM_MISMATCH, word for word', () => {
    const p = pathsOf('edited-applied', 'info-validate-edited-sqlite.stdout');
    const files = [resolvedV('1', 'create orders', -694901995, p.get('1')), resolvedV('2', 'add orders status', 22, p.get('2')), resolvedV('3', 'add orders total', 33, p.get('3'))];
    const docs = simulateInfo(files, [row(1, '1', 'create orders', 1269407503), row(2, '2', 'add orders status', 22)], { outOfOrder: false });
    const want = recordedDocs('edited-applied', 'info-validate-edited-sqlite.stdout');
    if (typeof docs === 'string') throw new Error(docs);
    expect(rowsOf(docs)).toEqual(rowsOf(want));
    expect(docs.validate.invalidMigrations).toEqual(want.validate!.invalidMigrations);
  });

  it('out of order: Ignored without outOfOrder, Pending with it, "Out of Order" once applied', () => {
    const p = pathsOf('out-of-order', 'info-validate-ignored-sqlite.stdout');
    const files = [resolvedV('1', 'create projects', 1, p.get('1')), resolvedV('1.1', 'add projects owner', 11, p.get('1.1')), resolvedV('2', 'create tasks', 2, p.get('2'))];
    const two = [row(1, '1', 'create projects', 1), row(2, '2', 'create tasks', 2)];
    const ignored = simulateInfo(files, two, { outOfOrder: false });
    const want = recordedDocs('out-of-order', 'info-validate-ignored-sqlite.stdout');
    if (typeof ignored === 'string') throw new Error(ignored);
    expect(rowsOf(ignored)).toEqual(rowsOf(want));
    expect(ignored.validate.invalidMigrations).toEqual(want.validate!.invalidMigrations);
    const pending = simulateInfo(files, two, { outOfOrder: true });
    expect(typeof pending !== 'string' && rowsOf(pending)).toEqual(['1:Success', '2:Success', '1.1:Pending']);
    const late = simulateInfo(files, [...two, row(3, '1.1', 'add projects owner', 11)], { outOfOrder: true });
    expect(typeof late !== 'string' && rowsOf(late)).toEqual(rowsOf(recordedDocs('out-of-order', 'info-validate-applied-out-of-order-sqlite.stdout')));
  });

  it('a failed row (SQLite), a changed repeatable (Outdated + Pending), a superseded run', () => {
    const failed = simulateInfo([resolvedV('1', 'create customers', 1), resolvedV('2', 'add customers email unique', 2), resolvedV('3', 'create invoices', 3)], [row(1, '1', 'create customers', 1), row(2, '2', 'add customers email unique', 2, { success: false })], { outOfOrder: false });
    const wantFailed = recordedDocs('failed-migration', 'info-validate-after-failure-sqlite.stdout');
    expect(typeof failed !== 'string' && [rowsOf(failed), failed.info.schemaVersion]).toEqual([rowsOf(wantFailed), wantFailed.info!.schemaVersion]);
    const v = [resolvedV('1', 'create accounts', 1), resolvedV('2', 'add accounts note', 2), resolvedV('3', 'seed accounts', 3)];
    const applied = [row(1, '1', 'create accounts', 1), row(2, '2', 'add accounts note', 2), row(3, '3', 'seed accounts', 3)];
    const outdated = simulateInfo([...v, resolvedR('accounts view', 200)], [...applied, row(4, null, 'accounts view', 100)], { outOfOrder: false });
    const wantOutdated = recordedDocs('with-undo', 'info-validate-repeatable-outdated-sqlite.stdout');
    expect(typeof outdated !== 'string' && rowsOf(outdated)).toEqual(rowsOf(wantOutdated));
    expect(typeof outdated !== 'string' && outdated.validate.invalidMigrations.map((m) => m.errorDetails)).toEqual(wantOutdated.validate!.invalidMigrations.map((m) => m.errorDetails));
    const superseded = simulateInfo([...v, resolvedR('accounts view', 200)], [...applied, row(4, null, 'accounts view', 100), row(5, null, 'accounts view', 200)], { outOfOrder: false });
    expect(typeof superseded !== 'string' && rowsOf(superseded)).toEqual(rowsOf(recordedDocs('with-undo', 'info-repeatable-superseded-sqlite.stdout')));
  });

  it('baseline, missing and future rows, and a corrupted history Flyway refuses', () => {
    const files = [resolvedV('1', 'a', 1), resolvedV('2', 'b', 2), resolvedV('3', 'c', 3), resolvedV('4', 'd', 4)];
    const baseline = simulateInfo(files, [row(1, '2', '<< Flyway Baseline >>', null, { type: 'BASELINE' })], { outOfOrder: false });
    expect(typeof baseline !== 'string' && rowsOf(baseline)).toEqual(['1:Below Baseline', '2:Ignored (Baseline)', '2:Baseline', '3:Pending', '4:Pending']);
    const gone = simulateInfo(files.slice(0, 2), [row(1, '1', 'a', 1), row(2, '2', 'b', 2), row(3, '1.5', 'x', 9), row(4, '3', 'c', 3)], { outOfOrder: false });
    expect(typeof gone !== 'string' && rowsOf(gone)).toEqual(['1:Success', '2:Success', '1.5:Missing', '3:Future']); // missing wins over out of order
    const missing = simulateInfo(files.slice(1), [row(1, '1', 'a', 1)], { outOfOrder: false });
    expect(typeof missing !== 'string' && rowsOf(missing)).toEqual(['1:Missing', '2:Pending', '3:Pending', '4:Pending']);
    expect(simulateInfo(files, [row(1, '1', 'a', 1), row(2, '1', 'a', 1, { type: 'DELETE' }), row(3, '1', 'a', 1, { type: 'DELETE' })], { outOfOrder: false })).toMatch(/Corrupted schema history/);
  });
});

// ---- rows and timestamps -----------------------------------------------------------------------

describe('rows as the JDBC drivers read them', () => {
  it('prints timestamps as Instant.toString()', () => {
    expect(instantText(Date.UTC(2026, 10, 22, 1, 59, 25))).toBe('2026-11-22T01:59:25Z');
    expect(instantText(Date.UTC(2026, 10, 22, 1, 59, 25, 210))).toBe('2026-11-22T01:59:25.210Z');
    expect(instantText(Date.UTC(2026, 10, 22, 1, 59, 31, 249), 50_000)).toBe('2026-11-22T01:59:31.249050Z');
    expect(instantText(Date.UTC(2026, 10, 22, 1, 59, 31, 0), 7)).toBe('2026-11-22T01:59:31.000000007Z');
  });

  it("reads a timestamp without time zone in this process's zone, as the JVM does, and refuses near a DST change", () => {
    const tz = process.env.TZ;
    try {
      process.env.TZ = 'Asia/Kolkata';
      expect(localTimestamp('2026-11-22 07:29:31.249050', 6)).toBe('2026-11-22T01:59:31.249050Z');
      expect(localTimestamp('2026-11-22 01:59:25.210', 3)).toBe('2026-11-21T20:29:25.210Z');
      process.env.TZ = 'Europe/Paris';
      expect(localTimestamp('2026-10-25 02:30:00.000', 3)).toBeUndefined(); // twice that night
      expect(localTimestamp('2026-11-22 10:00:00.000', 3)).toBe('2026-11-22T09:00:00Z');
      expect(localTimestamp('2026-11-22 10:00:00', 3)).toBeUndefined();
    } finally {
      if (tz === undefined) delete process.env.TZ;
      else process.env.TZ = tz;
    }
  });

  it('keeps what Flyway keeps and refuses what it would fail on', () => {
    const base = { installed_rank: 1, version: '1_1', description: 'd', type: 'SQL', script: 'V1_1__d.sql', checksum: 5, installed_on: '2026-11-22 01:59:25.210', installed_on_type: 'text', success: 1 };
    expect(appliedRows([base], 'sqlite')).toEqual([{ installedRank: 1, version: '1.1', description: 'd', type: 'SQL', script: 'V1_1__d.sql', checksum: 5, installedOn: expect.stringMatching(/^2026-11-2\dT/), success: true }]);
    expect(appliedRows([{ ...base, type: 'UNDO_SQL' }], 'sqlite')).toMatch(/type UNDO_SQL/);
    expect(appliedRows([{ ...base, version: 'latest' }], 'sqlite')).toMatch(/version "latest"/);
    expect(appliedRows([{ ...base, checksum: 2 ** 31 }], 'sqlite')).toMatch(/checksum/);
    expect(appliedRows([{ ...base, installed_on_type: 'integer', installed_on: 1700000000 }], 'sqlite')).toMatch(/installed_on/);
    expect(appliedRows([{ ...base, success: true, installed_on_type: 'timestamp with time zone' }], 'postgres')).toMatch(/installed_on/);
  });
});

// ---- refusals ----------------------------------------------------------------------------------

/** A Flyway project folder with this flyway.toml and these files (relative paths → text or bytes). */
function projectWith(toml: string, files: Record<string, string | Buffer> = {}, over: Partial<Project> = {}): Project {
  const root = tempDir();
  writeFileSync(join(root, 'flyway.toml'), toml);
  mkdirSync(join(root, 'sql'));
  for (const [rel, text] of Object.entries(files)) {
    mkdirSync(join(root, rel, '..'), { recursive: true });
    writeFileSync(join(root, rel), text);
  }
  return { framework: 'flyway', root: '.', configFile: 'flyway.toml', id: 'flyway', absRoot: root, database: { engine: 'unknown', source: 'tool-config', description: 'test' }, env: {}, protected: false, options: {}, ...over };
}
const SQLITE = '[environments.default]\nurl = "jdbc:sqlite:app.db"\n[flyway]\nlocations = ["filesystem:sql"]\n';
const untouched = { tableExists: () => Promise.reject(new Error('no database access expected')), query: () => Promise.reject(new Error('no database access expected')) };
const ctx = { toolchains: new Toolchains(), history: untouched } as unknown as AdapterContext;
async function refusal(p: Project, c: AdapterContext = ctx): Promise<string> {
  const e = await statusFast(p, c).then(() => undefined, (x: unknown) => x);
  if (!isMigratorError(e) || e.code !== 'OPERATION.UNSUPPORTED') throw new Error(`expected OPERATION.UNSUPPORTED, got ${String(e)}`);
  return e.why ?? '';
}

describe('refusals (OPERATION.UNSUPPORTED, before any database access)', () => {
  it('when the database is only known to Flyway at run time', async () => {
    expect(await refusal(projectWith('[flyway]\nlocations = ["filesystem:sql"]\n'))).toMatch(/^no database URL: none in flyway.toml \(nor FLYWAY_URL\), and none given to metamig$/);
    expect(await refusal(projectWith('[environments.default]\nurl = "${vault.db-url}"\n[flyway]\nlocations = ["filesystem:sql"]\n'))).toBe("the Flyway config's url uses a resolver only Flyway evaluates (${vault.db-url})");
    expect(await refusal(projectWith('[environments.default]\nurl = "jdbc:postgresql://db/app?currentSchema=ops"\nuser = "app"\n[flyway]\nlocations = ["filesystem:sql"]\n'))).toMatch(/JDBC parameters .*\(currentSchema\)/);
    expect(await refusal(projectWith('[environments.default]\nurl = "jdbc:postgresql://db/app"\n[flyway]\nlocations = ["filesystem:sql"]\n'))).toMatch(/names no database user/);
    expect(await refusal(projectWith('[environments.default]\nurl = "jdbc:sqlite::memory:"\n[flyway]\nlocations = ["filesystem:sql"]\n'))).toMatch(/in-memory/);
    expect(await refusal(projectWith(SQLITE, {}, { databaseUrl: 'postgresql://u@h:5432/db?options=-csearch_path%3Dx' }))).toMatch(/parameters the JDBC driver reads differently \(options\)/);
    expect(await refusal(projectWith(SQLITE), { ...ctx, history: undefined } as AdapterContext)).toMatch(/no direct database reader/);
  });

  it('when the Flyway installed is not the one the port reproduces', async () => {
    const tc = new Toolchains(repoRoot);
    expect(installedFlywayVersion(tc.require(tc.flyway())), 'run npm run setup').toBe(PORTED_VERSION);
    const other = tempDir();
    mkdirSync(join(other, 'lib'));
    writeFileSync(join(other, 'lib/flyway-core-11.0.0.jar'), '');
    writeFileSync(join(other, 'flyway'), '#!/bin/sh\n');
    const find = () => join(other, 'flyway');
    const oldFlyway = { ...ctx, toolchains: { flyway: () => ({}), find } } as unknown as AdapterContext;
    expect(await refusal(projectWith(SQLITE), oldFlyway)).toBe(`${join(other, 'flyway')} is Flyway 11.0.0; the fast path reproduces Flyway ${PORTED_VERSION}`);
  });

  it('when a setting or the environment changes what `info validate` shows', async () => {
    expect(await refusal(projectWith(`${SQLITE}target = "2"\n`))).toBe('`target` is set (flyway.toml: 2): the fast path does not reproduce what it changes in `flyway info validate`');
    expect(await refusal(projectWith(`${SQLITE}ignoreMigrationPatterns = ["*:missing"]\n`))).toMatch(/ignoreMigrationPatterns/);
    expect(await refusal(projectWith('[environments.default]\nurl = "jdbc:sqlite:app.db"\njdbcProperties = { foo = "bar" }\n[flyway]\nlocations = ["filesystem:sql"]\n'))).toMatch(/`environments.default.jdbcProperties.foo` is set \(flyway.toml\)/);
    expect(await refusal(projectWith(`${SQLITE}encoding = "ISO-8859-1"\n`))).toMatch(/`encoding` is set \(flyway.toml: ISO-8859-1\)/);
    expect(await refusal(projectWith(`${SQLITE}table = "\${env.HISTORY_TABLE}"\n`))).toBe('`table` (flyway.toml) uses a resolver (${env.HISTORY_TABLE}) that only Flyway evaluates there');
    expect(await refusal(projectWith(SQLITE, {}, { env: { FLYWAY_CHERRY_PICK: '2' } }))).toMatch(/`cherryPick` is set \(FLYWAY_CHERRY_PICK\)/);
    expect(await refusal(projectWith(SQLITE, {}, { env: { FLYWAY_JDBC_PROPERTIES_currentSchema: 'x' } }))).toMatch(/jdbcProperties.currentSchema/);
    expect(await refusal(projectWith(SQLITE, {}, { env: { TZ: 'Asia/Tokyo' } }))).toMatch(/TZ=Asia\/Tokyo for Flyway only/);
    expect(environmentProblem({}, { JAVA_TOOL_OPTIONS: '-Duser.timezone=UTC' })).toMatch(/JAVA_TOOL_OPTIONS sets user.timezone/);
    // What does not matter passes: neutral settings, UTF-8, the default ignore pattern.
    const settings = readFlywaySettings({ cwd: '/p', env: {}, configFile: '/p/flyway.toml', read: (f) => (f === '/p/flyway.toml' ? `${SQLITE}mixed = true\nencoding = "UTF-8"\nignoreMigrationPatterns = "*:future"\n[flyway.placeholders]\nx = "1"\n` : undefined) });
    expect(configProblem(settings)).toBeUndefined();
  });

  it('when a file is not read exactly as Flyway reads it', async () => {
    const why = async (files: Record<string, string | Buffer>) => refusal(projectWith(SQLITE, files));
    expect(await why({ 'sql/V1__a.sql': 'x', 'sql/beforeInfo.sql': 'SET x = 1' })).toMatch(/beforeInfo callback: Flyway runs it during `info validate`/);
    expect(await why({ 'sql/V2__deploy.sh': 'echo' })).toMatch(/script migration/);
    expect(await why({ 'sql/B1__base.sql': 'x' })).toMatch(/baseline migration/);
    expect(await why({ 'sql/V1__a.sql': 'x', 'sql/sub/V1.0__b.sql': 'y' })).toMatch(/two migrations have version 1(\.0)? \(/);
    expect(await why({ 'sql/V1__a.sql': Buffer.from([0x43, 0xe9, 0x0a]) })).toMatch(/not valid UTF-8/);
    expect(await why({ 'sql/V1__a.sql': 'x', 'sql/V1__a.sql.conf': 'shouldExecute=true' })).toMatch(/shouldExecute, which Flyway Community refuses/);
    expect(await why({ 'sql/R__a.sql': 'SELECT ${flyway:timestamp}' })).toMatch(/placeholder \$\{flyway:timestamp\} is the current time/);
    expect(await why({ 'sql/R__a.sql': 'SELECT ${nope}' })).toMatch(/no value for the placeholder \$\{nope\}/);
  });
});

describe('resolveMigrations', () => {
  it("scans as Flyway's FileSystemScanner: recursive, hidden folders skipped, symlinks followed; repeatables checksummed after replacement", () => {
    const p = projectWith(`${SQLITE}[flyway.placeholders]\nprefix = "app_"\n`, {
      'sql/V1__a.sql': 'CREATE TABLE a (id int);\n',
      'sql/deep/V2__b.sql': 'CREATE TABLE b (id int);\n',
      'sql/.git/V3__hidden.sql': 'x',
      'shared/V4__linked.sql': 'CREATE TABLE d (id int);\n',
      'sql/R__v.sql': 'CREATE VIEW ${prefix}v AS SELECT 1;\n',
      'sql/V5__notes.txt': 'not a migration',
    });
    symlinkSync(join(p.absRoot, 'shared'), join(p.absRoot, 'sql/linked'));
    const fp = readProject(p, undefined);
    const resolved = resolveMigrations({ settings: fp.settings, locations: fp.locations.dirs, workingDirectory: p.absRoot });
    if (typeof resolved === 'string') throw new Error(resolved);
    expect(resolved.map((r) => [r.version ?? r.description, r.script])).toEqual([['1', 'V1__a.sql'], ['2', 'deep/V2__b.sql'], ['4', 'linked/V4__linked.sql'], ['v', 'R__v.sql']]);
    const r = resolved[3]!;
    expect([r.checksum, r.equivalentChecksum]).toEqual([flywayChecksum('CREATE VIEW app_v AS SELECT 1;\n'), flywayChecksum('CREATE VIEW ${prefix}v AS SELECT 1;\n')]);
    expect(readerTarget(fp, {})).toEqual({ engine: 'sqlite', url: `sqlite://${join(p.absRoot, 'app.db')}` });
  });
});
