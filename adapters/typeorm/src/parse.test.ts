// Parsers on outputs recorded from the real helper and the real typeorm 1.1.1 CLI
// (fixtures/typeorm/*/recorded/README.md says how each was made).
import { describe, expect, it } from 'vitest';
import { recorded } from '@metamig/testkit';
import {
  type HelperDoc,
  displayName,
  failedMigrationFrom,
  functionBody,
  isCatalogRead,
  migrationsFromStatus,
  parseHelperOutput,
  planSteps,
  reversibilityOf,
  setupError,
  statusWarnings,
  transactionalFor,
  typeormOutput,
} from './parse.js';

const doc = (fixture: string, name: string, op: string): HelperDoc =>
  parseHelperOutput({ stdout: recorded(`typeorm/${fixture}`, `${name}.stdout`), stderr: recorded(`typeorm/${fixture}`, `${name}.stderr`) }, op);
const lines = (text: string) => text.replace(/\n+$/, '').split('\n');

const BASIC = ['CreateUsers1705300000000', 'AddUsersEmail1705400000000', 'AddUsersEmailIndex1705500000000', 'SeedAdminUser1705600000000'];

describe('parseHelperOutput', () => {
  it('reads the last stdout line of every recorded helper run', () => {
    const d = doc('basic', 'helper-status-fresh-postgres', 'status');
    expect(d).toMatchObject({ ok: true, typeormVersion: '1.1.1', loader: { name: 'ts-node', version: '10.9.2' }, engine: 'postgres', overridden: true, transactionMode: 'all', tableExists: false });
    expect(d.registered?.map((r) => r.name)).toEqual(BASIC);
    expect(d.executed).toEqual([]);
  });

  it('refuses anything else, with the output attached', () => {
    expect(() => parseHelperOutput({ stdout: 'Segmentation fault\n', stderr: 'boom' }, 'status')).toThrow(/Could not understand the output of the TypeORM helper \(status: no JSON document\)/);
    const status = recorded('typeorm/basic', 'helper-status-fresh-postgres.stdout');
    expect(() => parseHelperOutput({ stdout: status, stderr: '' }, 'up')).toThrow(/an answer for "status"/);
    expect(() => parseHelperOutput({ stdout: status.replace('"protocol":1', '"protocol":2'), stderr: '' }, 'status')).toThrow(/protocol 2/);
    expect(() => parseHelperOutput({ stdout: '{"protocol":1,"op":"plan","ok":true,"log":[]}', stderr: '' }, 'plan')).toThrow(/a plan without steps/);
  });
});

