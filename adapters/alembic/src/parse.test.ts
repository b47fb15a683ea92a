// Parsers on outputs recorded from Alembic 1.20.1 / SQLAlchemy 2.0.58 (fixtures/alembic/*/recorded).
import { describe, expect, it } from 'vitest';
import { MigrationSchema, MigratorError, buildState, splitStatements } from '@metamig/core';
import { recorded } from '@metamig/testkit';
import {
  type HelperStatus,
  condenseTracebacks,
  isBookkeeping,
  lastRunningRevision,
  parseFailure,
  parseGenerated,
  parseHeads,
  parseHelperStatus,
  parseOfflineSql,
  statusFromHelper,
} from './parse.js';

const helperStatus = (fixture: string, name: string) => parseHelperStatus(recorded(`alembic/${fixture}`, `${name}.stdout`));
const output = (fixture: string, name: string) => `${recorded(`alembic/${fixture}`, `${name}.stderr`)}\n${recorded(`alembic/${fixture}`, `${name}.stdout`)}`;
const states = (h: HelperStatus) => statusFromHelper(h).migrations.map((m) => `${m.id}:${m.state}`);

describe('status JSON from the helper', () => {
  it('fresh database: every revision pending, in Alembic order, with file, message and transaction facts', () => {
    const h = helperStatus('basic', 'status-fresh');
    expect(h.alembic_version).toBe('1.20.1');
    expect(h.sqlalchemy_version).toBe('2.0.58');
    const s = statusFromHelper(h);
    expect(s.current).toEqual([]);
    expect(s.heads).toEqual(['0004']);
    expect(s.migrations[0]).toEqual({
      id: '0001',
      name: 'create users',
      file: 'migrations/versions/0001_create_users.py',
      parents: [],
      state: 'pending',
      reversible: true,
      transactional: false, // SQLite: Alembic assumes non-transactional DDL
    });
    expect(states(h)).toEqual(['0001:pending', '0002:pending', '0003:pending', '0004:pending']);
    for (const m of s.migrations) expect(() => MigrationSchema.parse(m)).not.toThrow();
  });

  it('after upgrade heads: all applied', () => {
    expect(states(helperStatus('basic', 'status-applied'))).toEqual(['0001:applied', '0002:applied', '0003:applied', '0004:applied']);
  });

  it('PostgreSQL at 0002: ancestors applied, the rest pending, DDL transactional', () => {
    const h = helperStatus('basic', 'status-partial-pg');
    expect(h.database).toMatch(/^postgresql\+psycopg:\/\/postgres@127\.0\.0\.1:\d+\/rec_basic$/);
    const s = statusFromHelper(h);
    expect(states(h)).toEqual(['0001:applied', '0002:applied', '0003:pending', '0004:pending']);
    expect(s.current).toEqual(['0002']);
    expect(s.migrations.every((m) => m.transactional === true)).toBe(true);
  });

  it('two unmerged heads: pending in the order `upgrade heads` runs them (0003b before 0003a)', () => {
    const h = helperStatus('multiple-heads', 'status-fresh');
    const s = statusFromHelper(h);
    expect(s.heads).toEqual(['0003a', '0003b']);
    expect(states(h)).toEqual(['0001:pending', '0002:pending', '0003b:pending', '0003a:pending']);
    const state = buildState({ project: 'p', framework: 'alembic', database: 'x', ...s, source: { command: [], native: '', durationMs: 0, via: 'tool' } });
    expect(state.history).toEqual({ kind: 'multipleHeads', heads: ['0003a', '0003b'] });
  });

  it('two heads applied, then a merge revision: parents are the down_revision tuple', () => {
    const two = statusFromHelper(helperStatus('multiple-heads', 'status-two-heads'));
    expect(two.current.sort()).toEqual(['0003a', '0003b']);
    expect(two.migrations.every((m) => m.state === 'applied')).toBe(true);
    const merged = statusFromHelper(helperStatus('multiple-heads', 'status-merged'));
    const merge = merged.migrations[merged.migrations.length - 1]!;
    expect(merge.parents).toEqual(['0003a', '0003b']);
    expect(merge.name).toBe('merge heads');
    expect(merged.heads).toEqual([merge.id]);
    expect(merged.current).toEqual([merge.id]);
    expect(merged.migrations.every((m) => m.state === 'applied')).toBe(true);
  });

  it('after a failed upgrade: PostgreSQL rolled everything back, SQLite kept 0001-0004', () => {
    expect(states(helperStatus('failed-migration', 'status-after-failure-pg'))).toEqual(['0001:pending', '0002:pending', '0003:pending', '0004:pending', '0005:pending']);
    expect(states(helperStatus('failed-migration', 'status-after-failure-sqlite'))).toEqual(['0001:applied', '0002:applied', '0003:applied', '0004:applied', '0005:pending']);
  });

  it('irreversible revisions are flagged from the source, with the reason', () => {
    const ms = statusFromHelper(helperStatus('irreversible', 'status-fresh')).migrations;
    expect(ms.map((m) => [m.id, m.reversible, m.irreversibleReason])).toEqual([
      ['0001', true, undefined],
      ['0002', false, 'downgrade() always raises NotImplementedError'],
      ['0003', false, 'downgrade() is empty (pass): rolling back would only delete the version row and leave what upgrade() did'],
    ]);
  });

  it('a database revision the code does not have is missing-file, after the applied ones', () => {
    const h = helperStatus('basic', 'status-partial-pg');
    const diverged: HelperStatus = { ...h, db_heads: ['0002', 'f00dcafe'], unknown_in_db: ['f00dcafe'], pending_order: null };
    const s = statusFromHelper(diverged);
    expect(s.migrations.map((m) => `${m.id}:${m.state}`)).toEqual(['0001:applied', '0002:applied', 'f00dcafe:missing-file', '0003:pending', '0004:pending']);
    expect(s.migrations[2]!.detail).toContain('alembic_version holds f00dcafe');
    expect(s.warnings[0]).toContain('f00dcafe');
    const state = buildState({ project: 'p', framework: 'alembic', database: 'x', ...s, source: { command: [], native: '', durationMs: 0, via: 'tool' } });
    expect(state.history).toEqual({ kind: 'diverged', unknownToCode: ['f00dcafe'], lastCommon: '0002' });
  });

  it('depends_on counts as a parent: a dependency of an applied revision is applied', () => {
    const h = helperStatus('multiple-heads', 'status-fresh');
    const revisions = h.revisions.map((r) => (r.id === '0003a' ? { ...r, depends_on: ['0003b'] } : r));
    const s = statusFromHelper({ ...h, revisions, db_heads: ['0003a'], pending_order: [] });
    expect(s.migrations.find((m) => m.id === '0003a')!.parents).toEqual(['0002', '0003b']);
    expect(s.migrations.every((m) => m.state === 'applied')).toBe(true);
  });

  it('rejects output that is not the helper JSON', () => {
    expect(() => parseHelperStatus('INFO  [alembic] hello\n')).toThrow(MigratorError);
    expect(() => parseHelperStatus('{"revisions": []}\n')).toThrow(/Could not understand the output of alembic/);
  });
});

