import { ruleTester } from '../rule-tester.js';
import rule from './create-index-non-concurrent.js';

ruleTester.run(rule, {
  valid: [
    'CREATE INDEX CONCURRENTLY users_email_idx ON users (email);',
    'CREATE UNIQUE INDEX CONCURRENTLY IF NOT EXISTS users_email_key ON users (email);',
    { name: 'table created earlier in the same migration', sql: 'CREATE TABLE items (id bigint, sku text);\nCREATE INDEX items_sku_idx ON items (sku);' },
    { name: 'schema-qualified new table', sql: 'CREATE TABLE app.items (id bigint);\nCREATE INDEX ON app.items (id);' },
  ],
  invalid: [
    { sql: 'CREATE INDEX users_email_idx ON users (email);', errors: [{ messageId: 'share', statement: 1, message: 'SHARE lock' }] },
    { sql: 'CREATE UNIQUE INDEX users_email_key ON public.users (lower(email));', errors: [{ messageId: 'share', message: 'UNIQUE INDEX on public.users' }] },
    { name: 'another table than the one created', sql: 'CREATE TABLE items (id bigint);\nCREATE INDEX ON orders (item_id);', errors: [{ messageId: 'share', statement: 2 }] },
    { name: 'table created in an earlier migration is not new', sql: 'CREATE INDEX ON items (sku);', context: { before: ['CREATE TABLE items (sku text);'] }, errors: [{ messageId: 'share' }] },
    {
      name: 'measured lock from a sandbox run',
      sql: 'CREATE INDEX users_email_idx ON users (email);',
      context: { observations: [{ statement: 0, locks: [{ relation: 'users', mode: 'SHARE', heldMs: 2100 }] }] },
      errors: [{ messageId: 'share', message: 'SHARE on users for 2.1 s' }],
    },
  ],
});
