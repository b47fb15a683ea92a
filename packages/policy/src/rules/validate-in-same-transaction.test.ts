import { ruleTester } from '../rule-tester.js';
import rule from './validate-in-same-transaction.js';

const tx = { inTransaction: true };
const add = 'ALTER TABLE orders ADD CONSTRAINT orders_user_fk FOREIGN KEY (user_id) REFERENCES users (id) NOT VALID;';

ruleTester.run(rule, {
  valid: [
    { sql: 'ALTER TABLE orders VALIDATE CONSTRAINT orders_user_fk;', context: tx },
    { name: 'not in a transaction', sql: `${add}\nALTER TABLE orders VALIDATE CONSTRAINT orders_user_fk;` },
    { name: 'explicit COMMIT in between', sql: `BEGIN;\n${add}\nCOMMIT;\nBEGIN;\nALTER TABLE orders VALIDATE CONSTRAINT orders_user_fk;\nCOMMIT;` },
  ],
  invalid: [
    { sql: `${add}\nALTER TABLE orders VALIDATE CONSTRAINT orders_user_fk;`, context: tx, errors: [{ messageId: 'same', statement: 2 }] },
    { name: 'explicit transaction', sql: `BEGIN;\n${add}\nALTER TABLE orders VALIDATE CONSTRAINT orders_user_fk;\nCOMMIT;`, errors: [{ messageId: 'same', statement: 3 }] },
    { name: 'blocking lock already held', sql: 'ALTER TABLE orders ADD COLUMN note text;\nALTER TABLE orders VALIDATE CONSTRAINT orders_user_fk;', context: tx, errors: [{ messageId: 'held', message: 'ACCESS EXCLUSIVE on orders' }] },
  ],
});
