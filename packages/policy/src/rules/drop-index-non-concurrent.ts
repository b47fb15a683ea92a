import { show } from '../ast.js';
import { defineRule } from '../define.js';
import { droppedNames } from '../locks.js';

export default defineRule({
  meta: {
    id: 'drop-index-non-concurrent',
    code: 'PG102',
    defaultSeverity: 'warning',
    category: 'locking',
    engines: ['postgres'],
    preset: 'recommended',
    since: '0.1.0',
    messages: {
      accessExclusive:
        'DROP INDEX {{index}} takes an ACCESS EXCLUSIVE lock on the index’s table: the drop itself is quick, but while it waits for running queries to finish, every new read and write on that table queues behind it.',
    },
    docs: {
      summary: 'DROP INDEX without CONCURRENTLY takes an ACCESS EXCLUSIVE lock on the table.',
      problem:
        'A plain `DROP INDEX` needs ACCESS EXCLUSIVE on the table the index belongs to. The drop is fast, but the lock must wait for every running transaction that touched the table; meanwhile all new reads and writes queue behind it. A long-running report query can turn a one-millisecond drop into minutes of downtime.',
      safeAlternative: 'Use `DROP INDEX CONCURRENTLY` (outside a transaction block), or set a short `lock_timeout` and retry.',
      frameworks: {
        alembic: 'Inside `with op.get_context().autocommit_block():` call `op.drop_index("ix_users_email", table_name="users", postgresql_concurrently=True)`.',
        django: 'Use `RemoveIndexConcurrently` from `django.contrib.postgres.operations` in a migration with `atomic = False`.',
        rails: 'Add `disable_ddl_transaction!` and write `remove_index :users, :email, algorithm: :concurrently`.',
        laravel: 'Declare `public $withinTransaction = false;` and run `DB::statement(\'DROP INDEX CONCURRENTLY users_email_index\')`.',
        knex: 'Export `config = { transaction: false }` and run `knex.raw(\'DROP INDEX CONCURRENTLY users_email_index\')`.',
        prisma: 'Edit the generated migration.sql to `DROP INDEX CONCURRENTLY …` and keep it the only statement of that migration.',
        typeorm: 'Set `transaction = false` on the migration class and run `DROP INDEX CONCURRENTLY` with `queryRunner.query`.',
        flyway: 'Put `DROP INDEX CONCURRENTLY` in a versioned script of its own.',
      },
      examples: { unsafe: 'DROP INDEX users_email_idx;', safe: 'DROP INDEX CONCURRENTLY users_email_idx;' },
    },
  },
  create(ctx) {
    return {
      DropStmt(node) {
        if (node.removeType !== 'OBJECT_INDEX' || node.concurrent) return;
        for (const ref of droppedNames(node)) {
          if (ctx.state.createdIndexes.has(ref.key)) continue;
          ctx.report({ messageId: 'accessExclusive', data: { index: show(ref) } });
        }
      },
    };
  },
});
