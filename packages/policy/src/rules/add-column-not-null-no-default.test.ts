import { ruleTester } from '../rule-tester.js';
import rule from './add-column-not-null-no-default.js';

ruleTester.run(rule, {
  valid: [
    "ALTER TABLE orders ADD COLUMN status text NOT NULL DEFAULT 'new';",
    'ALTER TABLE orders ADD COLUMN status text;',
    'ALTER TABLE orders ADD COLUMN id bigint GENERATED ALWAYS AS IDENTITY NOT NULL;',
    'ALTER TABLE orders ADD COLUMN seq bigserial NOT NULL;',
    'ALTER TABLE orders ADD COLUMN c int NOT NULL GENERATED ALWAYS AS (a + b) STORED;',
    'CREATE TABLE t (a int);\nALTER TABLE t ADD COLUMN b int NOT NULL;',
  ],
  invalid: [
    { sql: 'ALTER TABLE orders ADD COLUMN status text NOT NULL;', errors: [{ messageId: 'required', message: 'column contains null values' }] },
    { sql: 'ALTER TABLE orders ADD COLUMN status text NOT NULL DEFAULT NULL;', errors: [{ messageId: 'required' }] },
    { sql: 'ALTER TABLE orders ADD COLUMN k int PRIMARY KEY;', errors: [{ messageId: 'required' }] },
  ],
});
