import { z } from 'zod';
import { show } from '../ast.js';
import { defineRule } from '../define.js';

export default defineRule({
  meta: {
    id: 'wide-non-unique-index',
    code: 'HY111',
    defaultSeverity: 'info',
    category: 'hygiene',
    engines: ['postgres'],
    since: '0.1.0',
    options: z.strictObject({ maxColumns: z.number().int().positive().default(3) }),
    messages: {
      wide: 'Non-unique index on {{table}} with {{count}} columns (more than {{max}}): every write maintains all of them, and queries rarely use more than the leading few. Prefer a narrower index on the most selective columns.',
    },
    docs: {
      summary: 'Non-unique indexes with many columns (opt-in).',
      problem: 'Each extra column makes the index bigger and every INSERT/UPDATE slower, while the planner can only use a leading prefix of the columns. Wide non-unique indexes are usually a sign of indexing a query shape instead of selective columns.',
      safeAlternative: 'Index the few most selective columns; use INCLUDE (…) for columns only needed for index-only scans.',
      frameworks: {},
      examples: { unsafe: 'CREATE INDEX CONCURRENTLY orders_wide_idx ON orders (a, b, c, d);', safe: 'CREATE INDEX CONCURRENTLY orders_ab_idx ON orders (a, b) INCLUDE (c, d);' },
    },
  },
  create(ctx) {
    return {
      IndexStmt(node, path) {
        const n = node.indexParams?.length ?? 0;
        if (!node.unique && n > ctx.options.maxColumns) ctx.report({ messageId: 'wide', data: { table: show(path.table), count: n, max: ctx.options.maxColumns } });
      },
    };
  },
});