describe('failures', () => {
  it('a traceback on PostgreSQL: the exception line and its [SQL: …], and the migration that ran', () => {
    const f = parseFailure(output('failed-migration', 'upgrade-heads-pg'));
    expect(f).toEqual({
      message: 'sqlalchemy.exc.ProgrammingError: (psycopg.errors.UndefinedTable) relation "legacy_accounts" does not exist\n[SQL: ALTER TABLE legacy_accounts ADD COLUMN is_legacy BOOLEAN]',
      failedMigration: '0005',
    });
    expect(recorded('alembic/failed-migration', 'upgrade-heads-pg.exit').trim()).toBe('1');
  });

  it('a traceback on SQLite', () => {
    expect(parseFailure(output('failed-migration', 'upgrade-heads-sqlite'))).toEqual({
      message: 'sqlalchemy.exc.OperationalError: (sqlite3.OperationalError) no such table: legacy_accounts\n[SQL: ALTER TABLE legacy_accounts ADD COLUMN is_legacy BOOLEAN]',
      failedMigration: '0005',
    });
  });

  it('FAILED: lines (exit 255) before any migration ran', () => {
    expect(recorded('alembic/multiple-heads', 'upgrade-head-fails.exit').trim()).toBe('255');
    expect(parseFailure(output('multiple-heads', 'upgrade-head-fails'))).toEqual({
      message: "Multiple head revisions are present for given argument 'head'; please specify a specific target revision, '<branchname>@head' to narrow to a specific head, or 'heads' for all heads",
    });
    expect(parseFailure(output('multiple-heads', 'downgrade-minus-one-at-merge'))).toEqual({ message: 'Ambiguous walk' });
  });

  it('keeps multi-line SQL and drops parameters', () => {
    const out = [
      'INFO  [alembic.runtime.migration] Running downgrade 0003 -> 0002, index email',
      'Traceback (most recent call last):',
      '  File "x.py", line 1, in <module>',
      'sqlalchemy.exc.ProgrammingError: (psycopg2.errors.SyntaxError) syntax error at or near "TABEL"',
      'LINE 1: CREATE TABEL x',
      '               ^',
      '',
      '[SQL: ',
      'CREATE TABEL x (',
      '',
      '  id int)]',
      "[parameters: {'secret': 'value'}]",
      '(Background on this error at: https://sqlalche.me/e/20/f405)',
    ].join('\n');
    expect(parseFailure(out)).toEqual({
      message: [
        'sqlalchemy.exc.ProgrammingError: (psycopg2.errors.SyntaxError) syntax error at or near "TABEL"',
        'LINE 1: CREATE TABEL x',
        '               ^',
        '[SQL: ',
        'CREATE TABEL x (',
        '',
        '  id int)]',
      ].join('\n'),
      failedMigration: '0003',
    });
  });

  it('names the target of an upgrade and the source of a downgrade, merges included', () => {
    expect(lastRunningRevision('INFO  [alembic.runtime.migration] Running upgrade 0003a, 0003b -> 7745fa1f4f6b, merge heads')).toBe('7745fa1f4f6b');
    expect(lastRunningRevision('INFO  [alembic.runtime.migration] Running downgrade 7745fa1f4f6b -> 0003a, 0003b, merge heads')).toBe('7745fa1f4f6b');
    expect(lastRunningRevision('INFO  [alembic.runtime.migration] Running upgrade  -> 0001, create users')).toBe('0001');
    expect(lastRunningRevision('INFO  [alembic.runtime.migration] Context impl SQLiteImpl.')).toBeUndefined();
  });
});

