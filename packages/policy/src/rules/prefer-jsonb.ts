import { columnType, show } from '../ast.js';
import { defineRule } from '../define.js';
import { columnLabel } from './_shared.js';

export default defineRule({
  meta: {
    id: 'prefer-jsonb',
    code: 'HY106',
    defaultSeverity: 'warning',
    category: 'hygiene',
    engines: ['postgres'],
    preset: 'strict',
    since: '0.1.0',
    messages: {
      json: '{{table}}.{{column}} is json: it has no equality operator (SELECT DISTINCT, GROUP BY, UNION and some ORM dirty-checking fail on it), cannot be indexed with GIN, and is re-parsed on every access; converting later rewrites the table.',
    },
    docs: {
      summary: '`json` columns instead of `jsonb`.',
      problem: '`json` stores the raw text: no equality operator (queries with DISTINCT/GROUP BY fail), no GIN indexing, re-parsing on every read. Moving to `jsonb` later rewrites the table.',
      safeAlternative: 'Use `jsonb` unless you must keep key order and duplicate keys exactly.',
      frameworks: { rails: '`t.jsonb :data` (strong_migrations: add_column_json).', django: 'JSONField is jsonb on PostgreSQL.', prisma: '`Json` maps to jsonb on PostgreSQL.' },
      examples: { unsafe: 'CREATE TABLE payloads (body json);', safe: 'CREATE TABLE payloads (body jsonb);' },
    },
  },
  create(ctx) {
    return {
      ColumnDef(col, path) {
        if (columnType(col.typeName)?.name === 'json') ctx.report({ messageId: 'json', data: { table: show(path.table), column: columnLabel(col, path) } });
      },
    };
  },
});
