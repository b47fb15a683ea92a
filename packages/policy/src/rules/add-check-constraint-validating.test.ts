import { ruleTester } from '../rule-tester.js';
import rule from './add-check-constraint-validating.js';

ruleTester.run(rule, {
  valid: [
    'ALTER TABLE orders ADD CONSTRAINT orders_total_check CHECK (total >= 0) NOT VALID;',
    'ALTER TABLE orders VALIDATE CONSTRAINT orders_total_check;',
    'CREATE TABLE o (total int CHECK (total >= 0));',
    { name: 'new table', sql: 'CREATE TABLE o (total int);\nALTER TABLE o ADD CHECK (total > 0);' },
  ],
  invalid: [
    { sql: 'ALTER TABLE orders ADD CONSTRAINT orders_total_check CHECK (total >= 0);', errors: [{ messageId: 'constraint', message: 'orders_total_check' }] },
    { sql: 'ALTER TABLE orders ADD CHECK (total >= 0);', errors: [{ messageId: 'constraint', message: '(unnamed)' }] },
    { sql: 'ALTER TABLE orders ADD COLUMN qty int CHECK (qty > 0);', errors: [{ messageId: 'column', message: 'ADD COLUMN qty' }] },
  ],
});
