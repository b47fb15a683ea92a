import { ruleTester } from '../rule-tester.js';
import rule from './concurrently-in-transaction.js';

const tx = { inTransaction: true };

ruleTester.run(rule, {
  valid: [
    'CREATE INDEX CONCURRENTLY users_email_idx ON users (email);',
    { sql: 'CREATE INDEX users_email_idx ON users (email);', context: tx },
    { name: 'after the runner transaction was committed', sql: 'COMMIT;\nCREATE INDEX CONCURRENTLY i ON t (a);', context: tx },
    { name: 'Prisma: alone in its migration', sql: 'CREATE INDEX CONCURRENTLY i ON t (a);', context: { framework: 'prisma' } },
  ],
  invalid: [
    { sql: 'CREATE INDEX CONCURRENTLY users_email_idx ON users (email);', context: tx, errors: [{ messageId: 'runner', message: 'CREATE INDEX CONCURRENTLY cannot run inside a transaction block' }] },
    { sql: 'DROP INDEX CONCURRENTLY users_email_idx;', context: tx, errors: [{ messageId: 'runner', message: 'DROP INDEX CONCURRENTLY' }] },
    { sql: 'REINDEX INDEX CONCURRENTLY users_email_idx;', context: tx, errors: [{ messageId: 'runner', message: 'REINDEX CONCURRENTLY' }] },
    { sql: 'ALTER TABLE events DETACH PARTITION e1 CONCURRENTLY;', context: tx, errors: [{ messageId: 'runner', message: 'DETACH PARTITION' }] },
    { sql: 'BEGIN;\nCREATE INDEX CONCURRENTLY i ON t (a);\nCOMMIT;', errors: [{ messageId: 'explicit', statement: 2, message: 'BEGIN at line 1' }] },
    { name: 'Prisma multi-statement script', sql: 'ALTER TABLE t ADD COLUMN a int;\nCREATE INDEX CONCURRENTLY i ON t (a);', context: { framework: 'prisma' }, errors: [{ messageId: 'multiStatement', statement: 2, message: 'one of 2 statements' }] },
  ],
});
