import { as } from '../ast.js';
import { defineRule } from '../define.js';
import type { StatementInfo } from '../types.js';

/** Statements that take a long time, or take more locks, while an earlier lock is still held. */
function slowOrWidening(stmt: StatementInfo, heldTables: Set<string>, lockedTables: string[]): string | undefined {
  switch (stmt.type) {
    case 'IndexStmt':
      return 'builds an index';
    case 'UpdateStmt':
    case 'DeleteStmt':
    case 'MergeStmt':
      return 'changes rows';
    case 'InsertStmt':
      return as(stmt.node, 'InsertStmt')?.selectStmt && as(as(stmt.node, 'InsertStmt')!.selectStmt, 'SelectStmt')?.fromClause ? 'copies rows' : undefined;
    case 'AlterTableStmt': {
      const alter = as(stmt.node, 'AlterTableStmt')!;
      for (const c of alter.cmds ?? []) {
        const cmd = as(c, 'AlterTableCmd');
        if (cmd?.subtype === 'AT_ValidateConstraint') return 'validates a constraint (a full scan)';
        if (cmd?.subtype === 'AT_AlterColumnType') return 'changes a column type (possibly a rewrite)';
        const con = as(cmd?.def, 'Constraint');
        if (con && !con.skip_validation && (con.contype === 'CONSTR_CHECK' || con.contype === 'CONSTR_FOREIGN')) return 'adds and validates a constraint (a full scan)';
      }
      break;
    }
    default:
      break;
  }
  const other = lockedTables.filter((t) => !heldTables.has(t));
  return other.length ? `locks another table (${other.join(', ')})` : undefined;
}

export default defineRule({
  meta: {
    id: 'work-after-exclusive-lock',
    code: 'PG110',
    defaultSeverity: 'warning',
    category: 'locking',
    engines: ['postgres'],
    preset: 'recommended',
    since: '0.1.0',
    messages: {
      held: 'This statement {{what}} while the transaction still holds ACCESS EXCLUSIVE on {{table}} (taken by an earlier statement): locks are kept until COMMIT, so {{table}} stays unreadable and unwritable for as long as this statement runs.',
    },
    docs: {
      summary: 'Slow work runs in a transaction that already holds an ACCESS EXCLUSIVE lock, keeping the table blocked.',
      problem:
        'Locks are released at the end of the transaction, not of the statement. Once a migration takes ACCESS EXCLUSIVE on a table (most ALTER TABLE forms), every later statement in the same transaction — an index build, a backfill, a validation, a lock on another table — extends the time that table is completely blocked.',
      safeAlternative:
        'Put the exclusive-lock statement last, or give it its own migration/transaction: commit right after the short ALTER, then run the index build, backfill or validation separately.',
      frameworks: {
        alembic: 'Split into two revisions, or commit between the steps with `op.get_context().autocommit_block()` for the slow part.',
        django: 'Split into two migrations (or `atomic = False` and separate operations).',
        rails: 'Split into two migrations; backfills go in a migration with `disable_ddl_transaction!`.',
        knex: 'Split into two migration files (each runs in its own transaction).',
        flyway: 'Split into two versioned scripts.',
      },
      examples: {
        unsafe: 'ALTER TABLE orders ADD COLUMN note text;\nUPDATE orders SET note = \'\' WHERE id < 1000;',
        safe: 'UPDATE orders SET note = \'\' WHERE id < 1000;\nALTER TABLE orders ADD COLUMN note2 text;',
        context: { inTransaction: true },
      },
    },
  },
  create(ctx) {
    const reported = new Set<number>();
    return {
      statement(stmt) {
        const s = ctx.state;
        if (!s.inTransaction || reported.has(s.transactionId)) return;
        const exclusive = [...s.heldLocks.entries()].filter(([, l]) => l.mode === 'ACCESS EXCLUSIVE');
        if (exclusive.length === 0) return;
        const held = new Set(exclusive.map(([k]) => k));
        const what = slowOrWidening(stmt, held, s.locksOnExisting(stmt).map((l) => l.relation.key));
        if (!what) return;
        reported.add(s.transactionId);
        ctx.report({ messageId: 'held', data: { what, table: exclusive.map(([k]) => k).join(', ') } });
      },
    };
  },
});
