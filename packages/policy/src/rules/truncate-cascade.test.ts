import { ruleTester } from '../rule-tester.js';
import rule from './truncate-cascade.js';

ruleTester.run(rule, {
  valid: ['TRUNCATE users, orders;', 'TRUNCATE users RESTRICT;'],
  invalid: [{ sql: 'TRUNCATE users CASCADE;', errors: [{ messageId: 'cascade', message: 'TRUNCATE users CASCADE also empties every table that references them' }] }],
});
