import { ruleTester } from '../rule-tester.js';
import rule from './set-not-null-full-scan.js';

ruleTester.run(rule, {
  valid: [
    { name: 'validated CHECK in the same migration (PG 12+)', sql: 'ALTER TABLE users ADD CONSTRAINT users_email_nn CHECK (email IS NOT NULL) NOT VALID;\nALTER TABLE users VALIDATE CONSTRAINT users_email_nn;\nALTER TABLE users ALTER COLUMN email SET NOT NULL;' },
    { name: 'check added in an earlier migration, validated here', sql: 'ALTER TABLE users VALIDATE CONSTRAINT users_email_nn;\nALTER TABLE users ALTER COLUMN email SET NOT NULL;', context: { before: ['ALTER TABLE users ADD CONSTRAINT users_email_nn CHECK (email IS NOT NULL) NOT VALID;'] } },
    { name: 'cross-migration: only the VALIDATE is visible, named after the column', sql: 'ALTER TABLE users VALIDATE CONSTRAINT users_email_not_null;\nALTER TABLE users ALTER COLUMN email SET NOT NULL;' },
    { name: 'new table', sql: 'CREATE TABLE t (a int);\nALTER TABLE t ALTER COLUMN a SET NOT NULL;' },
    'ALTER TABLE users ADD CONSTRAINT users_email_nn NOT NULL email NOT VALID;',
  ],
  invalid: [
    { sql: 'ALTER TABLE users ALTER COLUMN email SET NOT NULL;', errors: [{ messageId: 'scan', message: 'Prove it first with a CHECK' }] },
    { name: 'check not validated yet', sql: 'ALTER TABLE users ADD CONSTRAINT c CHECK (email IS NOT NULL) NOT VALID;\nALTER TABLE users ALTER COLUMN email SET NOT NULL;', errors: [{ messageId: 'scan', statement: 2 }] },
    { name: 'check on another column', sql: 'ALTER TABLE users ADD CONSTRAINT c CHECK (name IS NOT NULL);\nALTER TABLE users ALTER COLUMN email SET NOT NULL;', errors: [{ messageId: 'scan' }] },
    {
      name: 'PG 11: the CHECK does not help',
      sql: 'ALTER TABLE users ADD CONSTRAINT c CHECK (email IS NOT NULL) NOT VALID;\nALTER TABLE users VALIDATE CONSTRAINT c;\nALTER TABLE users ALTER COLUMN email SET NOT NULL;',
      context: { pgVersion: 11 },
      errors: [{ messageId: 'scan', statement: 3, message: 'Before PostgreSQL 12' }],
    },
    { sql: 'ALTER TABLE users ADD CONSTRAINT users_email_nn NOT NULL email;', errors: [{ messageId: 'constraint', message: 'NOT NULL email on users' }] },
  ],
});
