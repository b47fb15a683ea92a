import { ruleTester } from '../rule-tester.js';
import rule from './rename-table.js';

ruleTester.run(rule, {
  valid: [
    'ALTER TABLE customers RENAME TO clients;\nCREATE VIEW customers AS SELECT * FROM clients;',
    'CREATE TABLE t (a int);\nALTER TABLE t RENAME TO u;',
    'ALTER TABLE customers RENAME COLUMN a TO b;',
  ],
  invalid: [
    { sql: 'ALTER TABLE customers RENAME TO clients;', errors: [{ messageId: 'rename', statement: 1, message: 'still queries "customers"' }] },
    { name: 'a view under another name does not help', sql: 'ALTER TABLE customers RENAME TO clients;\nCREATE VIEW customer_view AS SELECT * FROM clients;', errors: [{ messageId: 'rename', statement: 1 }] },
  ],
});
