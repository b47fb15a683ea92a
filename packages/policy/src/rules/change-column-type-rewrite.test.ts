import { ruleTester } from '../rule-tester.js';
import rule from './change-column-type-rewrite.js';

const users = {
  before: ['CREATE TABLE users (id int, name varchar(50), bio text, price numeric(10,2), seen timestamp(3), at timestamp, ip cidr, flags varbit(4), code char(2), email citext, span interval(3), raw json);'],
};

ruleTester.run(rule, {
  valid: [
    { sql: 'ALTER TABLE users ALTER COLUMN name TYPE varchar(100);', context: users },
    { sql: 'ALTER TABLE users ALTER COLUMN name TYPE varchar;', context: users },
    { sql: 'ALTER TABLE users ALTER COLUMN name TYPE text;', context: users },
    { sql: 'ALTER TABLE users ALTER COLUMN bio TYPE varchar;', context: users },
    { sql: 'ALTER TABLE users ALTER COLUMN price TYPE numeric(12,2);', context: users },
    { sql: 'ALTER TABLE users ALTER COLUMN price TYPE numeric;', context: users },
    { sql: 'ALTER TABLE users ALTER COLUMN seen TYPE timestamp(6);', context: users },
    { sql: 'ALTER TABLE users ALTER COLUMN span TYPE interval;', context: users },
    { sql: 'ALTER TABLE users ALTER COLUMN ip TYPE inet;', context: users },
    { sql: 'ALTER TABLE users ALTER COLUMN flags TYPE varbit(8);', context: users },
    { sql: 'ALTER TABLE users ALTER COLUMN name TYPE varchar(100) USING name::varchar(100);', context: users },
    { name: 'UTC sessions make timestamp → timestamptz free', sql: 'ALTER TABLE users ALTER COLUMN at TYPE timestamptz;', options: { assumeUtcSession: true }, context: users },
    { name: 'column added in this migration', sql: 'ALTER TABLE users ADD COLUMN c int;\nALTER TABLE users ALTER COLUMN c TYPE bigint;' },
    { name: 'sandbox saw no rewrite', sql: 'ALTER TABLE users ALTER COLUMN id TYPE my_domain;', context: { observations: [{ statement: 0, rewritten: [] }] } },
  ],
  invalid: [
    { sql: 'ALTER TABLE users ALTER COLUMN id TYPE bigint;', context: users, errors: [{ messageId: 'rewrite', message: '(from int4)' }] },
    { sql: 'ALTER TABLE users ALTER COLUMN name TYPE varchar(20);', context: users, errors: [{ messageId: 'rewrite', message: 'varchar(20) on users (from varchar(50))' }] },
    { sql: 'ALTER TABLE users ALTER COLUMN bio TYPE varchar(200);', context: users, errors: [{ messageId: 'rewrite' }] },
    { sql: 'ALTER TABLE users ALTER COLUMN price TYPE numeric(12,3);', context: users, errors: [{ messageId: 'rewrite' }] },
    { sql: 'ALTER TABLE users ALTER COLUMN code TYPE char(3);', context: users, errors: [{ messageId: 'rewrite' }] },
    { sql: 'ALTER TABLE users ALTER COLUMN raw TYPE jsonb;', context: users, errors: [{ messageId: 'rewrite' }] },
    { sql: 'ALTER TABLE users ALTER COLUMN name TYPE text USING lower(name);', context: users, errors: [{ messageId: 'rewrite' }] },
    { sql: 'ALTER TABLE users ALTER COLUMN email TYPE text;', context: users, errors: [{ messageId: 'indexRebuild', message: 'rebuilds every index on email' }] },
    { sql: 'ALTER TABLE users ALTER COLUMN at TYPE timestamptz;', context: users, errors: [{ messageId: 'timezone', message: 'TimeZone is UTC' }] },
    { name: 'old type unknown', sql: 'ALTER TABLE accounts ALTER COLUMN name TYPE text;', errors: [{ messageId: 'unknownOld', message: 'does not know the current type of name' }] },
    { name: 'old type unknown, target never rewrite-free', sql: 'ALTER TABLE accounts ALTER COLUMN id TYPE bigint;', errors: [{ messageId: 'rewrite', message: 'ALTER COLUMN id TYPE int8 on accounts rewrites' }] },
    { name: 'sandbox measured the rewrite', sql: 'ALTER TABLE accounts ALTER COLUMN id TYPE bigint;', context: { observations: [{ statement: 0, rewritten: ['accounts'] }] }, errors: [{ messageId: 'rewrite', message: 'table accounts rewritten' }] },
  ],
});
