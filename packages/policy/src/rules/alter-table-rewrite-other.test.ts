import { ruleTester } from '../rule-tester.js';
import rule from './alter-table-rewrite-other.js';

ruleTester.run(rule, {
  valid: ['ALTER TABLE events SET (fillfactor = 90);', 'ALTER TABLE events ALTER COLUMN a SET STATISTICS 500;', { name: 'new table', sql: 'CREATE TABLE t (a int);\nALTER TABLE t SET UNLOGGED;' }],
  invalid: [
    { sql: 'ALTER TABLE events SET TABLESPACE archive;', errors: [{ messageId: 'rewrite', message: 'SET TABLESPACE copies every page of events' }] },
    { sql: 'ALTER TABLE events SET LOGGED;', errors: [{ messageId: 'rewrite', message: 'SET LOGGED' }] },
    { sql: 'ALTER TABLE events SET UNLOGGED;', errors: [{ messageId: 'rewrite', message: 'SET UNLOGGED' }] },
    { sql: 'ALTER TABLE events SET ACCESS METHOD heap2;', errors: [{ messageId: 'rewrite', message: 'SET ACCESS METHOD' }] },
    { sql: 'ALTER TABLE events ALTER COLUMN total SET EXPRESSION AS (a * 2);', errors: [{ messageId: 'rewrite', message: 'SET EXPRESSION' }] },
  ],
});
