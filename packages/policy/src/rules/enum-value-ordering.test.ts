import { ruleTester } from '../rule-tester.js';
import rule from './enum-value-ordering.js';

ruleTester.run(rule, {
  valid: ["ALTER TYPE order_status ADD VALUE 'archived' AFTER 'closed';", "ALTER TYPE order_status ADD VALUE IF NOT EXISTS 'draft' BEFORE 'new';"],
  invalid: [{ sql: "ALTER TYPE order_status ADD VALUE 'archived';", errors: [{ messageId: 'unplaced', message: 'appends it last' }] }],
});
