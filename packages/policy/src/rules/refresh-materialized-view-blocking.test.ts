import { ruleTester } from '../rule-tester.js';
import rule from './refresh-materialized-view-blocking.js';

ruleTester.run(rule, {
  valid: ['REFRESH MATERIALIZED VIEW CONCURRENTLY sales_summary;', { name: 'view created in this migration', sql: 'CREATE MATERIALIZED VIEW mv AS SELECT 1 AS a;\nREFRESH MATERIALIZED VIEW mv;' }],
  invalid: [{ sql: 'REFRESH MATERIALIZED VIEW sales_summary;', errors: [{ messageId: 'accessExclusive', message: 'every query reading sales_summary waits' }] }],
});
