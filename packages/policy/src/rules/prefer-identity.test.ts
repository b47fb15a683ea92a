import { ruleTester } from '../rule-tester.js';
import rule from './prefer-identity.js';

ruleTester.run(rule, {
  valid: ['CREATE TABLE tags (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY);', 'CREATE TABLE t (n int);'],
  invalid: [
    { sql: 'CREATE TABLE tags (id bigserial PRIMARY KEY);', errors: [{ messageId: 'serial', message: 'tags.id is bigserial' }] },
    { sql: 'ALTER TABLE t ADD COLUMN n serial;', errors: [{ messageId: 'serial' }] },
  ],
});
