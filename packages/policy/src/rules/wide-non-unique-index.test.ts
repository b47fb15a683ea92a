import { ruleTester } from '../rule-tester.js';
import rule from './wide-non-unique-index.js';

ruleTester.run(rule, {
  valid: ['CREATE INDEX CONCURRENTLY orders_ab_idx ON orders (a, b) INCLUDE (c, d);', 'CREATE UNIQUE INDEX CONCURRENTLY k ON orders (a, b, c, d);', { sql: 'CREATE INDEX i ON o (a, b, c, d);', options: { maxColumns: 4 } }],
  invalid: [{ sql: 'CREATE INDEX CONCURRENTLY orders_wide_idx ON orders (a, b, c, d);', errors: [{ messageId: 'wide', message: '4 columns (more than 3)' }] }],
});
