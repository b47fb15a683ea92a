import { ruleTester } from '../rule-tester.js';
import rule from './drop-schema-or-database.js';

ruleTester.run(rule, {
  valid: ['CREATE SCHEMA IF NOT EXISTS reporting;', 'DROP TABLE reporting.t;'],
  invalid: [
    { sql: 'DROP SCHEMA reporting CASCADE;', errors: [{ messageId: 'schema', message: 'CASCADE drops them all' }] },
    { sql: 'DROP SCHEMA IF EXISTS a, b;', errors: [{ messageId: 'schema', message: 'fails unless it is empty' }, { messageId: 'schema' }] },
    { sql: 'DROP DATABASE legacy;', errors: [{ messageId: 'database', message: 'legacy' }] },
  ],
});