describe('offline --sql', () => {
  it('splits the PostgreSQL upgrade script per revision and leaves out the bookkeeping', () => {
    const s = parseOfflineSql(recorded('alembic/basic', 'upgrade-sql-pg.stdout'), 'up');
    expect(s.order).toEqual(['0001', '0002', '0003', '0004']);
    expect(s.sections.get('0001')).toEqual([{ kind: 'sql', sql: 'CREATE TABLE users (\n    id SERIAL NOT NULL, \n    name VARCHAR(100) NOT NULL, \n    PRIMARY KEY (id)\n)' }]);
    expect(s.sections.get('0002')).toEqual([{ kind: 'sql', sql: 'ALTER TABLE users ADD COLUMN email VARCHAR(200)' }]);
    expect(s.sections.get('0003')).toEqual([{ kind: 'sql', sql: 'CREATE UNIQUE INDEX ix_users_email ON users (email)' }]);
    expect(s.sections.get('0004')!.map((x) => x.sql)).toEqual([
      "INSERT INTO users (name, email) VALUES ('Ada', 'ada@example.com')",
      "INSERT INTO users (name, email) VALUES ('Grace', 'grace@example.com')",
    ]);
    // BEGIN, CREATE TABLE alembic_version, 1 INSERT + 3 UPDATE of the version row, COMMIT
    expect(s.bookkeepingDropped).toBe(7);
    expect(s.preamble).toEqual([]);
  });

  it('a SQLite range script (no BEGIN/COMMIT: non-transactional DDL)', () => {
    const text = recorded('alembic/basic', 'upgrade-sql-sqlite.stdout');
    expect(text).not.toContain('BEGIN');
    const s = parseOfflineSql(text, 'up');
    expect(s.order).toEqual(['0003', '0004']);
    expect(s.sections.get('0003')!.map((x) => x.sql)).toEqual(['CREATE UNIQUE INDEX ix_users_email ON users (email)']);
    expect(s.bookkeepingDropped).toBe(2);
  });

  it('downgrade sections are keyed by the revision being rolled back', () => {
    const s = parseOfflineSql(recorded('alembic/basic', 'downgrade-sql-pg.stdout'), 'down');
    expect(s.order).toEqual(['0004', '0003']);
    expect(s.sections.get('0004')!.map((x) => x.sql)).toEqual(["DELETE FROM users WHERE users.email IN ('ada@example.com', 'grace@example.com')"]);
    expect(s.sections.get('0003')!.map((x) => x.sql)).toEqual(['DROP INDEX ix_users_email']);
  });

  it('a migration that needs a connection breaks offline mode: its section is cut short', () => {
    const stdout = recorded('alembic/irreversible', 'upgrade-sql-sqlite.stdout');
    const stderr = recorded('alembic/irreversible', 'upgrade-sql-sqlite.stderr');
    expect(recorded('alembic/irreversible', 'upgrade-sql-sqlite.exit').trim()).toBe('1');
    const s = parseOfflineSql(stdout, 'up');
    expect(s.order).toEqual(['0001', '0002']);
    expect(lastRunningRevision(stderr)).toBe('0002');
    expect(parseFailure(stderr).message).toBe("AttributeError: 'NoneType' object has no attribute 'fetchall'");
  });

  it('splits statements outside quotes, dollar quotes and comments', () => {
    const sql = "INSERT INTO t VALUES ('a;b', 'it''s');\n\nCREATE FUNCTION f() RETURNS int AS $body$ BEGIN; RETURN 1; END; $body$ LANGUAGE plpgsql;\n-- a comment; still a comment\nSELECT /* ; */ 1;\n";
    expect(splitStatements(sql)).toEqual([
      "INSERT INTO t VALUES ('a;b', 'it''s')",
      'CREATE FUNCTION f() RETURNS int AS $body$ BEGIN; RETURN 1; END; $body$ LANGUAGE plpgsql',
      '-- a comment; still a comment\nSELECT /* ; */ 1',
    ]);
  });

  it('knows the bookkeeping statements, whatever the version table is called', () => {
    expect(isBookkeeping("UPDATE my_versions SET version_num='0002' WHERE my_versions.version_num = '0001'")).toBe(true);
    expect(isBookkeeping('DROP TABLE alembic_version')).toBe(true);
    expect(isBookkeeping('COMMIT')).toBe(true);
    expect(isBookkeeping("UPDATE users SET name='x'")).toBe(false);
  });
});

