import { ruleTester } from '../rule-tester.js';
import rule from './uncommitted-transaction.js';

ruleTester.run(rule, {
  valid: ['BEGIN;\nALTER TABLE t ADD COLUMN a int;\nCOMMIT;', 'BEGIN;\nALTER TABLE t ADD COLUMN a int;\nROLLBACK;', 'ALTER TABLE t ADD COLUMN a int;', 'BEGIN;\nCOMMIT AND CHAIN;\nCOMMIT;'],
  invalid: [
    { sql: 'BEGIN;\nALTER TABLE t ADD COLUMN a int;', errors: [{ messageId: 'open', statement: 1 }] },
    { sql: 'BEGIN;\nCOMMIT;\nSTART TRANSACTION;\nALTER TABLE t ADD COLUMN a int;', errors: [{ messageId: 'open', statement: 3 }] },
  ],
});
