import { describe, expect, it } from 'vitest';
import { expandPlaceholders, mixedStatementProblem, scriptTransactional, splitSql } from './sql.js';

const syntax = { prefix: '${', suffix: '}', separator: ':' };

describe('expandPlaceholders', () => {
  it('replaces names case-insensitively, in strings and comments too (as Flyway does)', () => {
    const r = expandPlaceholders("-- ${Prefix}\nCREATE TABLE ${prefix}users (note text DEFAULT '${PREFIX}');", { prefix: 'app_' }, syntax);
    expect(r).toEqual({ text: "-- app_\nCREATE TABLE app_users (note text DEFAULT 'app_');", deferred: [] });
  });

  it("refuses an unknown placeholder in Flyway's own words, and a missing built-in differently", () => {
    expect(expandPlaceholders('SELECT ${nope};', {}, syntax).error).toBe('No value provided for placeholder: ${nope}.  Check your configuration!');
    expect(expandPlaceholders('SELECT ${flyway:nope};', {}, syntax).error).toBe('Failed to populate value for default placeholder: ${flyway:nope}');
  });

  it('leaves database-derived built-ins for later without an error', () => {
    const r = expandPlaceholders('GRANT SELECT ON t TO ${flyway:user}; -- ${flyway:table}', { 'flyway:table': 'flyway_schema_history' }, syntax, new Set(['flyway:user']));
    expect(r).toEqual({ text: 'GRANT SELECT ON t TO ${flyway:user}; -- flyway_schema_history', deferred: ['flyway:user'] });
  });

  it('honours a custom prefix and suffix', () => {
    expect(expandPlaceholders('SELECT #[x], ${x};', { x: '1' }, { prefix: '#[', suffix: ']', separator: ':' }).text).toBe('SELECT 1, ${x};');
  });
});

describe('splitSql', () => {
  it('splits on semicolons outside strings, identifiers and comments, with the line of each statement', () => {
    const text = [
      '-- a comment; not a statement end',
      "INSERT INTO t (a) VALUES ('x;y''z');",
      '/* block; comment */ UPDATE "odd;name" SET a = 1;',
      '',
      'DELETE FROM t',
      '  WHERE a = 2;',
      '-- trailing comment only',
    ].join('\n');
    expect(splitSql(text, 'postgres').map((s) => [s.line, s.sql])).toEqual([
      [2, "INSERT INTO t (a) VALUES ('x;y''z')"],
      [3, 'UPDATE "odd;name" SET a = 1'],
      [5, 'DELETE FROM t\n  WHERE a = 2'],
    ]);
  });

  it('PostgreSQL: dollar-quoted bodies, nested block comments, E-strings, BEGIN ATOMIC', () => {
    const text = [
      'CREATE FUNCTION f() RETURNS trigger AS $body$',
      'BEGIN',
      '  NEW.at := now(); RETURN NEW;',
      'END;',
      '$body$ LANGUAGE plpgsql;',
      '/* outer /* inner; */ still comment; */',
      "SELECT E'it\\'s; fine', $$a;b$$, $1;",
      'CREATE FUNCTION g() RETURNS int LANGUAGE sql BEGIN ATOMIC',
      '  SELECT CASE WHEN true THEN 1 ELSE 2 END;',
      '  SELECT 3;',
      'END;',
    ].join('\n');
    const st = splitSql(text, 'postgres');
    expect(st.map((s) => s.line)).toEqual([1, 7, 8]);
    expect(st[0]!.sql).toContain('RETURN NEW;\nEND;\n$body$ LANGUAGE plpgsql');
    expect(st[1]!.sql).toBe("SELECT E'it\\'s; fine', $$a;b$$, $1");
    expect(st[2]!.sql.endsWith('SELECT 3;\nEND')).toBe(true);
  });

  it('PostgreSQL: COPY … FROM STDIN takes the data lines up to \\.', () => {
    const st = splitSql('COPY t (a) FROM STDIN;\n1;x\n2;y\n\\.\nSELECT 1;', 'postgres');
    expect(st.map((s) => [s.line, s.sql, s.copyData])).toEqual([
      [1, 'COPY t (a) FROM STDIN', '1;x\n2;y\n'],
      [5, 'SELECT 1', undefined],
    ]);
  });

  it('SQLite: a trigger body (BEGIN … END) is one statement; backticks and brackets quote', () => {
    const text = 'CREATE TRIGGER tr AFTER INSERT ON t BEGIN\n  UPDATE t SET n = n + 1;\n  SELECT CASE WHEN 1 THEN 2 END;\nEND;\nSELECT `a;b`, [c;d] FROM t;';
    const st = splitSql(text, 'sqlite');
    expect(st.map((s) => s.line)).toEqual([1, 5]);
    expect(st[0]!.sql.endsWith('END')).toBe(true);
    expect(st[1]!.sql).toBe('SELECT `a;b`, [c;d] FROM t');
  });

  it('marks what Flyway runs outside a transaction', () => {
    const pg = splitSql('CREATE INDEX CONCURRENTLY i ON t (a);\ncreate unique index concurrently j on t (b);\nVACUUM t;\nCREATE INDEX k ON t (a);\nALTER TYPE mood ADD VALUE \'x\';', 'postgres');
    expect(pg.map((s) => s.transactional)).toEqual([false, false, false, true, true]); // ADD VALUE is transactional on PostgreSQL 12+
    const lite = splitSql('PRAGMA foreign_keys = OFF;\nPRAGMA journal_mode = WAL;', 'sqlite');
    expect(lite.map((s) => s.transactional)).toEqual([false, true]);
  });
});

describe('script transactions', () => {
  const mixed = splitSql('CREATE TABLE t (a int);\nCREATE INDEX CONCURRENTLY i ON t (a);', 'postgres');
  const onlyConcurrent = splitSql('CREATE INDEX CONCURRENTLY i ON t (a);', 'postgres');
  it('a script runs in a transaction unless a statement cannot, or its .conf or the config says so', () => {
    expect(scriptTransactional(splitSql('CREATE TABLE t (a int);', 'postgres'), undefined, true)).toBe(true);
    expect(scriptTransactional(onlyConcurrent, undefined, true)).toBe(false);
    expect(scriptTransactional(splitSql('SELECT 1;', 'postgres'), false, true)).toBe(false);
    expect(scriptTransactional(splitSql('SELECT 1;', 'postgres'), undefined, false)).toBe(false);
  });
  it("reports Flyway's refusal of a mixed script unless mixed=true or the .conf decides", () => {
    expect(mixedStatementProblem(mixed, false, undefined)).toMatch(/^Detected both transactional and non-transactional statements .* line 2: CREATE INDEX CONCURRENTLY i ON t \(a\) \[non-transactional\]$/);
    expect(mixedStatementProblem(mixed, true, undefined)).toBeUndefined();
    expect(mixedStatementProblem(mixed, false, false)).toBeUndefined();
    expect(mixedStatementProblem(onlyConcurrent, false, undefined)).toBeUndefined();
  });
});
