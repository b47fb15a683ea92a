import { ruleTester } from '../rule-tester.js';
import rule from './cannot-run-in-transaction.js';

const tx = { inTransaction: true };

ruleTester.run(rule, {
  valid: ['VACUUM ANALYZE users;', { sql: 'ANALYZE users;', context: tx }, { sql: 'REINDEX TABLE users;', context: tx }],
  invalid: [
    { sql: 'VACUUM ANALYZE users;', context: tx, errors: [{ messageId: 'refused', message: 'VACUUM cannot run inside a transaction block, and this statement runs in one (the framework wraps' }] },
    { sql: 'BEGIN;\nCREATE DATABASE reports;\nCOMMIT;', errors: [{ messageId: 'refused', statement: 2, message: 'BEGIN at line 1' }] },
    { sql: "ALTER SYSTEM SET work_mem = '64MB';", context: tx, errors: [{ messageId: 'refused', message: 'ALTER SYSTEM' }] },
    { sql: 'REINDEX DATABASE app;', context: tx, errors: [{ messageId: 'refused', message: 'REINDEX DATABASE' }] },
    { sql: "CREATE TABLESPACE fast LOCATION '/ssd';", context: tx, errors: [{ messageId: 'refused' }] },
  ],
});
