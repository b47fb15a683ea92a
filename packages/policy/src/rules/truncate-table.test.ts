import { ruleTester } from '../rule-tester.js';
import rule from './truncate-table.js';

ruleTester.run(rule, {
  valid: ['CREATE TABLE import_tmp (id int);\nTRUNCATE import_tmp;', 'TRUNCATE users CASCADE;'],
  invalid: [
    { sql: 'TRUNCATE sessions;', errors: [{ messageId: 'truncate', message: 'TRUNCATE sessions deletes every row' }] },
    { sql: 'TRUNCATE TABLE a, b RESTART IDENTITY;', errors: [{ messageId: 'truncate', message: 'a, b' }] },
  ],
});
