import { defineRule } from '../define.js';

export default defineRule({
  meta: {
    id: 'expired-waiver',
    code: 'MM004',
    defaultSeverity: 'warning',
    category: 'meta',
    engines: ['postgres'],
    preset: 'recommended',
    since: '0.1.0',
    messages: { expired: 'This config waiver has expired.' },
    docs: {
      summary: 'A config waiver past its `expires` date.',
      problem:
        'Config waivers can carry `expires: YYYY-MM-DD` for temporary exceptions ("until the backfill job has run"). After that day the waiver no longer applies: the finding it covered is reported again at its own severity, and this warning says why.',
      safeAlternative: 'Fix the migration, or renew the waiver with a new date and an updated reason.',
      frameworks: {},
      examples: {
        unsafe: 'DROP TABLE legacy_audit;',
        safe: 'DROP TABLE legacy_audit;',
        context: { waivers: [{ migration: 'migration.sql', rule: 'drop-table', reason: 'archived to S3 first', expires: '2020-01-31' }] },
        safeContext: { waivers: [{ migration: 'migration.sql', rule: 'drop-table', reason: 'archived to S3 first', expires: '2999-12-31' }] },
      },
    },
  },
  create() {
    return {};
  },
});
