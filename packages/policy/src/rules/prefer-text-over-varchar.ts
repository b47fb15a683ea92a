import { columnType, show } from '../ast.js';
import { defineRule } from '../define.js';
import { columnLabel } from './_shared.js';

export default defineRule({
  meta: {
    id: 'prefer-text-over-varchar',
    code: 'HY103',
    defaultSeverity: 'info',
    category: 'hygiene',
    engines: ['postgres'],
    since: '0.1.0',
    messages: {
      varchar: '{{table}}.{{column}} is varchar({{length}}): in PostgreSQL it stores exactly like text, and shrinking the limit later rewrites the table; text with a CHECK (length(…) <= n) constraint can be changed with NOT VALID + VALIDATE instead.',
    },
    docs: {
      summary: 'varchar(n) columns, whose limit is costly to change later.',
      problem: '`varchar(n)` has no storage advantage over `text` in PostgreSQL. Raising the limit is cheap, but lowering it rewrites the table under ACCESS EXCLUSIVE.',
      safeAlternative: 'Use `text` with `CHECK (char_length(col) <= n)`; change the limit by adding a new CHECK NOT VALID, validating it, and dropping the old one.',
      frameworks: {},
      examples: { unsafe: 'CREATE TABLE people (name varchar(100));', safe: 'CREATE TABLE people (name text CHECK (char_length(name) <= 100));' },
    },
  },
  create(ctx) {
    return {
      ColumnDef(col, path) {
        const type = columnType(col.typeName);
        if (type?.name === 'varchar' && type.mods.length) ctx.report({ messageId: 'varchar', data: { table: show(path.table), column: columnLabel(col, path), length: type.mods[0]! } });
      },
    };
  },
});
