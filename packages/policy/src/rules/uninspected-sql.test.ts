import { ruleTester } from '../rule-tester.js';
import rule from './uninspected-sql.js';

ruleTester.run(rule, {
  valid: ['ALTER TABLE t ADD COLUMN a int;', { sql: 'ALTER TABLE t ADD COLUMN b int;', context: { sqlSource: 'native-preview' } }],
  invalid: [
    { sql: 'ALTER TABLE t ADD COLUMN a int;', context: { opaque: ['RunPython(backfill_names)'] }, errors: [{ messageId: 'opaque', message: 'RunPython(backfill_names)' }] },
    { sql: '', context: { sqlSource: 'unavailable' }, errors: [{ messageId: 'unavailable', message: 'could not see the SQL' }] },
  ],
});
