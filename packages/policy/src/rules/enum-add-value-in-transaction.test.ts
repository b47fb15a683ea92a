import { ruleTester } from '../rule-tester.js';
import rule from './enum-add-value-in-transaction.js';

const tx = { inTransaction: true };

ruleTester.run(rule, {
  valid: [
    { sql: "ALTER TYPE status ADD VALUE 'archived';", context: tx },
    { name: 'used after a COMMIT', sql: "BEGIN;\nALTER TYPE status ADD VALUE 'archived';\nCOMMIT;\nUPDATE orders SET status = 'archived' WHERE id = 1;" },
    { name: 'PG 11 outside a transaction', sql: "ALTER TYPE status ADD VALUE 'archived';", context: { pgVersion: 11 } },
    { name: 'not in a transaction', sql: "ALTER TYPE status ADD VALUE 'archived';\nUPDATE orders SET status = 'archived' WHERE id = 1;" },
  ],
  invalid: [
    { sql: "ALTER TYPE status ADD VALUE 'archived';\nUPDATE orders SET status = 'archived' WHERE id = 1;", context: tx, errors: [{ messageId: 'used', statement: 2, message: "'archived'" }] },
    { sql: "ALTER TYPE status ADD VALUE 'archived';", context: { ...tx, pgVersion: 11 }, errors: [{ messageId: 'pre12', message: 'PostgreSQL 11' }] },
  ],
});