describe('status', () => {
  it('lists pending migrations in TypeORM order, with files, names and what the code says', () => {
    const ms = migrationsFromStatus(doc('basic', 'helper-status-fresh-postgres', 'status'));
    expect(ms.map((m) => [m.id, m.name, m.state, m.file])).toEqual([
      [BASIC[0], 'create users', 'pending', 'src/migrations/1705300000000-CreateUsers.ts'],
      [BASIC[1], 'add users email', 'pending', 'src/migrations/1705400000000-AddUsersEmail.ts'],
      [BASIC[2], 'add users email index', 'pending', 'src/migrations/1705500000000-AddUsersEmailIndex.ts'],
      [BASIC[3], 'seed admin user', 'pending', 'src/migrations/1705600000000-SeedAdminUser.ts'],
    ]);
    expect(ms.map((m) => m.parents)).toEqual([[], [BASIC[0]], [BASIC[1]], [BASIC[2]]]);
    expect(ms.every((m) => m.reversible === true && m.transactional === true)).toBe(true);
    expect(ms.some((m) => m.appliedAt)).toBe(false); // the migrations table has no execution time
  });

  it('orders executed ones by id, and says when the SQLite file does not exist yet', () => {
    expect(migrationsFromStatus(doc('basic', 'helper-status-applied-postgres', 'status')).map((m) => `${m.id}:${m.state}`)).toEqual(BASIC.map((id) => `${id}:applied`));
    const fresh = doc('basic', 'helper-status-fresh-sqlite', 'status');
    expect(fresh).toMatchObject({ engine: 'sqlite', databaseExists: false, tableExists: false });
    expect(statusWarnings(fresh)).toEqual(['The SQLite database file does not exist yet; TypeORM creates it on the first run. Status did not create it.']);
  });

  it('marks an older unexecuted migration out of order, and one executed late as such', () => {
    const before = migrationsFromStatus(doc('out-of-order', 'helper-status-out-of-order', 'status'));
    expect(before.map((m) => `${m.id}:${m.state}`)).toEqual(['CreateProjects1709251200000:applied', 'CreateTasks1710028800000:applied', 'AddProjectsOwner1709596800000:out-of-order']);
    expect(before[2]!.detail).toContain('TypeORM runs it silently');
    const after = migrationsFromStatus(doc('out-of-order', 'helper-status-applied-out-of-order', 'status'));
    expect(after.map((m) => `${m.id}:${m.state}`)).toEqual(['CreateProjects1709251200000:applied', 'CreateTasks1710028800000:applied', 'AddProjectsOwner1709596800000:applied']);
    expect(after[2]!.detail).toBe('executed out of order: after CreateTasks1710028800000, which has a newer timestamp');
  });

  it('knows from the code which migrations cannot be reverted', () => {
    const ms = migrationsFromStatus(doc('irreversible', 'helper-status-sqlite', 'status'));
    expect(ms.map((m) => m.reversible)).toEqual([true, false, false]);
    expect(ms[1]!.irreversibleReason).toBe('its down() throws: "DropLegacyPayload cannot be reverted: the payloads were deleted"');
    expect(ms[2]!.irreversibleReason).toContain('its down() is empty');
    expect(ms[2]!.id).toBe('BackfillEventKinds1712200000000'); // no `name` property: the class name
  });

  it('follows migrationsTransactionMode "each" and sees a CONCURRENTLY revert TypeORM would run in a transaction', () => {
    const d = doc('transaction-each', 'helper-status-applied-postgres', 'status');
    expect(d.transactionMode).toBe('each');
    const ms = migrationsFromStatus(d);
    expect(ms.map((m) => m.transactional)).toEqual([true, false, true]);
    expect(ms.map((m) => m.reversible)).toEqual([true, false, true]);
    expect(ms[1]!.irreversibleReason).toContain('migration:revert runs it inside a transaction (it ignores `transaction = false`');
    // The same data source in "all" mode: TypeORM would refuse to run the pending one.
    const all: HelperDoc = { ...d, transactionMode: 'all', executed: d.executed!.slice(0, 1) };
    expect(statusWarnings(all)).toEqual([expect.stringContaining('AddOrdersStatusIndex1715100000000 sets `transaction`: TypeORM refuses to run (ForbiddenTransactionModeOverrideError)')]);
  });

  it('reports executed rows whose class is not registered', () => {
    const d = doc('basic', 'helper-status-applied-postgres', 'status');
    const gone: HelperDoc = { ...d, registered: d.registered!.slice(0, 3) };
    const ms = migrationsFromStatus(gone);
    expect(ms[3]).toMatchObject({ id: BASIC[3], state: 'missing-file', reversible: false, detail: 'recorded in migrations (id 4) but not among the data source\'s migrations' });
    expect(statusWarnings(gone)).toEqual([expect.stringContaining(`Executed but not registered in the data source: ${BASIC[3]}`)]);
  });
});

