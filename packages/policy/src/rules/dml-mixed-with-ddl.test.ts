import { ruleTester } from '../rule-tester.js';
import rule from './dml-mixed-with-ddl.js';

ruleTester.run(rule, {
  valid: [
    'ALTER TABLE orders ADD COLUMN region text;',
    "UPDATE orders SET region = 'eu' WHERE id < 1000;",
    { name: 'seeding a table created here', sql: "CREATE TABLE regions (code text);\nINSERT INTO regions SELECT code FROM legacy_regions;" },
    { name: 'INSERT … VALUES is not a backfill', sql: "ALTER TABLE roles ADD COLUMN label text;\nINSERT INTO roles (name) VALUES ('admin');" },
  ],
  invalid: [
    { sql: "ALTER TABLE orders ADD COLUMN region text;\nUPDATE orders SET region = 'eu' WHERE id < 1000;", context: { inTransaction: true }, errors: [{ messageId: 'inTransaction', statement: 2, message: 'data (line 2) and the schema of existing tables (line 1)' }] },
    { sql: "UPDATE orders SET region = 'eu' WHERE id < 1000;\nCREATE INDEX o_r ON orders (region);", errors: [{ messageId: 'separate', statement: 2 }] },
  ],
});
