import { ruleTester } from '../rule-tester.js';
import rule from './drop-constraint.js';

ruleTester.run(rule, {
  valid: [
    'ALTER TABLE orders ADD CONSTRAINT orders_user_fk2 FOREIGN KEY (user_id) REFERENCES users (id) NOT VALID;',
    { name: 'dropping the NOT VALID helper added in this migration', sql: 'ALTER TABLE users ADD CONSTRAINT nn CHECK (email IS NOT NULL) NOT VALID;\nALTER TABLE users DROP CONSTRAINT nn;' },
    'CREATE TABLE t (a int CONSTRAINT c CHECK (a > 0));\nALTER TABLE t DROP CONSTRAINT c;',
  ],
  invalid: [{ sql: 'ALTER TABLE orders DROP CONSTRAINT orders_user_fk;', errors: [{ messageId: 'drop', message: 'DROP CONSTRAINT orders_user_fk on orders removes an integrity guarantee' }] }],
});
