import { ruleTester } from '../rule-tester.js';
import rule from './add-unique-constraint-blocking.js';

ruleTester.run(rule, {
  valid: [
    'ALTER TABLE users ADD CONSTRAINT users_email_key UNIQUE USING INDEX users_email_idx;',
    'CREATE TABLE accounts (id bigint, email text UNIQUE, UNIQUE (id, email));',
    { name: 'new table altered in the same migration', sql: 'CREATE TABLE t (a int);\nALTER TABLE t ADD CONSTRAINT t_a_key UNIQUE (a);' },
    'CREATE UNIQUE INDEX CONCURRENTLY users_email_idx ON users (email);',
  ],
  invalid: [
    { sql: 'ALTER TABLE users ADD CONSTRAINT users_email_key UNIQUE (email);', errors: [{ messageId: 'constraint', message: 'UNIQUE (email) to users' }] },
    { sql: 'ALTER TABLE users ADD UNIQUE (tenant_id, email);', errors: [{ messageId: 'constraint', message: 'tenant_id, email' }] },
    { sql: 'ALTER TABLE users ADD COLUMN handle text UNIQUE;', errors: [{ messageId: 'column', message: 'ADD COLUMN handle' }] },
  ],
});
