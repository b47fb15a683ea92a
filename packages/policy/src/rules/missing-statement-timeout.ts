import { show } from '../ast.js';
import { defineRule } from '../define.js';
import { isBlocking } from '../locks.js';

export default defineRule({
  meta: {
    id: 'missing-statement-timeout',
    code: 'TX102',
    defaultSeverity: 'warning',
    category: 'transactions',
    engines: ['postgres'],
    preset: 'strict',
    since: '0.1.0',
    messages: {
      missing:
        'This statement {{what}} on {{table}} and no statement_timeout is set before it in this migration: if it runs far longer than expected (a missing index, a bigger table than in staging), it keeps its locks and resources with no upper bound.',
    },
    docs: {
      summary: 'A long-running or lock-holding statement runs without a statement_timeout.',
      problem:
        'Without `statement_timeout`, a statement that turns out slow on production data (a full scan, a backfill, a validation) runs — and holds its locks — until it finishes, however long that is. The migration cannot be stopped cleanly from CI either.',
      safeAlternative:
        'Set `SET statement_timeout = \'…\';` at the start of the migration to a value that fits the work (anchors disagree: seconds for lock-taking DDL, longer or 0 for CONCURRENTLY builds and validations that do not block the application). If it is set at the role or connection level, turn this rule off.',
      frameworks: {
        alembic: '`op.execute("SET statement_timeout = \'15s\'")` at the start of `upgrade()`.',
        django: '`migrations.RunSQL("SET statement_timeout = \'15s\'", migrations.RunSQL.noop)` first in `operations`.',
        rails: '`StrongMigrations.statement_timeout = 1.hour` (strong_migrations), or `execute "SET statement_timeout = \'15s\'"`.',
        flyway: '`SET statement_timeout = \'15s\';` at the top of the script.',
      },
      examples: { unsafe: 'UPDATE users SET flag = false WHERE id < 100;', safe: "SET statement_timeout = '15s';\nUPDATE users SET flag = false WHERE id < 100;" },
    },
  },
  create(ctx) {
    let reported = false;
    return {
      statement(stmt) {
        if (reported || ctx.state.statementTimeout) return;
        const locks = ctx.state.locksOnExisting(stmt);
        const dml = stmt.type === 'UpdateStmt' || stmt.type === 'DeleteStmt' || stmt.type === 'MergeStmt';
        const lock = locks.find((l) => isBlocking(l.mode)) ?? (dml ? locks[0] : undefined);
        if (!lock) return;
        reported = true;
        ctx.report({ messageId: 'missing', data: { what: dml ? 'changes rows' : `takes ${lock.mode}`, table: show(lock.relation) } });
      },
    };
  },
});