describe('merge and heads output', () => {
  it('finds the generated merge revision and the single head after it', () => {
    const created = parseGenerated(recorded('alembic/multiple-heads', 'merge.stdout'));
    expect(created).toHaveLength(1);
    expect(created[0]).toMatch(/^\/tmp\/metamig-alembic-record\/multiple-heads\/migrations\/versions\/[0-9a-f]{12}_merge_heads\.py$/);
    const heads = parseHeads(recorded('alembic/multiple-heads', 'heads-after-merge.stdout'));
    expect(heads).toEqual([created[0]!.split('/').pop()!.slice(0, 12)]);
    expect(parseHeads('0003a (head)\n0003b (branch_b) (effective head)\n')).toEqual(['0003a', '0003b']);
  });
});

describe('condensed tool output for errors', () => {
  it('folds stack frames and keeps the log lines and the exception', () => {
    const text = condenseTracebacks(output('failed-migration', 'upgrade-heads-pg'));
    expect(text.trimEnd().split('\n')).toEqual([
      'INFO  [alembic.runtime.migration] Context impl PostgresqlImpl.',
      'INFO  [alembic.runtime.migration] Will assume transactional DDL.',
      'INFO  [alembic.runtime.migration] Running upgrade  -> 0001, create users',
      'INFO  [alembic.runtime.migration] Running upgrade 0001 -> 0002, add email',
      'INFO  [alembic.runtime.migration] Running upgrade 0002 -> 0003, index email',
      'INFO  [alembic.runtime.migration] Running upgrade 0003 -> 0004, seed admin users',
      'INFO  [alembic.runtime.migration] Running upgrade 0004 -> 0005, add legacy flag',
      'Traceback (most recent call last):',
      expect.stringMatching(/^ {2}… \(\d+ lines of Python stack frames omitted\)$/),
      'psycopg.errors.UndefinedTable: relation "legacy_accounts" does not exist',
      '',
      'The above exception was the direct cause of the following exception:',
      '',
      'Traceback (most recent call last):',
      expect.stringMatching(/^ {2}… \(\d+ lines of Python stack frames omitted\)$/),
      'sqlalchemy.exc.ProgrammingError: (psycopg.errors.UndefinedTable) relation "legacy_accounts" does not exist',
      '[SQL: ALTER TABLE legacy_accounts ADD COLUMN is_legacy BOOLEAN]',
      '(Background on this error at: https://sqlalche.me/e/20/f405)',
    ]);
  });
});
