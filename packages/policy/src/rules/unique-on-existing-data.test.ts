import { ruleTester } from '../rule-tester.js';
import rule from './unique-on-existing-data.js';

ruleTester.run(rule, {
  valid: [
    'CREATE INDEX CONCURRENTLY users_email_idx ON users (email);',
    'ALTER TABLE users ADD CONSTRAINT users_email_key UNIQUE USING INDEX users_email_idx;',
    'CREATE TABLE t (a int UNIQUE);\nCREATE UNIQUE INDEX ON t (a);',
    'ALTER TABLE users ADD COLUMN handle text UNIQUE;',
  ],
  invalid: [
    { sql: 'CREATE UNIQUE INDEX CONCURRENTLY users_email_key ON users (email);', errors: [{ messageId: 'unique', message: 'leaves an INVALID index behind' }] },
    { sql: 'CREATE UNIQUE INDEX users_email_key ON users (lower(email));', errors: [{ messageId: 'unique', message: '(expression)' }] },
    { sql: 'ALTER TABLE users ADD CONSTRAINT k UNIQUE (tenant_id, email);', errors: [{ messageId: 'unique', message: 'tenant_id, email' }] },
    { sql: 'ALTER TABLE users ADD PRIMARY KEY (id);', errors: [{ messageId: 'unique', message: 'primary key' }] },
  ],
});
