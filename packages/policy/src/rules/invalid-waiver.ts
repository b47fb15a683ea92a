import { defineRule } from '../define.js';

export default defineRule({
  meta: {
    id: 'invalid-waiver',
    code: 'MM002',
    defaultSeverity: 'error',
    category: 'meta',
    engines: ['postgres'],
    preset: 'recommended',
    since: '0.1.0',
    messages: { invalid: 'This waiver is invalid and waives nothing.' },
    docs: {
      summary: 'A `metamig:allow` comment without a reason, or naming an unknown rule.',
      problem:
        'A waiver is a decision someone must be able to review later: the reason is what the reviewer and the rollback checklist read. A waiver without `reason:` — or naming a rule id or code that does not exist (a typo) — waives nothing and is reported as an error, so it cannot silently hide a finding or silently fail to.',
      safeAlternative: 'Write `-- metamig:allow <rule-id or code> reason: <why this is safe here>` (config waivers need `reason` too).',
      frameworks: {},
      examples: {
        unsafe: '-- metamig:allow drop-table\nDROP TABLE legacy_audit;',
        safe: '-- metamig:allow drop-table reason: emptied and unused since release 42\nDROP TABLE legacy_audit;',
      },
    },
  },
  // Reported by the waiver pass (suppress.ts), which runs after the rules.
  create() {
    return {};
  },
});
