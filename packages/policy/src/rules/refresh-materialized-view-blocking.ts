import { show, tableRef } from '../ast.js';
import { defineRule } from '../define.js';

export default defineRule({
  meta: {
    id: 'refresh-materialized-view-blocking',
    code: 'PG112',
    defaultSeverity: 'warning',
    category: 'locking',
    engines: ['postgres'],
    preset: 'recommended',
    since: '0.1.0',
    messages: {
      accessExclusive: 'REFRESH MATERIALIZED VIEW {{view}} recomputes it under ACCESS EXCLUSIVE: every query reading {{view}} waits until the whole view has been recomputed.',
    },
    docs: {
      summary: 'REFRESH MATERIALIZED VIEW without CONCURRENTLY blocks every read of the view.',
      problem: 'A plain refresh holds ACCESS EXCLUSIVE on the materialized view while its query runs again: readers wait for the whole recomputation.',
      safeAlternative:
        'Use `REFRESH MATERIALIZED VIEW CONCURRENTLY` (EXCLUSIVE: reads continue). It needs a unique index on the view and a view that has been populated once.',
      frameworks: {},
      examples: { unsafe: 'REFRESH MATERIALIZED VIEW sales_summary;', safe: 'REFRESH MATERIALIZED VIEW CONCURRENTLY sales_summary;' },
    },
  },
  create(ctx) {
    return {
      RefreshMatViewStmt(node) {
        const ref = tableRef(node.relation);
        if (node.concurrent || ctx.state.isNew(ref)) return;
        ctx.report({ messageId: 'accessExclusive', data: { view: show(ref) } });
      },
    };
  },
});
