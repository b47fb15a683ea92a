import { ruleTester } from '../rule-tester.js';
import rule from './expired-waiver.js';

const waiver = (expires: string) => ({ waivers: [{ migration: 'migration.sql', rule: 'drop-table', reason: 'archived to S3 first', expires }], now: '2026-06-01' });

ruleTester.run(rule, {
  valid: [
    { sql: 'DROP TABLE legacy_audit;', context: waiver('2026-06-01') },
    { sql: 'DROP TABLE legacy_audit;', context: waiver('2027-01-01') },
  ],
  invalid: [
    { sql: 'DROP TABLE legacy_audit;', context: waiver('2026-05-31'), errors: [{ messageId: 'expired', message: 'expired on 2026-05-31' }] },
  ],
});
