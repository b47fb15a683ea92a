import { as } from '../ast.js';
import { defineRule } from '../define.js';
import type { StatementInfo } from '../types.js';

/** Statements whose rewrite a static rule already reports (with the measured fact in its message). */
function explained(stmt: StatementInfo): boolean {
  switch (stmt.type) {
    case 'VacuumStmt':
    case 'ClusterStmt':
    case 'TruncateStmt':
    case 'RefreshMatViewStmt':
    case 'ReindexStmt':
      return true;
    case 'AlterTableStmt':
      return (as(stmt.node, 'AlterTableStmt')!.cmds ?? []).some((c) =>
        ['AT_AlterColumnType', 'AT_AddColumn', 'AT_SetTableSpace', 'AT_SetLogged', 'AT_SetUnLogged', 'AT_SetAccessMethod', 'AT_SetExpression'].includes(as(c, 'AlterTableCmd')?.subtype ?? ''),
      );
    default:
      return false;
  }
}

export default defineRule({
  meta: {
    id: 'observed-rewrite',
    code: 'PG302',
    defaultSeverity: 'error',
    category: 'rewrite',
    engines: ['postgres'],
    preset: 'recommended',
    since: '0.1.0',
    messages: {
      rewritten: 'Measured in the sandbox: this statement rewrote table {{relation}} (its storage was replaced), which copies every row while holding ACCESS EXCLUSIVE — no read or write on {{relation}} for the whole copy on production data.',
    },
    docs: {
      summary: 'A sandbox run saw a table rewritten by a statement no static rule flagged.',
      problem:
        'Some rewrites are invisible in SQL: an ORM-generated statement, a domain or trigger side effect, a type change whose old type metamig could not see. A sandbox run compares each table’s storage (relfilenode) before and after every statement; a change means the whole table was copied under ACCESS EXCLUSIVE.',
      safeAlternative: 'Find out which part of the statement rewrites (the message of the matching static rule, if any, says why), and use the expand/contract form: new column or table, batched backfill, switch, drop the old one.',
      frameworks: {},
      examples: {
        unsafe: 'ALTER TABLE orders ALTER COLUMN note SET DEFAULT \'\';',
        safe: 'ALTER TABLE orders ALTER COLUMN note SET DEFAULT \'\';',
        context: { observations: [{ statement: 0, rewritten: ['orders'] }] },
        safeContext: { observations: [{ statement: 0, rewritten: [] }] },
      },
    },
  },
  create(ctx) {
    return {
      statement(stmt) {
        if (explained(stmt)) return;
        for (const o of ctx.observations()) for (const r of o.rewritten ?? []) ctx.report({ messageId: 'rewritten', data: { relation: r } });
      },
    };
  },
});
