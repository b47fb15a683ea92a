import { as, show, tableRef } from '../ast.js';
import { defineRule } from '../define.js';
import type { StatementInfo } from '../types.js';

function fragile(stmt: StatementInfo): string | undefined {
  const n = stmt.node;
  switch (stmt.type) {
    case 'CreateStmt': {
      const s = as(n, 'CreateStmt')!;
      return s.if_not_exists ? undefined : `CREATE TABLE ${show(tableRef(s.relation))} fails with "already exists"`;
    }
    case 'IndexStmt': {
      const s = as(n, 'IndexStmt')!;
      if (s.if_not_exists) return undefined;
      return s.concurrent
        ? `a failed CREATE INDEX CONCURRENTLY leaves an INVALID index ${s.idxname ?? ''} behind, and the retry fails with "already exists"`
        : `CREATE INDEX ${s.idxname ?? ''} fails with "already exists"`;
    }
    case 'DropStmt': {
      const s = as(n, 'DropStmt')!;
      return s.missing_ok ? undefined : 'the DROP fails with "does not exist"';
    }
    case 'AlterTableStmt': {
      for (const c of as(n, 'AlterTableStmt')!.cmds ?? []) {
        const cmd = as(c, 'AlterTableCmd');
        if (cmd?.subtype === 'AT_AddColumn' && !cmd.missing_ok) return 'ADD COLUMN fails with "already exists"';
        if (cmd?.subtype === 'AT_DropColumn' && !cmd.missing_ok) return 'DROP COLUMN fails with "does not exist"';
      }
      return undefined;
    }
    default:
      return undefined;
  }
}

export default defineRule({
  meta: {
    id: 'non-idempotent-ddl-outside-transaction',
    code: 'TX110',
    defaultSeverity: 'warning',
    category: 'transactions',
    engines: ['postgres'],
    preset: 'strict',
    since: '0.1.0',
    messages: {
      rerun: 'This migration does not run in a transaction, so if it fails after this statement it cannot simply be re-run: {{what}}. Guard it with IF [NOT] EXISTS (and for a concurrent index, check pg_index.indisvalid before trusting an existing one).',
    },
    docs: {
      summary: 'DDL without IF [NOT] EXISTS in a migration that runs outside a transaction.',
      problem:
        'A migration that runs outside a transaction (needed for CONCURRENTLY) is not atomic: when it fails half-way, the statements before the failure stay applied. Re-running it then fails on the first CREATE (already exists) or DROP (does not exist). A failed `CREATE INDEX CONCURRENTLY` is worse: it leaves an INVALID index that still slows writes.',
      safeAlternative:
        'Make each statement re-runnable: `CREATE INDEX CONCURRENTLY IF NOT EXISTS`, `DROP INDEX CONCURRENTLY IF EXISTS`, `ADD COLUMN IF NOT EXISTS`. Before retrying a concurrent build, drop any INVALID leftover (`SELECT indexrelid::regclass FROM pg_index WHERE NOT indisvalid`).',
      frameworks: {
        alembic: '`op.create_index(..., postgresql_concurrently=True, if_not_exists=True)` (Alembic 1.12+).',
        rails: '`add_index :t, :c, algorithm: :concurrently, if_not_exists: true` (and strong_migrations `remove_invalid_indexes`).',
        django: 'Use `RunSQL("CREATE INDEX CONCURRENTLY IF NOT EXISTS …")` in the non-atomic migration.',
      },
      examples: {
        unsafe: 'CREATE INDEX CONCURRENTLY users_email_idx ON users (email);',
        safe: 'CREATE INDEX CONCURRENTLY IF NOT EXISTS users_email_idx ON users (email);',
      },
    },
  },
  create(ctx) {
    return {
      statement(stmt) {
        if (ctx.state.inTransaction || ctx.migration.transactional === 'unknown') return;
        const what = fragile(stmt);
        if (what) ctx.report({ messageId: 'rerun', data: { what } });
      },
    };
  },
});
