import { ruleTester } from '../rule-tester.js';
import rule from './non-idempotent-ddl-outside-transaction.js';

ruleTester.run(rule, {
  valid: [
    'CREATE INDEX CONCURRENTLY IF NOT EXISTS users_email_idx ON users (email);',
    'DROP INDEX CONCURRENTLY IF EXISTS users_email_idx;',
    'CREATE TABLE IF NOT EXISTS t (a int);',
    'ALTER TABLE t ADD COLUMN IF NOT EXISTS b int, DROP COLUMN IF EXISTS c;',
    { sql: 'CREATE TABLE t (a int);', context: { inTransaction: true } },
    { sql: 'CREATE TABLE t (a int);', context: { inTransaction: 'unknown' } },
  ],
  invalid: [
    { sql: 'CREATE INDEX CONCURRENTLY users_email_idx ON users (email);', errors: [{ messageId: 'rerun', message: 'INVALID index users_email_idx' }] },
    { sql: 'CREATE TABLE t (a int);', errors: [{ messageId: 'rerun', message: 'CREATE TABLE t' }] },
    { sql: 'DROP TABLE t;', errors: [{ messageId: 'rerun', message: 'does not exist' }] },
    { sql: 'ALTER TABLE t ADD COLUMN b int;', errors: [{ messageId: 'rerun', message: 'ADD COLUMN' }] },
    { sql: 'ALTER TABLE t DROP COLUMN b;', errors: [{ messageId: 'rerun', message: 'DROP COLUMN' }] },
    { sql: 'CREATE INDEX i ON t (a);', errors: [{ messageId: 'rerun', message: 'CREATE INDEX i fails' }] },
  ],
});
