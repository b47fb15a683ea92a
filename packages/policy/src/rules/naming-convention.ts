import { z } from 'zod';
import { tableRef } from '../ast.js';
import { defineRule } from '../define.js';

const Pattern = z.string().refine((s) => {
  try {
    new RegExp(s);
    return true;
  } catch {
    return false;
  }
}, 'not a valid regular expression');

const SNAKE = '^[a-z][a-z0-9_]*$';

export default defineRule({
  meta: {
    id: 'naming-convention',
    code: 'HY110',
    defaultSeverity: 'warning',
    category: 'hygiene',
    engines: ['postgres'],
    since: '0.1.0',
    options: z.strictObject({
      table: Pattern.default(SNAKE),
      column: Pattern.default(SNAKE),
      index: Pattern.default(SNAKE),
      constraint: Pattern.default(SNAKE),
    }),
    messages: {
      name: 'The {{kind}} name "{{name}}" does not match the policy pattern /{{pattern}}/.',
    },
    docs: {
      summary: 'Table, column, index and constraint names that do not match the configured patterns (opt-in).',
      problem: 'Mixed naming styles force quoting ("UserId" must always be written with quotes), confuse ORMs that map names, and make schemas across services inconsistent.',
      safeAlternative: 'Follow the convention configured in the policy (default: snake_case for every kind); options `table`, `column`, `index`, `constraint` are regular expressions.',
      frameworks: {},
      examples: { unsafe: 'CREATE TABLE "UserAccounts" (id bigint);', safe: 'CREATE TABLE user_accounts (id bigint);' },
    },
  },
  create(ctx) {
    const o = ctx.options;
    const re = { table: new RegExp(o.table), column: new RegExp(o.column), index: new RegExp(o.index), constraint: new RegExp(o.constraint) };
    const check = (kind: keyof typeof re, name: string | undefined) => {
      if (name && !re[kind].test(name)) ctx.report({ messageId: 'name', data: { kind, name, pattern: o[kind] } });
    };
    return {
      CreateStmt(node) {
        check('table', tableRef(node.relation)?.name);
      },
      ColumnDef(col) {
        check('column', col.colname);
      },
      IndexStmt(node) {
        check('index', node.idxname);
      },
      Constraint(con) {
        check('constraint', con.conname);
      },
    };
  },
});
