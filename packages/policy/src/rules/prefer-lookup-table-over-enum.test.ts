import { ruleTester } from '../rule-tester.js';
import rule from './prefer-lookup-table-over-enum.js';

ruleTester.run(rule, {
  valid: ['CREATE TABLE order_status (name text PRIMARY KEY);', "ALTER TYPE s ADD VALUE 'x' AFTER 'y';"],
  invalid: [{ sql: "CREATE TYPE order_status AS ENUM ('new', 'paid');", errors: [{ messageId: 'enum', message: 'order_status' }] }],
});
