import { ruleTester } from '../rule-tester.js';
import rule from './drop-column.js';

ruleTester.run(rule, {
  valid: [
    'ALTER TABLE users ADD COLUMN tmp int;\nALTER TABLE users DROP COLUMN tmp;',
    'CREATE TABLE t (a int, b int);\nALTER TABLE t DROP COLUMN b;',
    'ALTER TABLE users DROP CONSTRAINT users_legacy_check;',
  ],
  invalid: [
    { sql: 'ALTER TABLE users DROP COLUMN legacy_flag;', errors: [{ messageId: 'drop', message: 'DROP COLUMN legacy_flag on users deletes its data for good' }] },
    { sql: 'ALTER TABLE users DROP COLUMN IF EXISTS a, DROP COLUMN b CASCADE;', errors: [{ messageId: 'drop', message: ' a ' }, { messageId: 'drop', message: ' b ' }] },
  ],
});
