import { ruleTester } from '../rule-tester.js';
import rule from './transaction-nesting.js';

ruleTester.run(rule, {
  valid: [
    'BEGIN;\nALTER TABLE t ADD COLUMN a int;\nCOMMIT;',
    'BEGIN;\nALTER TABLE t ADD COLUMN a int;\nCOMMIT;\nBEGIN;\nALTER TABLE t ADD COLUMN b int;\nCOMMIT;',
    { sql: 'ALTER TABLE t ADD COLUMN a int;', context: { inTransaction: true } },
    { name: 'runner unknown: no judgment on COMMIT', sql: 'COMMIT;', context: { inTransaction: 'unknown' } },
    'BEGIN;\nSAVEPOINT s;\nROLLBACK TO SAVEPOINT s;\nCOMMIT;',
  ],
  invalid: [
    { sql: 'BEGIN;\nALTER TABLE t ADD COLUMN a int;\nCOMMIT;', context: { inTransaction: true }, errors: [{ messageId: 'runnerBegin', statement: 1 }] },
    { sql: 'ALTER TABLE t ADD COLUMN a int;\nCOMMIT;\nCREATE INDEX CONCURRENTLY i ON t (a);', context: { inTransaction: true }, errors: [{ messageId: 'runnerEnd', statement: 2, message: 'COMMIT inside a migration' }] },
    { sql: 'BEGIN;\nBEGIN;\nCOMMIT;', errors: [{ messageId: 'nestedBegin', statement: 2, message: 'opened at line 1' }] },
    { sql: 'ALTER TABLE t ADD COLUMN a int;\nCOMMIT;', errors: [{ messageId: 'stray', statement: 2 }] },
    { sql: 'START TRANSACTION;\nROLLBACK;\nROLLBACK;', errors: [{ messageId: 'stray', statement: 3, message: 'ROLLBACK without an open transaction' }] },
  ],
});
