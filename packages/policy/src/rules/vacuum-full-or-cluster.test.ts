import { ruleTester } from '../rule-tester.js';
import rule from './vacuum-full-or-cluster.js';

ruleTester.run(rule, {
  valid: ['VACUUM orders;', 'VACUUM (ANALYZE, VERBOSE) orders;', 'ANALYZE orders;', { name: 'new table', sql: 'CREATE TABLE t (a int);\nCLUSTER t USING t_a_idx;' }],
  invalid: [
    { sql: 'VACUUM FULL orders;', errors: [{ messageId: 'vacuum', message: 'VACUUM FULL orders' }] },
    { sql: 'VACUUM (FULL, ANALYZE);', errors: [{ messageId: 'vacuum', message: 'every table of the database' }] },
    { sql: 'CLUSTER orders USING orders_created_idx;', errors: [{ messageId: 'cluster' }] },
  ],
});
