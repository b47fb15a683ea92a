import { ruleTester } from '../rule-tester.js';
import rule from './unused-waiver.js';

ruleTester.run(rule, {
  valid: [
    '-- metamig:allow drop-table reason: table is empty\nDROP TABLE legacy_audit;',
    'DROP TABLE legacy_audit; -- metamig:allow drop-table reason: trailing form',
    { sql: 'DROP TABLE legacy_audit;', context: { waivers: [{ migration: 'migration.sql', rule: 'DS102', reason: 'archived' }] } },
    { name: 'config waiver for another migration is not judged', sql: 'SELECT 1;', context: { waivers: [{ migration: 'other.sql', rule: 'drop-table', reason: 'x' }] } },
  ],
  invalid: [
    { sql: '-- metamig:allow drop-table reason: table is empty\nALTER TABLE users ADD COLUMN bio text;', errors: [{ messageId: 'unused', line: 1, message: 'waived nothing' }] },
    { name: 'waiver above the wrong statement', sql: '-- metamig:allow drop-table reason: x\nSELECT 1;\nDROP TABLE legacy;', errors: [{ messageId: 'unused', line: 1 }] },
    { name: 'nothing follows', sql: 'SELECT 1;\n-- metamig:allow drop-table reason: x', errors: [{ messageId: 'unused', message: 'no statement follows it' }] },
    { sql: 'SELECT 1;', context: { waivers: [{ migration: 'migration.sql', rule: 'drop-table', reason: 'x' }] }, errors: [{ messageId: 'unused', message: 'policy.waivers[0]' }] },
  ],
});
