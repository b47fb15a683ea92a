import { ruleTester } from '../rule-tester.js';
import rule from './prefer-bigint.js';

ruleTester.run(rule, {
  valid: ['CREATE TABLE accounts (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, age int, votes smallint);', 'ALTER TABLE orders ADD COLUMN account_id bigint;', 'CREATE TABLE t (id bigserial PRIMARY KEY);'],
  invalid: [
    { sql: 'CREATE TABLE accounts (id serial PRIMARY KEY, name text);', errors: [{ messageId: 'small', message: 'accounts.id is serial (maximum 2,147,483,647)' }] },
    { sql: 'ALTER TABLE orders ADD COLUMN account_id int;', errors: [{ messageId: 'small', message: 'orders.account_id is int4' }] },
    { sql: 'CREATE TABLE tags (code smallint PRIMARY KEY);', errors: [{ messageId: 'small', message: '32,767' }] },
    { sql: 'ALTER TABLE orders ALTER COLUMN user_id TYPE integer;', errors: [{ messageId: 'small', message: 'orders.user_id' }] },
  ],
});
