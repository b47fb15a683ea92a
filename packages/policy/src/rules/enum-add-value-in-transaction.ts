import { strings } from '../ast.js';
import { pgAtLeast } from '../version.js';
import { defineRule } from '../define.js';

export default defineRule({
  meta: {
    id: 'enum-add-value-in-transaction',
    code: 'TX107',
    defaultSeverity: 'error',
    category: 'transactions',
    engines: ['postgres'],
    preset: 'recommended',
    since: '0.1.0',
    messages: {
      pre12: 'ALTER TYPE {{type}} ADD VALUE cannot run inside a transaction block on PostgreSQL {{version}} (allowed from 12): the migration fails.',
      used: 'This statement uses the enum value \'{{value}}\' added to {{type}} earlier in the same transaction: PostgreSQL refuses it ("unsafe use of new value") until that transaction commits, so the migration fails.',
    },
    docs: {
      summary: 'ALTER TYPE … ADD VALUE inside a transaction: refused before PostgreSQL 12, and the new value is unusable until commit.',
      problem:
        'Before PostgreSQL 12, `ALTER TYPE … ADD VALUE` cannot run in a transaction block at all. From 12 on it can, but the new label cannot be used (inserted, compared, cast) in the same transaction: any statement that does fails with "unsafe use of new value". Migrations that add a value and backfill rows with it in one transaction fail.',
      safeAlternative: 'Add the enum value in its own migration (committed), and use it in a later one. Before PostgreSQL 12, run the ADD VALUE outside a transaction.',
      frameworks: {
        alembic: 'Put `op.execute("ALTER TYPE status ADD VALUE \'archived\'")` inside `with op.get_context().autocommit_block():`, and use the value in the next revision.',
        django: 'Add the value in a migration of its own (RunSQL), and the data change in the next one.',
        rails: 'Use `add_enum_value :status, "archived"` (Rails 7.1+) in its own migration; use it in the next.',
        prisma: 'Prisma generates `ALTER TYPE … ADD VALUE` for a new enum member: keep that migration free of statements that use the value.',
        flyway: 'Put the ADD VALUE in its own script; use the value in the next one.',
      },
      examples: {
        unsafe: "ALTER TYPE status ADD VALUE 'archived';\nUPDATE orders SET status = 'archived' WHERE closed_at < now() - interval '1 year';",
        safe: "ALTER TYPE status ADD VALUE 'archived';",
        context: { inTransaction: true },
      },
    },
  },
  create(ctx) {
    const pg12 = pgAtLeast(ctx.settings.pgVersion, 12);
    return {
      AlterEnumStmt(node) {
        if (!node.newVal || node.oldVal || pg12 || !ctx.state.inTransaction) return;
        ctx.report({ messageId: 'pre12', data: { type: strings(node.typeName).join('.'), version: ctx.settings.pgVersion.major } });
      },
      statement(stmt) {
        const s = ctx.state;
        if (!s.inTransaction || !pg12 || stmt.type === 'AlterEnumStmt') return;
        for (const [value, added] of s.enumValuesAdded) {
          if (added.transactionId !== s.transactionId) continue;
          if (stmt.sql.includes(`'${value.replace(/'/g, "''")}'`)) {
            ctx.report({ messageId: 'used', data: { value, type: added.type } });
            return;
          }
        }
      },
    };
  },
});
