import { as, show, tableRef } from '../ast.js';
import { defineRule } from '../define.js';

export default defineRule({
  meta: {
    id: 'truncate-table',
    code: 'DS104',
    defaultSeverity: 'warning',
    category: 'destructive',
    engines: ['postgres'],
    preset: 'recommended',
    since: '0.1.0',
    messages: {
      truncate: 'TRUNCATE {{tables}} deletes every row (no WHERE, no undo after commit) and takes ACCESS EXCLUSIVE on each table: all reads and writes on them wait for it.',
    },
    docs: {
      summary: 'TRUNCATE in a migration deletes all rows and takes an ACCESS EXCLUSIVE lock.',
      problem: '`TRUNCATE` empties the table instantly and irreversibly once committed, and it needs ACCESS EXCLUSIVE (it queues behind every running query on the table, and every later query queues behind it).',
      safeAlternative: 'Make sure the data really is disposable (a staging/import table, or backed up). For large deletes that must keep the table online, delete in batches instead.',
      frameworks: {},
      examples: { unsafe: 'TRUNCATE sessions;', safe: 'CREATE TABLE import_tmp (id int);\nTRUNCATE import_tmp;' },
    },
  },
  create(ctx) {
    return {
      TruncateStmt(node) {
        if (node.behavior === 'DROP_CASCADE') return; // truncate-cascade reports it
        const refs = (node.relations ?? []).map((r) => tableRef(as(r, 'RangeVar'))).filter((r) => r && !ctx.state.isNew(r));
        if (refs.length) ctx.report({ messageId: 'truncate', data: { tables: refs.map(show).join(', ') } });
      },
    };
  },
});
