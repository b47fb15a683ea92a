import { ruleTester } from '../rule-tester.js';
import rule from './prefer-timestamptz.js';

ruleTester.run(rule, {
  valid: ['CREATE TABLE events (happened_at timestamptz);', 'CREATE TABLE e (at timestamp with time zone, d date);'],
  invalid: [
    { sql: 'CREATE TABLE events (happened_at timestamp);', errors: [{ messageId: 'naive', message: 'events.happened_at' }] },
    { sql: 'ALTER TABLE events ADD COLUMN seen timestamp(3) without time zone;', errors: [{ messageId: 'naive' }] },
  ],
});