describe("TypeORM's own words", () => {
  it('prints the lines typeorm migration:run prints', () => {
    const helper = typeormOutput(doc('basic', 'helper-up-latest-postgres', 'up'));
    // Only difference: the CLI's `migration:show` before it had already created the migrations table.
    const cli = lines(recorded('typeorm/basic', 'typeorm-migration-run.stdout'));
    expect(lines(helper).filter((l) => !l.startsWith('query: CREATE TABLE "migrations"'))).toEqual(cli);
  });

  it('names the failing migration and ends with the error, as the CLI does', () => {
    const d = doc('failed-migration', 'helper-up-failed-postgres', 'up');
    expect(failedMigrationFrom(d)).toBe('BackfillAccountsOwner1710300000000');
    const cli = [...lines(recorded('typeorm/failed-migration', 'typeorm-migration-run-failed.stdout')), lines(recorded('typeorm/failed-migration', 'typeorm-migration-run-failed.stderr'))[0]];
    expect(lines(typeormOutput(d))).toEqual(cli);
    expect(cli.at(-1)).toBe('QueryFailedError: column "owner" of relation "accounts" does not exist');
    const sqlite = doc('failed-migration', 'helper-up-failed-sqlite', 'up');
    expect(typeormOutput(sqlite)).toContain('Migration "BackfillAccountsOwner1710300000000" failed, error: SqliteError: no such column: owner');
    // Without the helper's progress, TypeORM's own log line still names it.
    expect(failedMigrationFrom({ ...sqlite, progress: undefined })).toBe('BackfillAccountsOwner1710300000000');
  });

  it('reports how far a multi-step revert got', () => {
    const d = doc('failed-migration', 'helper-down-failed-postgres', 'down');
    expect(d.progress).toEqual({ undone: ['AddAccountsNote1710200000000'], current: 'AddAccountsPlan1710100000000' });
    expect(typeormOutput(d)).toMatch(/Migration AddAccountsNote1710200000000 has been reverted successfully\.[\s\S]*Error during migration revert:\nTypeORMError: Supplied index IDX_accounts_plan was not found in table accounts$/);
  });

  it('loads ES-module TypeScript only under the ts-node/esm loader, as typeorm-ts-node-esm does', () => {
    const d = doc('esm-typescript', 'helper-status-fresh', 'status');
    expect(d.loader).toEqual({ name: 'ts-node/esm', version: '10.9.2' });
    expect(migrationsFromStatus(d).map((m) => m.file)).toEqual(['src/migrations/1716000000000-CreateInvoices.ts', 'src/migrations/1716100000000-AddInvoicesDueOn.ts']);
    const refused = doc('esm-typescript', 'helper-status-without-loader', 'status');
    expect(setupError(refused, 'esm:typeorm', '/srv/esm', { file: 'src/data-source.ts', esm: true })).toMatchObject({ code: 'OPERATION.UNSUPPORTED', why: expect.stringContaining('needs node --loader ts-node/esm') });
  });

  it('turns setup failures into errors that say how to fix them', () => {
    const d = doc('basic', 'helper-status-no-typeorm', 'status');
    expect(d).toMatchObject({ ok: false, stage: 'setup', error: { kind: 'typeorm-missing' } });
    expect(setupError(d, 'basic:typeorm', '/srv/basic', { file: 'src/data-source.ts', esm: false })).toMatchObject({ code: 'TOOL.NOT_FOUND', fix: expect.stringContaining('npm install') });
    const broken: HelperDoc = { ...d, error: { message: 'Unable to open file: "/srv/basic/src/data-source.ts". ⨯ Unable to compile TypeScript:\nsrc/data-source.ts(15,20): error TS2345', kind: 'data-source' } };
    expect(setupError(broken, 'basic:typeorm', '/srv/basic', { file: 'src/data-source.ts', esm: false })).toMatchObject({
      code: 'CONFIG.UNREADABLE',
      summary: 'basic:typeorm: TypeORM could not load src/data-source.ts: Unable to open file: "/srv/basic/src/data-source.ts". ⨯ Unable to compile TypeScript:',
      fix: expect.stringContaining('npx typeorm-ts-node-commonjs migration:show -d src/data-source.ts'),
    });
  });
});

