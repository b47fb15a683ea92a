import { beforeAll, describe, expect, it } from 'vitest';
import { lexSql } from './lexer.js';
import { LineIndex, loadParser, parseSql } from './parse.js';

beforeAll(() => loadParser());

describe('parseSql', () => {
  it('gives each statement its text and string offsets, the first one included', () => {
    const sql = 'CREATE TABLE t (a int);\n-- note\nALTER TABLE t ADD COLUMN b int;';
    const p = parseSql(sql);
    expect(p.errors).toEqual([]);
    expect(p.statements.map((s) => [s.type, s.sql])).toEqual([
      ['CreateStmt', 'CREATE TABLE t (a int)'],
      ['AlterTableStmt', 'ALTER TABLE t ADD COLUMN b int'],
    ]);
    expect(p.statements[0]!.start).toBe(0);
    expect(sql.slice(p.statements[1]!.start, p.statements[1]!.end)).toBe('ALTER TABLE t ADD COLUMN b int');
  });

  it('converts libpg_query byte offsets to string indices after non-ASCII text', () => {
    const sql = "COMMENT ON TABLE t IS 'héllo wörld 😀';\nDROP TABLE ü;\nSELECT 1";
    const p = parseSql(sql);
    expect(p.statements.map((s) => s.sql)).toEqual(["COMMENT ON TABLE t IS 'héllo wörld 😀'", 'DROP TABLE ü', 'SELECT 1']);
    for (const s of p.statements) expect(sql.slice(s.start, s.end)).toBe(s.sql);
  });

  it('turns a syntax error into an issue with the parser message and position, and keeps the other statements', () => {
    const sql = "ALTER TABLE t ADD COLUMN a int;\nSELECT 'é' FRM x;\nDROP TABLE u;";
    const p = parseSql(sql);
    expect(p.statements.map((s) => s.type)).toEqual(['AlterTableStmt', 'DropStmt']);
    expect(p.errors).toHaveLength(1);
    const e = p.errors[0]!;
    expect(e.message).toBe('syntax error at or near "x"');
    expect(sql.slice(e.offset, e.offset + 1)).toBe('x');
    expect(e.sql).toBe("SELECT 'é' FRM x");
    expect(new LineIndex(sql).position(e.offset)).toEqual({ line: 2, column: 16 });
  });

  it('does not split inside strings, quoted identifiers, dollar quotes or comments', () => {
    const sql = `SELECT ';' AS "a;b";\nCREATE FUNCTION f() RETURNS int LANGUAGE sql AS $fn$ SELECT 1; $fn$;\n/* ; */ SELEC 2;\nSELECT E'\\';' ;`;
    const p = parseSql(sql);
    expect(p.statements.map((s) => s.type)).toEqual(['SelectStmt', 'CreateFunctionStmt', 'SelectStmt']);
    expect(p.errors.map((e) => e.sql)).toEqual(['/* ; */ SELEC 2']);
  });

  it('returns comments when asked (waivers live there)', () => {
    const p = parseSql('-- metamig:allow x reason: y\nSELECT 1; /* b */', true);
    expect(p.comments!.map((c) => c.body.trim())).toEqual(['metamig:allow x reason: y', 'b']);
  });

  it('parses large texts in chunks with the same statements, offsets and errors', () => {
    const parts: string[] = [];
    for (let i = 0; i < 3000; i++) parts.push(i === 1500 ? 'SELEC oops;' : `ALTER TABLE t${i} ADD COLUMN "é${i}" int;`);
    parts.splice(10, 0, 'CREATE FUNCTION add(a int, b int) RETURNS int LANGUAGE sql BEGIN ATOMIC SELECT a + b; SELECT 1; END;');
    const sql = parts.join('\n');
    expect(sql.length).toBeGreaterThan(64 * 1024);
    const p = parseSql(sql);
    expect(p.statements).toHaveLength(3000);
    expect(p.statements[10]!.type).toBe('CreateFunctionStmt');
    expect(p.errors.map((e) => e.sql)).toEqual(['SELEC oops']);
    for (const s of p.statements) expect(sql.slice(s.start, s.end)).toBe(s.sql);
    expect(p.statements[2999]!.sql).toBe('ALTER TABLE t2999 ADD COLUMN "é2999" int');
  });

  it('falls back to the exact lexer when a fast cut lands inside a quoted body', () => {
    const parts: string[] = [];
    for (let i = 0; i < 2000; i++) parts.push(`ALTER TABLE t${i} ADD COLUMN c int;`);
    parts.splice(300, 0, "CREATE FUNCTION f() RETURNS void LANGUAGE plpgsql AS $$\nBEGIN\n  PERFORM 1;\n  RAISE NOTICE 'x;';\nEND\n$$;", "COMMENT ON TABLE t IS 'a;\nb';");
    const sql = parts.join('\n');
    const p = parseSql(sql);
    expect(p.errors).toEqual([]);
    expect(p.statements).toHaveLength(2002);
    expect(p.statements.map((s) => s.type).filter((t) => t !== 'AlterTableStmt')).toEqual(['CreateFunctionStmt', 'CommentStmt']);
    for (const s of p.statements) expect(sql.slice(s.start, s.end)).toBe(s.sql);
  });

  it('accepts empty input', () => {
    expect(parseSql('  \n-- only a comment\n')).toEqual({ statements: [], errors: [] });
  });
});

describe('lexSql', () => {
  it('handles nested block comments and doubled quotes', () => {
    const l = lexSql("SELECT 'it''s'; /* a /* nested */ ; */ SELECT 2");
    expect(l.segments).toHaveLength(2);
    expect(l.comments).toHaveLength(1);
  });
});
