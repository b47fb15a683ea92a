import { columnType, show } from '../ast.js';
import { defineRule } from '../define.js';
import { columnLabel } from './_shared.js';

const SERIALS = new Set(['serial', 'bigserial', 'smallserial']);

export default defineRule({
  meta: {
    id: 'prefer-identity',
    code: 'HY102',
    defaultSeverity: 'info',
    category: 'hygiene',
    engines: ['postgres'],
    preset: 'strict',
    since: '0.1.0',
    messages: {
      serial: '{{table}}.{{column}} is {{type}}: a serial column owns a separately managed sequence (its own permissions, dumped and restored apart, silently reusable by other tables); an identity column is the SQL-standard replacement.',
    },
    docs: {
      summary: 'serial/bigserial columns instead of identity columns.',
      problem: '`serial` is a macro for a sequence plus a default; the sequence has its own grants and ownership quirks, and `INSERT` can bypass it with explicit values that later collide.',
      safeAlternative: 'Use `bigint GENERATED ALWAYS AS IDENTITY` (or `BY DEFAULT`).',
      frameworks: { django: 'Django 4.1+ creates identity columns for AutoField on PostgreSQL.', rails: 'Rails still emits bigserial; write `id: false` and an identity column if it matters to you.' },
      examples: { unsafe: 'CREATE TABLE tags (id bigserial PRIMARY KEY);', safe: 'CREATE TABLE tags (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY);' },
    },
  },
  create(ctx) {
    return {
      ColumnDef(col, path) {
        const type = columnType(col.typeName);
        if (type && SERIALS.has(type.name)) ctx.report({ messageId: 'serial', data: { table: show(path.table), column: columnLabel(col, path), type: type.name } });
      },
    };
  },
});
