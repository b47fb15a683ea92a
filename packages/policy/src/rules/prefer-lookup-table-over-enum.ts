import { strings } from '../ast.js';
import { defineRule } from '../define.js';

export default defineRule({
  meta: {
    id: 'prefer-lookup-table-over-enum',
    code: 'HY107',
    defaultSeverity: 'info',
    category: 'hygiene',
    engines: ['postgres'],
    since: '0.1.0',
    messages: {
      enum: 'CREATE TYPE {{type}} AS ENUM: values can be added but never removed, renaming breaks running code, and a new value cannot be used in the transaction that adds it. A lookup table with a foreign key evolves with ordinary migrations.',
    },
    docs: {
      summary: 'Enum types, which are hard to evolve.',
      problem: 'PostgreSQL enums cannot drop values, and adding one has transaction restrictions (see enum-add-value-in-transaction). Every change is a migration with special handling.',
      safeAlternative: 'Use a small lookup table (`CREATE TABLE order_status (name text PRIMARY KEY)`) referenced by a foreign key, or a text column with a CHECK constraint.',
      frameworks: {},
      examples: { unsafe: "CREATE TYPE order_status AS ENUM ('new', 'paid');", safe: 'CREATE TABLE order_status (name text PRIMARY KEY);' },
    },
  },
  create(ctx) {
    return {
      CreateEnumStmt(node) {
        ctx.report({ messageId: 'enum', data: { type: strings(node.typeName).join('.') } });
      },
    };
  },
});
