import { columnType, show } from '../ast.js';
import { defineRule } from '../define.js';
import { columnLabel } from './_shared.js';

export default defineRule({
  meta: {
    id: 'ban-char-type',
    code: 'HY105',
    defaultSeverity: 'warning',
    category: 'hygiene',
    engines: ['postgres'],
    preset: 'strict',
    since: '0.1.0',
    messages: {
      char: '{{table}}.{{column}} is char({{length}}): values are blank-padded to the length, trailing spaces are ignored in comparisons but not everywhere else, and it is no faster than text.',
    },
    docs: {
      summary: '`char(n)` columns.',
      problem: '`char(n)` pads with spaces and has surprising comparison semantics; it saves nothing over `text`/`varchar` in PostgreSQL, and changing its length rewrites the table.',
      safeAlternative: 'Use `text` (with a CHECK on length if needed).',
      frameworks: {},
      examples: { unsafe: 'CREATE TABLE countries (code char(2));', safe: 'CREATE TABLE countries (code text CHECK (char_length(code) = 2));' },
    },
  },
  create(ctx) {
    return {
      ColumnDef(col, path) {
        const t = columnType(col.typeName);
        if (t?.name === 'bpchar') ctx.report({ messageId: 'char', data: { table: show(path.table), column: columnLabel(col, path), length: t.mods[0] ?? 1 } });
      },
    };
  },
});
