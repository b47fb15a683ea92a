import { ruleTester } from '../rule-tester.js';
import rule from './privilege-changes.js';

ruleTester.run(rule, {
  valid: ["COMMENT ON TABLE orders IS 'customer orders';", 'SELECT 1;'],
  invalid: [
    { sql: 'GRANT SELECT ON orders TO reporting;', errors: [{ messageId: 'grant', message: 'GRANT in a migration' }] },
    { sql: 'REVOKE ALL ON orders FROM app;', errors: [{ messageId: 'grant', message: 'REVOKE' }] },
    { sql: 'CREATE ROLE reporting;\nGRANT reporting TO alice;', errors: [{ messageId: 'grant', message: 'CREATE ROLE' }, { messageId: 'grant', message: 'GRANT role' }] },
    { sql: 'ALTER DEFAULT PRIVILEGES GRANT SELECT ON TABLES TO reporting;', errors: [{ messageId: 'grant', message: 'ALTER DEFAULT PRIVILEGES' }] },
  ],
});
