import { as, show } from '../ast.js';
import { defineRule } from '../define.js';
import type { StatementInfo } from '../types.js';

const isDml = (s: StatementInfo) =>
  s.type === 'UpdateStmt' || s.type === 'DeleteStmt' || s.type === 'MergeStmt' || (s.type === 'InsertStmt' && !!as(as(s.node, 'InsertStmt')!.selectStmt, 'SelectStmt')?.fromClause);

export default defineRule({
  meta: {
    id: 'dml-mixed-with-ddl',
    code: 'TX109',
    defaultSeverity: 'warning',
    category: 'transactions',
    engines: ['postgres'],
    preset: 'recommended',
    since: '0.1.0',
    messages: {
      inTransaction:
        'This migration changes data ({{dml}}) and the schema of existing tables ({{ddl}}) in one transaction: the data change runs while the DDL locks are held (or the DDL waits behind the row locks), so {{table}} stays blocked for as long as the data change takes.',
      separate:
        'This migration changes data ({{dml}}) and the schema of existing tables ({{ddl}}) without a transaction: if the data change fails or is interrupted, the schema change has already happened (or not) and the migration is half-applied and cannot simply be re-run.',
    },
    docs: {
      summary: 'A migration mixes data changes (backfills) with schema changes on existing tables.',
      problem:
        'Schema changes want short transactions; data changes on big tables are long. In one transaction the DDL locks are held for the whole backfill (or the DDL queues behind the backfill’s row locks). Without a transaction, a failure in the middle leaves the migration half-applied. Either way rollbacks get hard.',
      safeAlternative: 'Split it: one migration for the schema change, a separate (batched, non-transactional) migration or job for the data change. Seeding a table created in the same migration is fine.',
      frameworks: {
        rails: 'Move the backfill into its own migration with `disable_ddl_transaction!` (or a background job).',
        django: 'Move the RunPython into its own migration (atomic = False for large backfills).',
        alembic: 'Move the data change into its own revision.',
        laravel: 'Move the data change into its own migration (or a queued job).',
        knex: 'Move the data change into its own migration file with `config = { transaction: false }`.',
        prisma: 'Keep data changes out of schema migrations; run them as a separate migration or script.',
        typeorm: 'Move the data change into its own migration.',
        flyway: 'Move the data change into its own versioned script.',
      },
      examples: {
        unsafe: 'ALTER TABLE orders ADD COLUMN region text;\nUPDATE orders SET region = \'eu\' WHERE id < 1000;',
        safe: 'ALTER TABLE orders ADD COLUMN region text;',
        context: { inTransaction: true },
      },
    },
  },
  create(ctx) {
    let ddl: StatementInfo | undefined;
    let dml: StatementInfo | undefined;
    let reported = false;
    const label = (s: StatementInfo) => `line ${s.line ?? `#${s.index + 1}`}`;
    return {
      statement(stmt) {
        if (reported) return;
        const locks = ctx.state.locksOnExisting(stmt);
        if (locks.length === 0) return;
        if (isDml(stmt)) dml ??= stmt;
        else if (stmt.type !== 'InsertStmt') ddl ??= stmt;
        if (!ddl || !dml) return;
        reported = true;
        ctx.report({
          messageId: ctx.state.inTransaction ? 'inTransaction' : 'separate',
          data: { dml: label(dml), ddl: label(ddl), table: show(locks[0]!.relation) },
        });
      },
    };
  },
});
