import { ruleTester } from '../rule-tester.js';
import rule from './fk-without-index.js';

ruleTester.run(rule, {
  valid: [
    'CREATE TABLE orders (id bigint PRIMARY KEY, user_id bigint REFERENCES users (id));\nCREATE INDEX orders_user_id_idx ON orders (user_id);',
    'CREATE TABLE memberships (user_id bigint REFERENCES users (id), group_id bigint, PRIMARY KEY (user_id, group_id));',
    { name: 'index from an earlier migration', sql: 'ALTER TABLE orders ADD CONSTRAINT fk FOREIGN KEY (user_id) REFERENCES users (id) NOT VALID;', context: { before: ['CREATE INDEX orders_user_id_idx ON orders (user_id, created_at);'] } },
  ],
  invalid: [
    { sql: 'CREATE TABLE orders (id bigint PRIMARY KEY, user_id bigint REFERENCES users (id));', errors: [{ messageId: 'missing', message: 'orders (user_id) → users' }] },
    { sql: 'ALTER TABLE orders ADD CONSTRAINT fk FOREIGN KEY (user_id) REFERENCES users (id) NOT VALID;\nCREATE INDEX ON orders (created_at, user_id);', errors: [{ messageId: 'missing', statement: 1 }] },
  ],
});
