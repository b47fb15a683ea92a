import { ruleTester } from '../rule-tester.js';
import rule from './rename-column.js';

ruleTester.run(rule, {
  valid: ['ALTER TABLE users ADD COLUMN full_name text;', 'ALTER TABLE users ADD COLUMN n text;\nALTER TABLE users RENAME COLUMN n TO nick;', 'CREATE TABLE t (a int);\nALTER TABLE t RENAME COLUMN a TO b;'],
  invalid: [
    { sql: 'ALTER TABLE users RENAME COLUMN name TO full_name;', errors: [{ messageId: 'rename', message: 'still uses "name"' }] },
    { sql: 'ALTER TABLE public.users RENAME name TO full_name;', errors: [{ messageId: 'rename', message: 'public.users' }] },
  ],
});
