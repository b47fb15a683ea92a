import { show } from '../ast.js';
import { defineRule } from '../define.js';

export default defineRule({
  meta: {
    id: 'multiple-alter-same-table',
    code: 'PG111',
    defaultSeverity: 'info',
    category: 'locking',
    engines: ['postgres'],
    preset: 'strict',
    since: '0.1.0',
    messages: {
      again: 'This is ALTER TABLE #{{count}} on {{table}} in this migration: each one queues for its own ACCESS EXCLUSIVE lock (and may scan the table again). One ALTER TABLE with comma-separated actions takes the lock once.',
    },
    docs: {
      summary: 'Several ALTER TABLE statements on the same table where one would do.',
      problem:
        'Each ALTER TABLE waits in the lock queue for its own ACCESS EXCLUSIVE lock, and actions that scan or rewrite the table do it once per statement. Combining the actions into one statement takes the lock once and lets PostgreSQL do a single pass.',
      safeAlternative: 'Combine the actions: `ALTER TABLE t ADD COLUMN a int, ADD COLUMN b int;`.',
      frameworks: {
        rails: 'Use `change_table :t, bulk: true do |t| … end` so Rails emits one ALTER TABLE.',
        alembic: 'Use `with op.batch_alter_table("t") as batch:` only for SQLite; on PostgreSQL write one `op.execute("ALTER TABLE … , …")` when it matters.',
      },
      examples: {
        unsafe: 'ALTER TABLE users ADD COLUMN a int;\nALTER TABLE users ADD COLUMN b int;',
        safe: 'ALTER TABLE users ADD COLUMN a int, ADD COLUMN b int;',
      },
    },
  },
  create(ctx) {
    const counts = new Map<string, number>();
    return {
      AlterTableStmt(_node, path) {
        if (!path.table || ctx.state.isNew(path.table)) return;
        const n = (counts.get(path.table.key) ?? 0) + 1;
        counts.set(path.table.key, n);
        if (n === 2) ctx.report({ messageId: 'again', data: { count: n, table: show(path.table) } });
      },
    };
  },
});
