import { as, show, tableRef } from '../ast.js';
import { pgAtLeast } from '../version.js';
import { defineRule } from '../define.js';

export default defineRule({
  meta: {
    id: 'detach-partition-non-concurrent',
    code: 'PG104',
    defaultSeverity: 'warning',
    category: 'locking',
    engines: ['postgres'],
    preset: 'recommended',
    since: '0.1.0',
    messages: {
      accessExclusive:
        'DETACH PARTITION {{partition}} takes ACCESS EXCLUSIVE on {{table}}: every read and write on the whole partitioned table waits for it, and it waits for every running query on the table.{{alternative}}',
    },
    docs: {
      summary: 'DETACH PARTITION without CONCURRENTLY locks the whole partitioned table.',
      problem:
        'A plain `ALTER TABLE parent DETACH PARTITION child` takes ACCESS EXCLUSIVE on the parent table: all reads and writes on every partition wait until it is granted and done.',
      safeAlternative:
        'On PostgreSQL 14+ use `ALTER TABLE parent DETACH PARTITION child CONCURRENTLY` (SHARE UPDATE EXCLUSIVE; outside a transaction block). If it is interrupted, finish it with `… DETACH PARTITION child FINALIZE`.',
      frameworks: {
        alembic: 'Run `op.execute("ALTER TABLE events DETACH PARTITION events_2020 CONCURRENTLY")` inside `with op.get_context().autocommit_block():`.',
        rails: 'Use `execute "ALTER TABLE events DETACH PARTITION events_2020 CONCURRENTLY"` with `disable_ddl_transaction!`.',
        flyway: 'Put the CONCURRENTLY detach in a versioned script of its own.',
      },
      examples: {
        unsafe: 'ALTER TABLE events DETACH PARTITION events_2020;',
        safe: 'ALTER TABLE events DETACH PARTITION events_2020 CONCURRENTLY;',
      },
    },
  },
  create(ctx) {
    return {
      AlterTableCmd(cmd, path) {
        if (cmd.subtype !== 'AT_DetachPartition') return;
        const part = as(cmd.def, 'PartitionCmd');
        if (part?.concurrent || ctx.state.isNew(path.table)) return;
        const alternative = pgAtLeast(ctx.settings.pgVersion, 14) ? ' Use DETACH PARTITION … CONCURRENTLY outside a transaction.' : ' PostgreSQL < 14 has no concurrent detach: schedule it in a quiet window with a short lock_timeout.';
        ctx.report({ messageId: 'accessExclusive', data: { table: show(path.table), partition: show(tableRef(part?.name)), alternative } });
      },
    };
  },
});
