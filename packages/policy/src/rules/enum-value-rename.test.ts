import { ruleTester } from '../rule-tester.js';
import rule from './enum-value-rename.js';

ruleTester.run(rule, {
  valid: ["ALTER TYPE order_status ADD VALUE 'cancelled' AFTER 'canceled';", 'ALTER TYPE order_status RENAME TO status;'],
  invalid: [{ sql: "ALTER TYPE order_status RENAME VALUE 'canceled' TO 'cancelled';", errors: [{ messageId: 'rename', message: "writes or compares 'canceled'" }] }],
});
