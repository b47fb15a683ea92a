import { ruleTester } from '../rule-tester.js';
import rule from './unqualified-object-name.js';

ruleTester.run(rule, {
  valid: ['ALTER TABLE public.users ADD COLUMN bio text;', 'CREATE TABLE app.t (a int);\nCREATE INDEX ON app.t (a);', 'CREATE TEMP TABLE scratch (a int);'],
  invalid: [
    { sql: 'ALTER TABLE users ADD COLUMN bio text;', errors: [{ messageId: 'unqualified', message: 'ALTER TABLE names users' }] },
    { sql: 'CREATE TABLE t (a int);\nCREATE INDEX ON t (a);', errors: [{ messageId: 'unqualified', statement: 1 }] },
    { sql: 'CREATE INDEX ON orders (a);', errors: [{ messageId: 'unqualified', message: 'CREATE INDEX' }] },
  ],
});
