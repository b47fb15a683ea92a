import { ruleTester } from '../rule-tester.js';
import rule from './observed-rewrite.js';

ruleTester.run(rule, {
  valid: [
    "ALTER TABLE orders ALTER COLUMN note SET DEFAULT '';",
    { sql: "ALTER TABLE orders ALTER COLUMN note SET DEFAULT '';", context: { observations: [{ statement: 0, rewritten: [] }] } },
    { name: 'explained by a static rule', sql: 'ALTER TABLE orders ALTER COLUMN id TYPE bigint;', context: { observations: [{ statement: 0, rewritten: ['orders'] }] } },
  ],
  invalid: [
    { sql: "ALTER TABLE orders ALTER COLUMN note SET DEFAULT '';", context: { observations: [{ statement: 0, rewritten: ['orders'] }] }, errors: [{ messageId: 'rewritten', message: 'rewrote table orders' }] },
    {
      name: 'only the statement the observation names',
      sql: 'SELECT 1;\nUPDATE orders SET a = 1 WHERE id = 1;',
      context: { observations: [{ statement: 1, rewritten: ['public.orders'] }] },
      errors: [{ messageId: 'rewritten', statement: 2 }],
    },
  ],
});
