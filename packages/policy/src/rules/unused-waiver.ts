import { defineRule } from '../define.js';

export default defineRule({
  meta: {
    id: 'unused-waiver',
    code: 'MM003',
    defaultSeverity: 'warning',
    category: 'meta',
    engines: ['postgres'],
    preset: 'recommended',
    since: '0.1.0',
    messages: { unused: 'This waiver waived nothing.' },
    docs: {
      summary: 'A waiver (inline or in the config) that waived nothing.',
      problem:
        'A waiver that matches no finding is either stale (the migration was fixed) or misplaced (above the wrong statement, wrong migration id) — in the second case the finding it was meant for is still reported. Config waivers are only judged for migrations that were part of the run.',
      safeAlternative: 'Delete the waiver, or move the comment directly above (or onto the same line as) the statement it is for.',
      frameworks: {},
      examples: {
        unsafe: '-- metamig:allow drop-table reason: table is empty\nALTER TABLE users ADD COLUMN bio text;',
        safe: '-- metamig:allow drop-table reason: table is empty\nDROP TABLE legacy_audit;',
      },
    },
  },
  create() {
    return {};
  },
});
