import { ruleTester } from '../rule-tester.js';
import rule from './add-column-generated-stored.js';

ruleTester.run(rule, {
  valid: [
    'ALTER TABLE orders ADD COLUMN total_cents bigint;',
    'ALTER TABLE orders ADD COLUMN total_cents bigint GENERATED ALWAYS AS (total * 100) VIRTUAL;',
    'CREATE TABLE o (total int, cents bigint GENERATED ALWAYS AS (total * 100) STORED);',
  ],
  invalid: [{ sql: 'ALTER TABLE orders ADD COLUMN total_cents bigint GENERATED ALWAYS AS (total * 100) STORED;', errors: [{ messageId: 'stored', message: 'STORED on orders' }] }],
});
