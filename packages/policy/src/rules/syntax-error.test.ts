import { ruleTester } from '../rule-tester.js';
import rule from './syntax-error.js';

ruleTester.run(rule, {
  valid: ['CREATE INDEX CONCURRENTLY users_email_idx ON users (email);', "SELECT 'é; not a separator';", 'CREATE FUNCTION f() RETURNS int LANGUAGE sql AS $$ SELECT 1; $$;'],
  invalid: [
    { sql: 'CREATE INDEX ON;', errors: [{ messageId: 'syntax', line: 1, message: 'syntax error at or near ";"' }] },
    { name: 'no semicolon at the end', sql: 'CREATE INDEX ON', errors: [{ messageId: 'syntax', message: 'syntax error at end of input' }] },
    { name: 'the other statements are still linted', sql: 'ALTER TABLE t ADD COLUMN a int;\nSELEC 1;\nALTER TABLE t ADD COLUMN b int;', errors: [{ messageId: 'syntax', line: 2, message: 'syntax error at or near "SELEC" (line 2, column 1)' }] },
    { name: 'position after non-ASCII text', sql: "SELECT 'ééé' frm t;", errors: [{ messageId: 'syntax', message: 'column 18' }] },
    { name: 'unterminated string', sql: "SELECT 1;\nSELECT 'abc;", errors: [{ messageId: 'syntax', line: 2, message: 'unterminated quoted string' }] },
  ],
});
