import { ruleTester } from '../rule-tester.js';
import rule from './irreversible-migration.js';

ruleTester.run(rule, {
  valid: ['ALTER TABLE t ADD COLUMN a int;', { sql: 'ALTER TABLE t ADD COLUMN b int;', context: { reversible: true } }, { sql: 'ALTER TABLE t ADD COLUMN c int;', context: { reversible: 'unknown' as never } }],
  invalid: [
    { sql: 'ALTER TABLE t ADD COLUMN a int;', context: { reversible: false, irreversibleReason: 'downgrade() is empty' }, errors: [{ messageId: 'irreversible', message: 'cannot be rolled back (downgrade() is empty)' }] },
    { sql: 'DROP TABLE t;', context: { reversible: false }, errors: [{ messageId: 'irreversible', message: 'migration.sql cannot be rolled back:' }] },
  ],
});
