import { as, show, tableRef } from '../ast.js';
import { defineRule } from '../define.js';

export default defineRule({
  meta: {
    id: 'truncate-cascade',
    code: 'DS105',
    defaultSeverity: 'error',
    category: 'destructive',
    engines: ['postgres'],
    preset: 'recommended',
    since: '0.1.0',
    messages: {
      cascade: 'TRUNCATE {{tables}} CASCADE also empties every table that references them through a foreign key — and the tables that reference those — without naming them: data you did not mean to delete is gone when this commits.',
    },
    docs: {
      summary: 'TRUNCATE … CASCADE silently empties every table that references the truncated ones.',
      problem: '`CASCADE` extends the truncation to all tables with foreign keys pointing at the named tables, recursively. Which tables that is depends on the schema at run time, not on what the migration says.',
      safeAlternative: 'Name every table to truncate explicitly (TRUNCATE fails instead of cascading when a referencing table is missing from the list), after making sure the data is disposable.',
      frameworks: {},
      examples: { unsafe: 'TRUNCATE users CASCADE;', safe: 'TRUNCATE users, orders;' },
    },
  },
  create(ctx) {
    return {
      TruncateStmt(node) {
        if (node.behavior !== 'DROP_CASCADE') return;
        const refs = (node.relations ?? []).map((r) => tableRef(as(r, 'RangeVar'))).filter((r) => !!r);
        ctx.report({ messageId: 'cascade', data: { tables: refs.map(show).join(', ') } });
      },
    };
  },
});
