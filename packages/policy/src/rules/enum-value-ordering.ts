import { strings } from '../ast.js';
import { defineRule } from '../define.js';

export default defineRule({
  meta: {
    id: 'enum-value-ordering',
    code: 'BC107',
    defaultSeverity: 'info',
    category: 'compatibility',
    engines: ['postgres'],
    preset: 'strict',
    since: '0.1.0',
    messages: {
      unplaced: "ALTER TYPE {{type}} ADD VALUE '{{value}}' without BEFORE/AFTER appends it last: enum comparisons, ORDER BY and range queries on {{type}} use declaration order, so say explicitly where '{{value}}' belongs.",
    },
    docs: {
      summary: 'An enum value added without BEFORE/AFTER lands at the end of the sort order.',
      problem: 'Enum values sort in declaration order, not alphabetically. Appending silently decides how the new value compares to the others (`WHERE status < \'shipped\'`, ORDER BY status).',
      safeAlternative: "State the position: `ALTER TYPE status ADD VALUE 'archived' AFTER 'closed';`.",
      frameworks: {},
      examples: { unsafe: "ALTER TYPE order_status ADD VALUE 'archived';", safe: "ALTER TYPE order_status ADD VALUE 'archived' AFTER 'closed';" },
    },
  },
  create(ctx) {
    return {
      AlterEnumStmt(node) {
        if (node.oldVal || !node.newVal || node.newValNeighbor) return;
        ctx.report({ messageId: 'unplaced', data: { type: strings(node.typeName).join('.'), value: node.newVal } });
      },
    };
  },
});
