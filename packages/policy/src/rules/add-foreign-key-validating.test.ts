import { ruleTester } from '../rule-tester.js';
import rule from './add-foreign-key-validating.js';

ruleTester.run(rule, {
  valid: [
    'ALTER TABLE orders ADD CONSTRAINT orders_user_fk FOREIGN KEY (user_id) REFERENCES users (id) NOT VALID;',
    'ALTER TABLE orders VALIDATE CONSTRAINT orders_user_fk;',
    'CREATE TABLE orders (id bigint, user_id bigint REFERENCES users (id));',
    { name: 'new referencing table', sql: 'CREATE TABLE o (user_id bigint);\nALTER TABLE o ADD FOREIGN KEY (user_id) REFERENCES users (id);' },
  ],
  invalid: [
    { sql: 'ALTER TABLE orders ADD CONSTRAINT orders_user_fk FOREIGN KEY (user_id) REFERENCES users (id);', errors: [{ messageId: 'constraint', message: 'SHARE ROW EXCLUSIVE on both tables' }] },
    { sql: 'ALTER TABLE orders ADD COLUMN user_id bigint REFERENCES users (id);', errors: [{ messageId: 'column', message: 'locks users' }] },
    { name: 'new referenced table, existing referencing table', sql: 'CREATE TABLE accounts (id bigint PRIMARY KEY);\nALTER TABLE orders ADD FOREIGN KEY (account_id) REFERENCES accounts (id);', errors: [{ messageId: 'constraint', statement: 2 }] },
  ],
});
