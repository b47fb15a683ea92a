import { ruleTester } from '../rule-tester.js';
import rule from './rename-or-move-object.js';

ruleTester.run(rule, {
  valid: ['CREATE VIEW current_users AS SELECT * FROM active_users;', 'ALTER INDEX i RENAME TO j;', 'ALTER TABLE t RENAME TO u;'],
  invalid: [
    { sql: 'ALTER VIEW active_users RENAME TO current_users;', errors: [{ messageId: 'rename', message: 'view active_users to current_users' }] },
    { sql: 'ALTER SCHEMA app RENAME TO core;', errors: [{ messageId: 'rename', message: 'schema app' }] },
    { sql: 'ALTER TYPE status RENAME TO order_status;', errors: [{ messageId: 'rename', message: 'type status' }] },
    { sql: 'ALTER TABLE users SET SCHEMA archive;', errors: [{ messageId: 'move', message: 'table users to schema archive' }] },
    { sql: 'ALTER FUNCTION f(int) SET SCHEMA util;', errors: [{ messageId: 'move', message: 'function f' }] },
  ],
});
