import { ruleTester } from '../rule-tester.js';
import rule from './missing-lock-timeout.js';

ruleTester.run(rule, {
  valid: [
    "SET lock_timeout = '2s';\nALTER TABLE users ADD COLUMN bio text;",
    "SET lock_timeout TO 1000;\nCREATE INDEX users_email_idx ON users (email);",
    { name: 'SET LOCAL inside the runner transaction', sql: "SET LOCAL lock_timeout = '2s';\nALTER TABLE users ADD COLUMN bio text;", context: { inTransaction: true } },
    "SELECT set_config('lock_timeout', '3s', false);\nDROP TABLE old_things;",
    { name: 'only new tables', sql: 'CREATE TABLE t (a int);\nCREATE INDEX ON t (a);\nALTER TABLE t ADD COLUMN b int;' },
    { name: 'non-blocking locks only', sql: 'CREATE INDEX CONCURRENTLY i ON users (email);\nALTER TABLE users VALIDATE CONSTRAINT c;' },
    { name: 'DML takes ROW EXCLUSIVE only', sql: 'UPDATE users SET a = 1 WHERE id = 1;' },
    { name: 'raised maximum', sql: "SET lock_timeout = '30s';\nALTER TABLE users ADD COLUMN bio text;", options: { maxMs: 60000 } },
  ],
  invalid: [
    { sql: 'ALTER TABLE users ADD COLUMN bio text;', errors: [{ messageId: 'missing', message: 'needs ACCESS EXCLUSIVE on users (it blocks reads and writes)' }] },
    { name: 'set after the statement', sql: "CREATE INDEX users_email_idx ON users (email);\nSET lock_timeout = '2s';", errors: [{ messageId: 'missing', statement: 1, message: 'SHARE on users (it blocks writes)' }] },
    { name: 'reported once per migration', sql: 'ALTER TABLE users ADD COLUMN a int;\nALTER TABLE orders ADD COLUMN b int;', errors: [{ messageId: 'missing', statement: 1 }] },
    { name: 'SET LOCAL outside a transaction has no effect', sql: "SET LOCAL lock_timeout = '2s';\nALTER TABLE users ADD COLUMN bio text;", errors: [{ messageId: 'missing' }] },
    { name: 'RESET', sql: "SET lock_timeout = '2s';\nRESET lock_timeout;\nDROP TABLE old;", errors: [{ messageId: 'missing', statement: 3 }] },
    { sql: "SET lock_timeout = 0;\nALTER TABLE users ADD COLUMN bio text;", errors: [{ messageId: 'disabled' }] },
    { sql: "SET lock_timeout = '1min';\nALTER TABLE users ADD COLUMN bio text;", errors: [{ messageId: 'tooLong', message: 'lock_timeout is 60.0 s here, longer than the policy maximum of 10.0 s' }] },
  ],
});
