import { ruleTester } from '../rule-tester.js';
import rule from './multiple-alter-same-table.js';

ruleTester.run(rule, {
  valid: ['ALTER TABLE users ADD COLUMN a int, ADD COLUMN b int;', 'ALTER TABLE users ADD COLUMN a int;\nALTER TABLE orders ADD COLUMN b int;', { name: 'new table', sql: 'CREATE TABLE t (x int);\nALTER TABLE t ADD COLUMN a int;\nALTER TABLE t ADD COLUMN b int;' }],
  invalid: [
    { sql: 'ALTER TABLE users ADD COLUMN a int;\nALTER TABLE users ADD COLUMN b int;\nALTER TABLE users ADD COLUMN c int;', errors: [{ messageId: 'again', statement: 2, message: 'ALTER TABLE #2 on users' }] },
  ],
});
