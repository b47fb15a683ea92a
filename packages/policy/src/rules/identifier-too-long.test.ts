import { ruleTester } from '../rule-tester.js';
import rule from './identifier-too-long.js';

const long = 'a'.repeat(64);
const ok = 'b'.repeat(63);

ruleTester.run(rule, {
  valid: [`CREATE TABLE ${ok} (id bigint);`, 'CREATE INDEX cse_customer_created_idx ON t (a);', `CREATE TABLE t (${ok} int);`, `COMMENT ON TABLE t IS '${long}';`],
  invalid: [
    { sql: `CREATE TABLE ${long} (id bigint);`, errors: [{ messageId: 'long', message: `is 64 bytes` }] },
    { sql: `CREATE INDEX ${long} ON t (a);`, errors: [{ messageId: 'long', message: 'stored as "' }] },
    { name: 'non-ASCII letters count double', sql: `CREATE TABLE t (${'é'.repeat(32)} int);`, errors: [{ messageId: 'long', message: 'is 64 bytes' }] },
    { sql: `ALTER TABLE t ADD CONSTRAINT ${long} CHECK (a > 0) NOT VALID;`, errors: [{ messageId: 'long' }] },
    { sql: `ALTER TABLE t RENAME TO ${long};`, errors: [{ messageId: 'long' }] },
    { name: 'quoted identifiers keep their case', sql: `CREATE TABLE "${'X'.repeat(70)}" (id bigint);`, errors: [{ messageId: 'long', message: `"${'X'.repeat(70)}" is 70 bytes` }] },
  ],
});
