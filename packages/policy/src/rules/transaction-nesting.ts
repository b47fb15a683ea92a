import { defineRule } from '../define.js';

export default defineRule({
  meta: {
    id: 'transaction-nesting',
    code: 'TX103',
    defaultSeverity: 'error',
    category: 'transactions',
    engines: ['postgres'],
    preset: 'recommended',
    since: '0.1.0',
    messages: {
      runnerBegin:
        'BEGIN inside a migration the framework already runs in a transaction: PostgreSQL ignores it with a warning, and the matching COMMIT will commit the framework’s transaction early — the rest of the migration then runs without one, and a failure leaves it half-applied.',
      nestedBegin: 'BEGIN while a transaction (opened at line {{line}}) is still open: PostgreSQL ignores it with a warning, so the first COMMIT ends both and the statements after it run outside any transaction.',
      runnerEnd:
        '{{kind}} inside a migration the framework runs in a transaction: it ends the framework’s transaction here, so the statements after it run in autocommit and a failure leaves the migration half-applied (and the framework’s own COMMIT then warns "no transaction in progress").',
      stray: '{{kind}} without an open transaction: PostgreSQL only warns "there is no transaction in progress" — the statements before it were already committed one by one.',
    },
    docs: {
      summary: 'BEGIN/COMMIT that nest, or that fight with the transaction the framework opens.',
      problem:
        'PostgreSQL has no nested transactions. A `BEGIN` inside an open transaction is ignored (with a warning), so the first `COMMIT` ends the outer transaction early. Most frameworks (Alembic, Django, Rails, Knex, Laravel, TypeORM, Flyway on PostgreSQL) already wrap each migration in a transaction; an explicit COMMIT in the migration SQL commits their transaction half-way, and whatever follows runs without atomicity.',
      safeAlternative:
        'Do not write BEGIN/COMMIT in migrations the framework wraps. If part of a migration must run outside a transaction, use the framework’s switch for it (see below) and split the migration.',
      frameworks: {
        alembic: 'Use `with op.get_context().autocommit_block():` instead of `op.execute("COMMIT")`.',
        django: 'Set `atomic = False` on the migration instead of issuing COMMIT in RunSQL.',
        rails: 'Use `disable_ddl_transaction!` instead of `execute "COMMIT"`.',
        laravel: 'Use `public $withinTransaction = false;` instead of `DB::statement(\'COMMIT\')`.',
        knex: 'Use `config = { transaction: false }` instead of raw COMMIT.',
        typeorm: 'Use `transaction = false` on the migration class instead of `COMMIT` via queryRunner.',
        flyway: 'Remove BEGIN/COMMIT from the script; use `executeInTransaction=false` for scripts that must not run in a transaction.',
      },
      examples: { unsafe: 'COMMIT;\nCREATE INDEX CONCURRENTLY i ON t (a);', safe: 'CREATE INDEX i2 ON t (b);', context: { inTransaction: true } },
    },
  },
  create(ctx) {
    // A BEGIN reported inside the runner's transaction: its COMMIT is the same mistake, said once.
    let pairedBegin = false;
    return {
      TransactionStmt(node) {
        const s = ctx.state;
        const kind = node.kind ?? '';
        const begins = kind === 'TRANS_STMT_BEGIN' || kind === 'TRANS_STMT_START';
        const ends = kind === 'TRANS_STMT_COMMIT' || kind === 'TRANS_STMT_ROLLBACK' || kind === 'TRANS_STMT_PREPARE';
        const label = kind === 'TRANS_STMT_ROLLBACK' ? 'ROLLBACK' : kind === 'TRANS_STMT_PREPARE' ? 'PREPARE TRANSACTION' : 'COMMIT';
        if (begins && s.inTransaction) {
          if (s.runnerTransaction) {
            ctx.report({ messageId: 'runnerBegin' });
            pairedBegin = true;
          } else ctx.report({ messageId: 'nestedBegin', data: { line: s.explicitBegin?.line ?? '?' } });
        } else if (ends && pairedBegin) {
          pairedBegin = false;
        } else if (ends && s.runnerTransaction) {
          ctx.report({ messageId: 'runnerEnd', data: { kind: label } });
        } else if (ends && !s.inTransaction && ctx.migration.transactional !== 'unknown') {
          ctx.report({ messageId: 'stray', data: { kind: label } });
        }
      },
    };
  },
});
