import { ruleTester } from '../rule-tester.js';
import rule from './duplicate-column-assignment.js';

ruleTester.run(rule, {
  valid: ["UPDATE users SET name = 'a', email = 'b' WHERE id = 1;", 'CREATE TABLE t (a int, b int);', 'INSERT INTO t (a, b) VALUES (1, 2);', 'ALTER TABLE t ADD COLUMN a int, ADD COLUMN b int;'],
  invalid: [
    { sql: "UPDATE users SET name = 'a', name = 'b' WHERE id = 1;", errors: [{ messageId: 'dup', message: 'multiple assignments to same column' }] },
    { sql: 'CREATE TABLE t (a int, a text);', errors: [{ messageId: 'dup', message: 'CREATE TABLE' }] },
    { sql: 'INSERT INTO t (a, a) VALUES (1, 2);', errors: [{ messageId: 'dup', message: 'INSERT' }] },
    { sql: 'ALTER TABLE t ADD COLUMN a int, ADD COLUMN a text;', errors: [{ messageId: 'dup', message: 'column already exists' }] },
  ],
});
