import { show, tableRef } from '../ast.js';
import { defineRule } from '../define.js';
import type { NodeOf } from '../types.js';

export default defineRule({
  meta: {
    id: 'unqualified-object-name',
    code: 'HY109',
    defaultSeverity: 'info',
    category: 'hygiene',
    engines: ['postgres'],
    since: '0.1.0',
    messages: {
      unqualified: '{{what}} names {{table}} without a schema: which table that is depends on the search_path of the session running the migration, which differs between tools, roles and poolers.',
    },
    docs: {
      summary: 'Tables named without a schema in a migration (opt-in).',
      problem: 'Unqualified names resolve through `search_path`, which the migration tool, the role (`ALTER ROLE … SET search_path`) or a connection pooler may set differently than you expect — the migration can create or alter a table in the wrong schema.',
      safeAlternative: 'Qualify names (`public.users`) or set `search_path` explicitly at the top of the migration.',
      frameworks: {},
      examples: { unsafe: 'ALTER TABLE users ADD COLUMN bio text;', safe: 'ALTER TABLE public.users ADD COLUMN bio text;' },
    },
  },
  create(ctx) {
    const check = (what: string, rv: NodeOf<'RangeVar'> | undefined) => {
      const ref = tableRef(rv);
      if (ref && !ref.schema && !ctx.state.isNew(ref) && rv?.relpersistence !== 't') ctx.report({ messageId: 'unqualified', data: { what, table: show(ref) } });
    };
    return {
      CreateStmt(node) {
        check('CREATE TABLE', node.relation);
      },
      AlterTableStmt(node) {
        check('ALTER TABLE', node.relation);
      },
      IndexStmt(node) {
        check('CREATE INDEX', node.relation);
      },
    };
  },
});
