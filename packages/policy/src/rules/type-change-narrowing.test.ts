import { ruleTester } from '../rule-tester.js';
import rule from './type-change-narrowing.js';

const ctx = { before: ['CREATE TABLE users (id bigint, n int, name varchar(100), bio text, price numeric(10,2), at timestamptz(6), score float8, code char(2), tags text[]);'] };

ruleTester.run(rule, {
  valid: [
    { sql: 'ALTER TABLE users ALTER COLUMN name TYPE varchar(200);', context: ctx },
    { sql: 'ALTER TABLE users ALTER COLUMN name TYPE text;', context: ctx },
    { sql: 'ALTER TABLE users ALTER COLUMN n TYPE bigint;', context: ctx },
    { sql: 'ALTER TABLE users ALTER COLUMN n TYPE numeric;', context: ctx },
    { sql: 'ALTER TABLE users ALTER COLUMN price TYPE numeric(12,2);', context: ctx },
    { sql: 'ALTER TABLE users ALTER COLUMN code TYPE varchar(10);', context: ctx },
    { name: 'old type unknown and no USING: not judged', sql: 'ALTER TABLE accounts ALTER COLUMN name TYPE varchar(10);' },
    { sql: 'ALTER TABLE users ALTER COLUMN name TYPE varchar(200) USING name::varchar(200);', context: ctx },
  ],
  invalid: [
    { sql: 'ALTER TABLE users ALTER COLUMN name TYPE varchar(20);', context: ctx, errors: [{ messageId: 'narrowing', message: 'longer than 20 characters' }] },
    { sql: 'ALTER TABLE users ALTER COLUMN bio TYPE varchar(500);', context: ctx, errors: [{ messageId: 'narrowing' }] },
    { sql: 'ALTER TABLE users ALTER COLUMN id TYPE int;', context: ctx, errors: [{ messageId: 'narrowing', message: 'integer out of range' }] },
    { sql: 'ALTER TABLE users ALTER COLUMN price TYPE numeric(10,1);', context: ctx, errors: [{ messageId: 'narrowing', message: 'rounded' }] },
    { sql: 'ALTER TABLE users ALTER COLUMN at TYPE timestamptz(0);', context: ctx, errors: [{ messageId: 'narrowing', message: 'sub-second precision' }] },
    { sql: 'ALTER TABLE users ALTER COLUMN bio TYPE int;', context: ctx, errors: [{ messageId: 'narrowing', message: 'cast to int4' }] },
    { sql: 'ALTER TABLE users ALTER COLUMN tags TYPE text;', context: ctx, errors: [{ messageId: 'narrowing', message: 'array and scalar' }] },
    { sql: "ALTER TABLE accounts ALTER COLUMN code TYPE int USING nullif(code, '')::integer;", errors: [{ messageId: 'using', message: 'USING expression' }] },
  ],
});
