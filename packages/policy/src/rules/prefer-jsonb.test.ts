import { ruleTester } from '../rule-tester.js';
import rule from './prefer-jsonb.js';

ruleTester.run(rule, {
  valid: ['CREATE TABLE payloads (body jsonb);'],
  invalid: [
    { sql: 'CREATE TABLE payloads (body json);', errors: [{ messageId: 'json', message: 'no equality operator' }] },
    { sql: 'ALTER TABLE payloads ADD COLUMN meta json;', errors: [{ messageId: 'json' }] },
  ],
});