describe('plan', () => {
  const steps = (fixture: string, name: string) => migrationsFromStatus(doc(fixture, name, 'status'));

  it('keeps the SQL TypeORM ran per migration, with parameters, and leaves out catalog reads', () => {
    const { steps: out, catalogReads } = planSteps(doc('basic', 'helper-plan-up-postgres', 'plan'), steps('basic', 'helper-status-fresh-postgres'), 'up');
    expect(out.map((s) => s.sqlSource)).toEqual(['sandbox-capture', 'sandbox-capture', 'sandbox-capture', 'sandbox-capture']);
    expect(out.map((s) => s.statements.map((st) => st.sql))).toEqual([
      ['CREATE TABLE "users" ("id" SERIAL NOT NULL, "name" varchar(100) NOT NULL, CONSTRAINT "PK_a3ffb1c0c8416b9fc6f907b7433" PRIMARY KEY ("id"))'],
      ['ALTER TABLE "users" ADD "email" varchar(255)'],
      ['CREATE INDEX "IDX_users_email" ON "users"  ("email")'],
      ['INSERT INTO "users"("name", "email") VALUES ($1, $2) RETURNING "id"'],
    ]);
    expect(out[3]!.statements[0]!.note).toBe('parameters: ["Admin","admin@example.com"]');
    expect(catalogReads).toBeGreaterThan(3); // addColumn inspects the table first
  });

  it('shows SQLite table rebuilds as TypeORM runs them', () => {
    const { steps: out, catalogReads } = planSteps(doc('basic', 'helper-plan-up-sqlite', 'plan'), steps('basic', 'helper-status-fresh-sqlite'), 'up');
    expect(out[1]!.statements.map((s) => s.sql)).toEqual([
      'CREATE TABLE "temporary_users" ("id" integer PRIMARY KEY AUTOINCREMENT NOT NULL, "name" varchar(100) NOT NULL, "email" varchar(255))',
      'INSERT INTO "temporary_users"("id", "name") SELECT "id", "name" FROM "users"',
      'DROP TABLE "users"',
      'ALTER TABLE "temporary_users" RENAME TO "users"',
    ]);
    expect(catalogReads).toBe(2);
  });

  it('says why a migration could not be previewed, and what that means for the next ones', () => {
    const ms = steps('transaction-each', 'helper-status-applied-postgres').map((m) => ({ ...m, state: 'pending' as const }));
    const { steps: out } = planSteps(doc('transaction-each', 'helper-plan-up-postgres', 'plan'), ms, 'up');
    expect(out.map((s) => s.sqlSource)).toEqual(['sandbox-capture', 'unavailable', 'sandbox-capture']);
    expect(out[1]).toMatchObject({ statements: [], transactional: false, reason: expect.stringContaining('`transaction = false`') });
    expect(out[2]!.reason).toBe('captured after AddOrdersStatusIndex1715100000000 could not be; statements that depend on its effects may differ');
  });
});

describe('pure helpers', () => {
  it('reads method bodies in every shape tsc and people write', () => {
    expect(functionBody('async down(queryRunner) {\n    }')).toBe('');
    expect(functionBody('async down(qr) { /* nothing */ // really\n }')).toBe('');
    expect(functionBody('down(queryRunner) {\n return __awaiter(this, void 0, void 0, function* () {\n });\n }')).toBe('');
    expect(functionBody('down(queryRunner) { return __awaiter(this, void 0, void 0, function* () { yield queryRunner.query("DROP TABLE x"); }); }')).toBe('yield queryRunner.query("DROP TABLE x");');
    expect(functionBody('async (qr) => { await qr.query(`-- keep // this`); }')).toBe('await qr.query(`-- keep // this`);');
    expect(functionBody('not a function')).toBeUndefined();
    expect(reversibilityOf({ hasDown: false })).toEqual({ reversible: false, reason: 'the class has no down() method: TypeORM cannot revert it' });
    expect(reversibilityOf({ hasDown: true, downSource: 'async down() { throw new TypeORMError(`no way back`) }' })).toEqual({ reversible: false, reason: 'its down() throws: "no way back"' });
    expect(reversibilityOf({ hasDown: true, downSource: '[native code]' })).toEqual({ reversible: 'unknown' });
  });

  it('knows when TypeORM wraps a migration in a transaction', () => {
    expect([transactionalFor('all', null, 'postgres'), transactionalFor('each', null, 'sqlite'), transactionalFor('each', false, 'postgres'), transactionalFor('none', null, 'postgres'), transactionalFor('none', true, 'postgres')]).toEqual([true, true, false, false, true]);
    expect(transactionalFor('all', null, 'mysql')).toBe(false);
    expect(transactionalFor('all', null, 'other')).toBe('unknown');
  });

  it('names migrations for people, and tells catalog reads from the change', () => {
    expect(displayName('AddUsersEmailIndex1705500000000')).toBe('add users email index');
    expect(displayName('HTTPLogTable1705500000000')).toBe('http log table');
    expect(displayName('odd_name')).toBe('odd name');
    expect(isCatalogRead('SELECT * FROM "information_schema"."tables" WHERE "table_schema" = $1')).toBe(true);
    expect(isCatalogRead('SELECT * FROM current_schema()')).toBe(true);
    expect(isCatalogRead(`SELECT * FROM "sqlite_master" WHERE "type" = 'table'`)).toBe(true);
    expect(isCatalogRead('SELECT id FROM "users" WHERE "email" IS NULL')).toBe(false);
    expect(isCatalogRead('INSERT INTO "audit" SELECT * FROM pg_catalog.pg_tables')).toBe(false);
  });
});
