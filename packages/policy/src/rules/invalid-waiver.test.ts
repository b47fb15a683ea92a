import { ruleTester } from '../rule-tester.js';
import rule from './invalid-waiver.js';

ruleTester.run(rule, {
  valid: [
    '-- metamig:allow drop-table reason: emptied and unused since release 42\nDROP TABLE legacy_audit;',
    '/* metamig:allow DS102 reason: archived */ DROP TABLE legacy_audit;',
    '-- metamig:allow-file drop-table, drop-column reason: cleanup release\nDROP TABLE a;\nALTER TABLE b DROP COLUMN c;',
  ],
  invalid: [
    { sql: '-- metamig:allow drop-table\nDROP TABLE legacy_audit;', errors: [{ messageId: 'invalid', line: 1, message: 'has no reason' }] },
    { sql: '-- metamig:allow drop-tabel reason: typo\nDROP TABLE legacy_audit;', errors: [{ messageId: 'invalid', message: 'unknown rule "drop-tabel"' }] },
    { sql: '-- metamig:allow reason: forgot the rule\nDROP TABLE legacy_audit;', errors: [{ messageId: 'invalid', message: 'names no rule' }] },
    { sql: 'DROP TABLE legacy_audit; -- metamig:allow drop-table reason:   ', errors: [{ messageId: 'invalid', message: 'has no reason' }] },
  ],
});
