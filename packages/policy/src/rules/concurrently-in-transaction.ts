import { as } from '../ast.js';
import { defineRule } from '../define.js';
import type { StatementInfo } from '../types.js';
import { outsideTransaction } from './_shared.js';

function concurrentKind(stmt: StatementInfo): string | undefined {
  switch (stmt.type) {
    case 'IndexStmt':
      return as(stmt.node, 'IndexStmt')!.concurrent ? 'CREATE INDEX CONCURRENTLY' : undefined;
    case 'DropStmt':
      return as(stmt.node, 'DropStmt')!.concurrent ? 'DROP INDEX CONCURRENTLY' : undefined;
    case 'ReindexStmt':
      return (as(stmt.node, 'ReindexStmt')!.params ?? []).some((p) => as(p, 'DefElem')?.defname === 'concurrently') ? 'REINDEX CONCURRENTLY' : undefined;
    case 'AlterTableStmt':
      return (as(stmt.node, 'AlterTableStmt')!.cmds ?? []).some((c) => as(as(c, 'AlterTableCmd')?.def, 'PartitionCmd')?.concurrent) ? 'DETACH PARTITION … CONCURRENTLY' : undefined;
    default:
      return undefined;
  }
}

export default defineRule({
  meta: {
    id: 'concurrently-in-transaction',
    code: 'TX105',
    defaultSeverity: 'error',
    category: 'transactions',
    engines: ['postgres'],
    preset: 'recommended',
    since: '0.1.0',
    messages: {
      runner: '{{what}} cannot run inside a transaction block, and the framework runs this migration in a transaction: PostgreSQL rejects it ("cannot run inside a transaction block") and the migration fails.',
      explicit: '{{what}} cannot run inside a transaction block, and the BEGIN at line {{line}} is still open: PostgreSQL rejects it and the migration fails.',
      multiStatement:
        '{{what}} is one of {{count}} statements in this Prisma migration: Prisma sends migration.sql as one script, which PostgreSQL runs as one implicit transaction, so CONCURRENTLY is rejected. Give it a migration of its own.',
    },
    docs: {
      summary: 'CONCURRENTLY operations inside a transaction fail at run time.',
      problem:
        '`CREATE INDEX CONCURRENTLY`, `DROP INDEX CONCURRENTLY`, `REINDEX … CONCURRENTLY` and `DETACH PARTITION … CONCURRENTLY` manage their own transactions and are refused inside a transaction block — including the one most frameworks open around every migration, and the implicit one PostgreSQL uses for a multi-statement script. The migration fails in production even though the SQL is correct.',
      safeAlternative: 'Run the statement outside a transaction, in a migration of its own (see your framework below). Keep that migration to this one statement so a failure does not leave other changes half-applied.',
      frameworks: outsideTransaction('CONCURRENTLY operations must run outside the migration transaction.'),
      examples: { unsafe: 'CREATE INDEX CONCURRENTLY users_email_idx ON users (email);', safe: 'CREATE INDEX CONCURRENTLY users_email_idx ON users (email);', context: { inTransaction: true }, safeContext: { inTransaction: false } },
    },
  },
  create(ctx) {
    const found: { stmt: StatementInfo; what: string }[] = [];
    let count = 0;
    return {
      statement(stmt) {
        count++;
        const what = concurrentKind(stmt);
        if (!what) return;
        const s = ctx.state;
        if (s.inTransaction && s.runnerTransaction) ctx.report({ messageId: 'runner', data: { what } });
        else if (s.inTransaction) ctx.report({ messageId: 'explicit', data: { what, line: s.explicitBegin?.line ?? '?' } });
        else found.push({ stmt, what });
      },
      'migration:exit'() {
        if (ctx.settings.framework !== 'prisma' || count < 2) return;
        for (const f of found) ctx.report({ messageId: 'multiStatement', statement: f.stmt, data: { what: f.what, count } });
      },
    };
  },
});
