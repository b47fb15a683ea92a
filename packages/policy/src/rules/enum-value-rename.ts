import { strings } from '../ast.js';
import { defineRule } from '../define.js';

export default defineRule({
  meta: {
    id: 'enum-value-rename',
    code: 'BC106',
    defaultSeverity: 'error',
    category: 'compatibility',
    engines: ['postgres'],
    preset: 'recommended',
    since: '0.1.0',
    messages: {
      rename: "ALTER TYPE {{type}} RENAME VALUE '{{from}}' TO '{{to}}': rows keep their value under the new label, so the running code that writes or compares '{{from}}' fails (\"invalid input value for enum\") from the moment this commits.",
    },
    docs: {
      summary: 'Renaming an enum label breaks code that still uses the old label.',
      problem:
        '`RENAME VALUE` changes the label of existing rows atomically; the application version still running keeps sending the old label and its writes fail with "invalid input value for enum". PostgreSQL cannot drop enum values at all, so there is no easy way back.',
      safeAlternative: 'Add the new label (`ADD VALUE`), switch the code to write it, backfill existing rows in batches, and stop using the old label; leave the old label in the type (or recreate the type much later).',
      frameworks: {
        rails: 'Use `add_enum_value` for the new label and backfill; avoid `rename_enum_value` while code uses the old one.',
        prisma: 'Add the new enum member, migrate the data, then remove the old member from schema.prisma in a later release.',
      },
      examples: { unsafe: "ALTER TYPE order_status RENAME VALUE 'canceled' TO 'cancelled';", safe: "ALTER TYPE order_status ADD VALUE 'cancelled' AFTER 'canceled';" },
    },
  },
  create(ctx) {
    return {
      AlterEnumStmt(node) {
        if (!node.oldVal) return;
        ctx.report({ messageId: 'rename', data: { type: strings(node.typeName).join('.'), from: node.oldVal, to: node.newVal ?? '?' } });
      },
    };
  },
});
