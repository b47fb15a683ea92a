import { ruleTester } from '../rule-tester.js';
import rule from './domain-constraint.js';

ruleTester.run(rule, {
  valid: ['CREATE DOMAIN email AS text;', 'ALTER DOMAIN positive_amount ADD CONSTRAINT positive CHECK (VALUE > 0) NOT VALID;', 'ALTER DOMAIN positive_amount VALIDATE CONSTRAINT positive;', 'ALTER DOMAIN d SET NOT NULL;'],
  invalid: [
    { sql: 'CREATE DOMAIN positive_amount AS numeric CHECK (VALUE > 0);', errors: [{ messageId: 'create' }] },
    { sql: 'ALTER DOMAIN positive_amount ADD CONSTRAINT positive CHECK (VALUE > 0);', errors: [{ messageId: 'alter', message: 'SHARE lock' }] },
  ],
});
