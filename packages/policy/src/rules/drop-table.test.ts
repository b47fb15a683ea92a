import { ruleTester } from '../rule-tester.js';
import rule from './drop-table.js';

ruleTester.run(rule, {
  valid: ['CREATE TABLE tmp_import (id int);\nDROP TABLE tmp_import;', 'DROP INDEX CONCURRENTLY i;', 'DROP VIEW v;'],
  invalid: [
    { sql: 'DROP TABLE audit_old;', errors: [{ messageId: 'drop', message: 'DROP TABLE audit_old deletes the table and all its rows;' }] },
    { sql: 'DROP TABLE IF EXISTS a, archive.b CASCADE;', errors: [{ messageId: 'drop', message: 'CASCADE also drops' }, { messageId: 'drop', message: 'archive.b' }] },
  ],
});
