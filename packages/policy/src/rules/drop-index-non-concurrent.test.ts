import { ruleTester } from '../rule-tester.js';
import rule from './drop-index-non-concurrent.js';

ruleTester.run(rule, {
  valid: [
    'DROP INDEX CONCURRENTLY users_email_idx;',
    'DROP INDEX CONCURRENTLY IF EXISTS public.users_email_idx;',
    { name: 'index created earlier in the same migration', sql: 'CREATE INDEX tmp_idx ON users (email);\nDROP INDEX tmp_idx;' },
    'DROP TABLE IF EXISTS tmp_table;',
  ],
  invalid: [
    { sql: 'DROP INDEX users_email_idx;', errors: [{ messageId: 'accessExclusive', statement: 1, message: 'ACCESS EXCLUSIVE' }] },
    { sql: 'DROP INDEX IF EXISTS a_idx, public.b_idx;', errors: [{ messageId: 'accessExclusive', message: 'a_idx' }, { messageId: 'accessExclusive', message: 'public.b_idx' }] },
  ],
});
