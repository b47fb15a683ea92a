import { ruleTester } from '../rule-tester.js';
import rule from './prefer-text-over-varchar.js';

ruleTester.run(rule, {
  valid: ['CREATE TABLE people (name text CHECK (char_length(name) <= 100));', 'CREATE TABLE p (name varchar);'],
  invalid: [
    { sql: 'CREATE TABLE people (name varchar(100));', errors: [{ messageId: 'varchar', message: 'people.name is varchar(100)' }] },
    { sql: 'ALTER TABLE people ADD COLUMN nick character varying(20);', errors: [{ messageId: 'varchar' }] },
  ],
});
