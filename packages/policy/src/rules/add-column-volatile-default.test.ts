import { ruleTester } from '../rule-tester.js';
import rule from './add-column-volatile-default.js';

ruleTester.run(rule, {
  valid: [
    "ALTER TABLE orders ADD COLUMN status text DEFAULT 'new';",
    'ALTER TABLE orders ADD COLUMN created_at timestamptz DEFAULT now();',
    'ALTER TABLE orders ADD COLUMN created_at timestamptz NOT NULL DEFAULT CURRENT_TIMESTAMP;',
    "ALTER TABLE orders ADD COLUMN tags text[] DEFAULT '{}'::text[];",
    "ALTER TABLE orders ADD COLUMN code text DEFAULT lower('ABC') || 'x';",
    'ALTER TABLE orders ADD COLUMN n int DEFAULT NULL;',
    'ALTER TABLE orders ADD COLUMN amount numeric DEFAULT (1 + 2) * 3;',
    { name: 'new table', sql: 'CREATE TABLE t (a int);\nALTER TABLE t ADD COLUMN token uuid DEFAULT gen_random_uuid();' },
    { name: 'a sandbox run saw no rewrite', sql: 'ALTER TABLE orders ADD COLUMN token uuid DEFAULT my_stable_fn();', context: { observations: [{ statement: 0, rewritten: [] }] } },
  ],
  invalid: [
    { sql: 'ALTER TABLE orders ADD COLUMN token uuid DEFAULT gen_random_uuid();', errors: [{ messageId: 'volatile', message: 'gen_random_uuid()' }] },
    { sql: 'ALTER TABLE orders ADD COLUMN r float8 DEFAULT random();', errors: [{ messageId: 'volatile', message: 'random()' }] },
    { sql: 'ALTER TABLE orders ADD COLUMN t timestamptz DEFAULT clock_timestamp();', errors: [{ messageId: 'volatile' }] },
    { sql: "ALTER TABLE orders ADD COLUMN n bigint DEFAULT nextval('orders_seq');", errors: [{ messageId: 'volatile', message: 'nextval()' }] },
    { name: 'unknown user function is assumed volatile', sql: 'ALTER TABLE orders ADD COLUMN c text DEFAULT public.make_code();', errors: [{ messageId: 'volatile', message: 'public.make_code()' }] },
    { name: 'volatile argument of a stable function', sql: 'ALTER TABLE orders ADD COLUMN h text DEFAULT md5(random()::text);', errors: [{ messageId: 'volatile', message: 'random()' }] },
    { sql: "ALTER TABLE orders ADD COLUMN status text DEFAULT 'new';", context: { pgVersion: 10 }, errors: [{ messageId: 'pre11', message: 'PostgreSQL 10' }] },
    {
      name: 'domain with a CHECK constraint',
      sql: 'ALTER TABLE orders ADD COLUMN amount positive_int;',
      context: { before: ['CREATE DOMAIN positive_int AS int CHECK (VALUE > 0);'] },
      errors: [{ messageId: 'domain' }],
    },
  ],
});
