import { ruleTester } from '../rule-tester.js';
import rule from './reindex-non-concurrent.js';

ruleTester.run(rule, {
  valid: [
    'REINDEX INDEX CONCURRENTLY users_email_idx;',
    'REINDEX (CONCURRENTLY) TABLE users;',
    { name: 'table created in this migration', sql: 'CREATE TABLE t (a int);\nREINDEX TABLE t;' },
  ],
  invalid: [
    { sql: 'REINDEX INDEX users_email_idx;', errors: [{ messageId: 'index', message: 'Use REINDEX … CONCURRENTLY' }] },
    { sql: 'REINDEX TABLE users;', errors: [{ messageId: 'table', message: 'SHARE lock on the table' }] },
    { sql: 'REINDEX TABLE users;', context: { pgVersion: 11 }, errors: [{ messageId: 'table', message: 'PostgreSQL < 12 has no REINDEX CONCURRENTLY' }] },
    { sql: 'REINDEX SCHEMA public;', errors: [{ messageId: 'other', message: 'REINDEX SCHEMA' }] },
  ],
});
