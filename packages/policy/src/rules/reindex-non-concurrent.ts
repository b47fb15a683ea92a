import { as, show, tableRef } from '../ast.js';
import { pgAtLeast } from '../version.js';
import { defineRule } from '../define.js';

export default defineRule({
  meta: {
    id: 'reindex-non-concurrent',
    code: 'PG103',
    defaultSeverity: 'warning',
    category: 'locking',
    engines: ['postgres'],
    preset: 'recommended',
    since: '0.1.0',
    messages: {
      table: 'REINDEX TABLE {{name}} holds a SHARE lock on the table (writes wait) and ACCESS EXCLUSIVE on each index while it is rebuilt, so queries that use those indexes wait too.{{alternative}}',
      index: 'REINDEX INDEX {{name}} holds ACCESS EXCLUSIVE on the index and SHARE on its table while it rebuilds: writes wait, and so does every query that would use the index.{{alternative}}',
      other: 'REINDEX {{kind}} rebuilds many indexes under blocking locks, one after another.{{alternative}}',
    },
    docs: {
      summary: 'REINDEX without CONCURRENTLY blocks writes (and index use) while it rebuilds.',
      problem:
        'REINDEX rebuilds an index from scratch. Without CONCURRENTLY it holds ACCESS EXCLUSIVE on the index (any query planning to use it waits) and SHARE on the table (all writes wait) for the whole rebuild.',
      safeAlternative:
        'On PostgreSQL 12+ use `REINDEX INDEX CONCURRENTLY` / `REINDEX TABLE CONCURRENTLY` (outside a transaction block). On older versions build a replacement with `CREATE INDEX CONCURRENTLY`, then drop the old index concurrently and rename.',
      frameworks: {
        alembic: 'Run `op.execute("REINDEX INDEX CONCURRENTLY ix_users_email")` inside `with op.get_context().autocommit_block():`.',
        django: 'Use `RunSQL("REINDEX INDEX CONCURRENTLY ...")` in a migration with `atomic = False`.',
        rails: 'Use `execute "REINDEX INDEX CONCURRENTLY ..."` in a migration with `disable_ddl_transaction!`.',
        flyway: 'Put `REINDEX … CONCURRENTLY` in a versioned script of its own.',
      },
      examples: { unsafe: 'REINDEX INDEX users_email_idx;', safe: 'REINDEX INDEX CONCURRENTLY users_email_idx;' },
    },
  },
  create(ctx) {
    return {
      ReindexStmt(node) {
        if ((node.params ?? []).some((p) => as(p, 'DefElem')?.defname === 'concurrently')) return;
        const alternative = pgAtLeast(ctx.settings.pgVersion, 12)
          ? ' Use REINDEX … CONCURRENTLY outside a transaction.'
          : ' PostgreSQL < 12 has no REINDEX CONCURRENTLY: build a new index concurrently, then swap.';
        const ref = tableRef(node.relation);
        if (node.kind === 'REINDEX_OBJECT_TABLE') {
          if (ctx.state.isNew(ref)) return;
          ctx.report({ messageId: 'table', data: { name: show(ref), alternative } });
        } else if (node.kind === 'REINDEX_OBJECT_INDEX') {
          if (ref && ctx.state.createdIndexes.has(ref.key)) return;
          ctx.report({ messageId: 'index', data: { name: show(ref), alternative } });
        } else {
          ctx.report({ messageId: 'other', data: { kind: (node.kind ?? '').replace('REINDEX_OBJECT_', ''), alternative } });
        }
      },
    };
  },
});
