import { ruleTester } from '../rule-tester.js';
import rule from './unbatched-dml.js';

ruleTester.run(rule, {
  valid: [
    'UPDATE users SET active = true WHERE id >= 1 AND id < 10001;',
    'DELETE FROM sessions WHERE expires_at < now() - interval \'30 days\';',
    { name: 'table created in this migration', sql: 'CREATE TABLE t (a int);\nUPDATE t SET a = 1;' },
    { name: 'IS NULL on an old column bounds nothing we can judge', sql: 'UPDATE users SET locale = \'en\' WHERE locale IS NULL;' },
  ],
  invalid: [
    { sql: 'UPDATE users SET active = true;', errors: [{ messageId: 'whole', message: 'UPDATE on users has no WHERE clause' }] },
    { sql: 'DELETE FROM audit_log;', errors: [{ messageId: 'whole', message: 'DELETE on audit_log' }] },
    { sql: 'UPDATE users SET active = true WHERE true;', errors: [{ messageId: 'whole', message: 'WHERE true' }] },
    { sql: 'DELETE FROM users WHERE 1 = 1;', errors: [{ messageId: 'whole', message: 'always-true' }] },
    { name: 'backfill of a column just added', sql: "ALTER TABLE users ADD COLUMN locale text;\nUPDATE users SET locale = 'en' WHERE locale IS NULL;", errors: [{ messageId: 'whole', statement: 2, message: 'locale was added in this migration' }] },
  ],
});
