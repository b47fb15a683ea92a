import { as } from '../ast.js';
import { defineRule } from '../define.js';
import type { StatementInfo } from '../types.js';
import { outsideTransaction } from './_shared.js';

function refused(stmt: StatementInfo): string | undefined {
  switch (stmt.type) {
    case 'VacuumStmt':
      return as(stmt.node, 'VacuumStmt')!.is_vacuumcmd ? 'VACUUM' : undefined;
    case 'CreatedbStmt':
      return 'CREATE DATABASE';
    case 'DropdbStmt':
      return 'DROP DATABASE';
    case 'CreateTableSpaceStmt':
      return 'CREATE TABLESPACE';
    case 'DropTableSpaceStmt':
      return 'DROP TABLESPACE';
    case 'AlterSystemStmt':
      return 'ALTER SYSTEM';
    case 'ReindexStmt': {
      const k = as(stmt.node, 'ReindexStmt')!.kind;
      return k === 'REINDEX_OBJECT_SYSTEM' || k === 'REINDEX_OBJECT_DATABASE' ? `REINDEX ${k === 'REINDEX_OBJECT_SYSTEM' ? 'SYSTEM' : 'DATABASE'}` : undefined;
    }
    case 'CreateSubscriptionStmt':
      return 'CREATE SUBSCRIPTION (with a replication slot)';
    default:
      return undefined;
  }
}

export default defineRule({
  meta: {
    id: 'cannot-run-in-transaction',
    code: 'TX106',
    defaultSeverity: 'error',
    category: 'transactions',
    engines: ['postgres'],
    preset: 'recommended',
    since: '0.1.0',
    messages: {
      refused: '{{what}} cannot run inside a transaction block, and this statement runs in one ({{why}}): PostgreSQL rejects it and the migration fails.',
    },
    docs: {
      summary: 'Statements PostgreSQL refuses inside a transaction block (VACUUM, CREATE DATABASE, ALTER SYSTEM …).',
      problem:
        'VACUUM, CREATE/DROP DATABASE, CREATE/DROP TABLESPACE, ALTER SYSTEM, REINDEX SYSTEM/DATABASE and CREATE SUBSCRIPTION (with a slot) are refused inside a transaction block. Most frameworks wrap each migration in a transaction, so the migration fails when it reaches the statement.',
      safeAlternative: 'Run it outside the migration transaction (see your framework below), or better, outside migrations altogether (VACUUM and ALTER SYSTEM are operations tasks).',
      frameworks: outsideTransaction('This statement must run outside the migration transaction.'),
      examples: { unsafe: 'VACUUM ANALYZE users;', safe: 'ANALYZE users;', context: { inTransaction: true } },
    },
  },
  create(ctx) {
    return {
      statement(stmt) {
        const what = refused(stmt);
        if (!what || !ctx.state.inTransaction) return;
        const why = ctx.state.runnerTransaction ? 'the framework wraps this migration in a transaction' : `BEGIN at line ${ctx.state.explicitBegin?.line ?? '?'}`;
        ctx.report({ messageId: 'refused', data: { what, why } });
      },
    };
  },
});
