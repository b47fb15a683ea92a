import { show } from '../ast.js';
import { defineRule } from '../define.js';
import { measured } from './_shared.js';

export default defineRule({
  meta: {
    id: 'create-index-non-concurrent',
    code: 'PG101',
    defaultSeverity: 'error',
    category: 'locking',
    engines: ['postgres'],
    preset: 'recommended',
    since: '0.1.0',
    messages: {
      share:
        'CREATE {{unique}}INDEX on {{table}} takes a SHARE lock for the whole build: every INSERT, UPDATE and DELETE on {{table}} waits until the index is built (minutes on a large table), and everything queued behind them waits too.{{measured}}',
    },
    docs: {
      summary: 'An index built without CONCURRENTLY on an existing table blocks all writes to it for the whole build.',
      problem:
        'A plain `CREATE INDEX` holds a SHARE lock on the table until the build finishes. Reads continue, but every INSERT, UPDATE and DELETE waits, and so does every later query queued behind those writers. On a large table that is an outage measured in minutes. Tables created earlier in the same migration are exempt: nobody else uses them yet.',
      safeAlternative:
        'Build it with `CREATE INDEX CONCURRENTLY` (SHARE UPDATE EXCLUSIVE: reads and writes continue), outside a transaction block. If the build fails it leaves an INVALID index behind: drop it (`DROP INDEX CONCURRENTLY`) and retry. Partitioned tables cannot be indexed concurrently: create the index `ON ONLY` the parent, build it concurrently on each partition, then `ALTER INDEX … ATTACH PARTITION`.',
      frameworks: {
        alembic:
          'Inside `with op.get_context().autocommit_block():` call `op.create_index("ix_users_email", "users", ["email"], postgresql_concurrently=True)`.',
        django:
          'Use `AddIndexConcurrently(model_name=..., index=models.Index(...))` from `django.contrib.postgres.operations` in a migration with `atomic = False` (replace the `AddIndex` that makemigrations generated).',
        rails: 'Add `disable_ddl_transaction!` to the migration and write `add_index :users, :email, algorithm: :concurrently`.',
        laravel:
          'The schema builder has no concurrent option: declare `public $withinTransaction = false;` and run `DB::statement(\'CREATE INDEX CONCURRENTLY users_email_index ON users (email)\')`.',
        knex:
          'Export `config = { transaction: false }` from the migration and run `knex.raw(\'CREATE INDEX CONCURRENTLY users_email_index ON users (email)\')` instead of `table.index(...)`.',
        prisma:
          'Create the migration with `prisma migrate dev --create-only`, change `CREATE INDEX` to `CREATE INDEX CONCURRENTLY` in migration.sql, and keep it the only statement of that migration (PostgreSQL runs a multi-statement script as one implicit transaction).',
        typeorm:
          'Set `transaction = false` on the migration class (with `migrationsTransactionMode: "each"`) and run `await queryRunner.query(\'CREATE INDEX CONCURRENTLY "IDX_users_email" ON "users" ("email")\')`.',
        flyway:
          'Write `CREATE INDEX CONCURRENTLY` in a versioned script of its own; Flyway runs that script outside a transaction on PostgreSQL (it refuses to mix it with transactional statements unless `mixed=true`).',
      },
      examples: {
        unsafe: 'CREATE INDEX users_email_idx ON users (email);',
        safe: 'CREATE INDEX CONCURRENTLY users_email_idx ON users (email);',
      },
    },
  },
  create(ctx) {
    return {
      IndexStmt(node, path) {
        if (node.concurrent || ctx.state.isNew(path.table)) return;
        ctx.report({ messageId: 'share', data: { table: show(path.table), unique: node.unique ? 'UNIQUE ' : '', measured: measured(ctx) } });
      },
    };
  },
});
