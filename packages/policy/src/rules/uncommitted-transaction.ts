import { defineRule } from '../define.js';

export default defineRule({
  meta: {
    id: 'uncommitted-transaction',
    code: 'TX104',
    defaultSeverity: 'error',
    category: 'transactions',
    engines: ['postgres'],
    preset: 'recommended',
    since: '0.1.0',
    messages: {
      open: 'This BEGIN is never committed: when the migration’s session ends, PostgreSQL rolls back everything after it — the framework may still record the migration as applied although none of it stuck.',
    },
    docs: {
      summary: 'A BEGIN without a matching COMMIT or ROLLBACK.',
      problem:
        'If a migration opens a transaction and never commits it, everything after the `BEGIN` is rolled back when the connection closes. Depending on the tool, the migration is still recorded as applied: the schema and the history disagree from then on.',
      safeAlternative: 'Add the `COMMIT;` — or better, remove BEGIN/COMMIT and let the framework manage the transaction.',
      frameworks: {},
      examples: { unsafe: 'BEGIN;\nALTER TABLE t ADD COLUMN a int;', safe: 'BEGIN;\nALTER TABLE t ADD COLUMN a int;\nCOMMIT;' },
    },
  },
  create(ctx) {
    return {
      'migration:exit'() {
        const open = ctx.state.explicitBegin;
        if (open) ctx.report({ messageId: 'open', statement: open });
      },
    };
  },
});
