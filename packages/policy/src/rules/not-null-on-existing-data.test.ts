import { ruleTester } from '../rule-tester.js';
import rule from './not-null-on-existing-data.js';

ruleTester.run(rule, {
  valid: ['ALTER TABLE users ALTER COLUMN email DROP DEFAULT;', 'CREATE TABLE t (a int);\nALTER TABLE t ALTER COLUMN a SET NOT NULL;', 'ALTER TABLE users ADD CONSTRAINT nn NOT NULL email NOT VALID;'],
  invalid: [
    { sql: 'ALTER TABLE users ALTER COLUMN email SET NOT NULL;', errors: [{ messageId: 'nulls', message: 'SET NOT NULL on users.email' }] },
    { sql: 'ALTER TABLE users ADD PRIMARY KEY (id);', errors: [{ messageId: 'nulls', message: 'ADD PRIMARY KEY' }] },
    { sql: 'ALTER TABLE users ADD CONSTRAINT nn NOT NULL email;', errors: [{ messageId: 'nulls', message: 'NOT NULL on users.email' }] },
  ],
});
