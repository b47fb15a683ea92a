import { ruleTester } from '../rule-tester.js';
import rule from './work-after-exclusive-lock.js';

const tx = { inTransaction: true };

ruleTester.run(rule, {
  valid: [
    { sql: 'ALTER TABLE orders ADD COLUMN note text;\nALTER TABLE orders ADD COLUMN note2 text;', context: tx },
    { name: 'not in a transaction: each statement commits', sql: "ALTER TABLE orders ADD COLUMN note text;\nUPDATE orders SET note = '' WHERE id < 10;" },
    { name: 'slow work first, exclusive lock last', sql: "UPDATE orders SET note = '' WHERE id < 10;\nALTER TABLE orders ADD COLUMN x int;", context: tx },
    { name: 'new table', sql: 'CREATE TABLE t (a int);\nALTER TABLE t ADD COLUMN b int;\nCREATE INDEX ON t (b);', context: tx },
    { name: 'committed in between', sql: 'BEGIN;\nALTER TABLE orders ADD COLUMN n int;\nCOMMIT;\nCREATE INDEX CONCURRENTLY o_n ON orders (n);' },
  ],
  invalid: [
    { sql: "ALTER TABLE orders ADD COLUMN note text;\nUPDATE orders SET note = '' WHERE id < 1000;", context: tx, errors: [{ messageId: 'held', statement: 2, message: 'changes rows while the transaction still holds ACCESS EXCLUSIVE on orders' }] },
    { sql: 'ALTER TABLE orders ADD COLUMN n int;\nCREATE INDEX CONCURRENTLY o_n ON orders (n);', context: tx, errors: [{ messageId: 'held', message: 'builds an index' }] },
    { sql: 'ALTER TABLE orders ADD COLUMN n int;\nALTER TABLE users ADD COLUMN m int;', context: tx, errors: [{ messageId: 'held', message: 'locks another table (users)' }] },
    { sql: 'BEGIN;\nALTER TABLE a ADD COLUMN n int;\nALTER TABLE a VALIDATE CONSTRAINT c;\nCOMMIT;', errors: [{ messageId: 'held', statement: 3, message: 'validates a constraint' }] },
    { name: 'reported once per transaction', sql: 'ALTER TABLE a ADD COLUMN n int;\nUPDATE a SET n = 1 WHERE id = 1;\nUPDATE a SET n = 2 WHERE id = 2;', context: tx, errors: [{ messageId: 'held', statement: 2 }] },
  ],
});
