import { ruleTester } from '../rule-tester.js';
import rule from './drop-not-null.js';

ruleTester.run(rule, {
  valid: ["ALTER TABLE users ALTER COLUMN email SET DEFAULT '';", 'ALTER TABLE users ADD COLUMN x int NOT NULL DEFAULT 0;\nALTER TABLE users ALTER COLUMN x DROP NOT NULL;'],
  invalid: [{ sql: 'ALTER TABLE users ALTER COLUMN email DROP NOT NULL;', errors: [{ messageId: 'drop', message: 'users.email' }] }],
});
