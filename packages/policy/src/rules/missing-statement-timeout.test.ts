import { ruleTester } from '../rule-tester.js';
import rule from './missing-statement-timeout.js';

ruleTester.run(rule, {
  valid: [
    "SET statement_timeout = '15s';\nUPDATE users SET flag = false WHERE id < 100;",
    "SET statement_timeout = '5s';\nALTER TABLE users ADD COLUMN bio text;",
    'CREATE TABLE t (a int);\nINSERT INTO t VALUES (1);',
    'CREATE INDEX CONCURRENTLY i ON users (a);',
  ],
  invalid: [
    { sql: 'UPDATE users SET flag = false WHERE id < 100;', errors: [{ messageId: 'missing', message: 'changes rows on users' }] },
    { sql: 'ALTER TABLE users ADD COLUMN bio text;\nALTER TABLE orders ADD COLUMN x int;', errors: [{ messageId: 'missing', statement: 1, message: 'takes ACCESS EXCLUSIVE on users' }] },
  ],
});
