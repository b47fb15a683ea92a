import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fixturesDir } from '@metamig/testkit';
import { firstDataStatement, splitStatements } from './sql.js';

const fixtureSql = (rel: string) => readFileSync(join(fixturesDir, 'prisma', rel), 'utf8');

describe('splitStatements', () => {
  it('splits a Prisma-generated migration with the 1-based line of each statement', () => {
    const sql = fixtureSql('basic/postgres/prisma/migrations/20240110090000_create_users/migration.sql');
    const statements = splitStatements(sql);
    expect(statements.map((s) => s.line)).toEqual([2, 11]);
    expect(statements[0]!.sql).toMatch(/^CREATE TABLE "users" \(\n[\s\S]*CONSTRAINT "users_pkey" PRIMARY KEY \("id"\)\n\)$/);
    expect(statements[1]!.sql).toBe('CREATE UNIQUE INDEX "users_email_key" ON "users"("email")');
  });

  it('keeps semicolons inside strings, quoted identifiers, comments and $$ bodies', () => {
    const sql = [
      "INSERT INTO t (a) VALUES ('x;y'), ('it''s');",
      'ALTER TABLE "we;ird" ADD COLUMN b int; -- trailing; comment',
      '/* block;',
      'comment */ CREATE FUNCTION f() RETURNS int AS $fn$ SELECT 1; $fn$ LANGUAGE sql;',
      'DO $$ BEGIN PERFORM 1; END $$;',
    ].join('\n');
    expect(splitStatements(sql)).toEqual([
      { sql: "INSERT INTO t (a) VALUES ('x;y'), ('it''s')", line: 1 },
      { sql: 'ALTER TABLE "we;ird" ADD COLUMN b int', line: 2 },
      { sql: 'CREATE FUNCTION f() RETURNS int AS $fn$ SELECT 1; $fn$ LANGUAGE sql', line: 4 },
      { sql: 'DO $$ BEGIN PERFORM 1; END $$', line: 5 },
    ]);
  });

  it('keeps a SQLite trigger body in one statement, and drops a script of comments only', () => {
    const sql = 'CREATE TRIGGER t AFTER INSERT ON a BEGIN\n  UPDATE b SET n = n + 1;\n  DELETE FROM c;\nEND;\nSELECT 1;';
    expect(splitStatements(sql).map((s) => [s.line, s.sql.split('\n').length])).toEqual([
      [1, 4],
      [5, 1],
    ]);
    expect(splitStatements('-- nothing here\n/* or here */\n')).toEqual([]);
  });
});

describe('firstDataStatement', () => {
  it('finds the data step of the basic fixture, with its line', () => {
    const sql = fixtureSql('basic/postgres/prisma/migrations/20240112090000_backfill_users_display_name/migration.sql');
    expect(firstDataStatement(splitStatements(sql))).toMatchObject({ line: 3, sql: expect.stringMatching(/^UPDATE "users"/) });
  });

  it("does not count Prisma's SQLite table redefinition (rows copied into new_<table>) as a data change", () => {
    const sql = fixtureSql('basic/sqlite/prisma/migrations/20240111090000_add_users_display_name/down.sql');
    expect(firstDataStatement(splitStatements(sql))).toBeUndefined();
    expect(firstDataStatement(splitStatements('INSERT INTO "archive" SELECT * FROM "users";'))).toMatchObject({ line: 1 });
  });

  it('treats DO blocks and writing CTEs as code a schema diff cannot reverse; DDL is not', () => {
    expect(firstDataStatement(splitStatements('CREATE INDEX i ON t (a);\nDO $$ BEGIN END $$;'))).toMatchObject({ line: 2 });
    expect(firstDataStatement(splitStatements('WITH x AS (DELETE FROM t RETURNING *) SELECT count(*) FROM x;'))).toBeDefined();
    expect(firstDataStatement(splitStatements(fixtureSql('drift/prisma/migrations/20240405090000_create_tasks/migration.sql')))).toBeUndefined();
  });
});
