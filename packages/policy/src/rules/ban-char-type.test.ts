import { ruleTester } from '../rule-tester.js';
import rule from './ban-char-type.js';

ruleTester.run(rule, {
  valid: ['CREATE TABLE countries (code text CHECK (char_length(code) = 2));', 'CREATE TABLE t (flag "char");', 'CREATE TABLE t2 (v varchar(2));'],
  invalid: [
    { sql: 'CREATE TABLE countries (code char(2));', errors: [{ messageId: 'char', message: 'char(2)' }] },
    { sql: 'ALTER TABLE t ADD COLUMN c character;', errors: [{ messageId: 'char', message: 'char(1)' }] },
  ],
});
