import { keyNames, show } from '../ast.js';
import { defineRule } from '../define.js';

export default defineRule({
  meta: {
    id: 'add-unique-constraint-blocking',
    code: 'PG106',
    defaultSeverity: 'error',
    category: 'locking',
    engines: ['postgres'],
    preset: 'recommended',
    since: '0.1.0',
    messages: {
      constraint:
        'Adding UNIQUE ({{columns}}) to {{table}} builds its index while holding ACCESS EXCLUSIVE: no read or write on {{table}} until the whole table has been scanned and indexed.',
      column:
        'ADD COLUMN {{column}} … UNIQUE builds a unique index on {{table}} while the ALTER TABLE holds ACCESS EXCLUSIVE: no read or write on {{table}} until the index is built.',
    },
    docs: {
      summary: 'A UNIQUE constraint added to an existing table builds its index under an ACCESS EXCLUSIVE lock.',
      problem:
        '`ALTER TABLE … ADD CONSTRAINT … UNIQUE (…)` builds the backing unique index inside the ALTER TABLE, which holds ACCESS EXCLUSIVE: the table is unreadable and unwritable for the whole build.',
      safeAlternative:
        'Build the index first with `CREATE UNIQUE INDEX CONCURRENTLY` (outside a transaction), check it is valid, then attach it: `ALTER TABLE t ADD CONSTRAINT t_col_key UNIQUE USING INDEX t_col_idx` (a catalog-only change).',
      frameworks: {
        alembic:
          'Create the index with `op.create_index(..., unique=True, postgresql_concurrently=True)` in an `autocommit_block()`, then `op.execute("ALTER TABLE t ADD CONSTRAINT t_col_key UNIQUE USING INDEX t_col_idx")`.',
        django:
          'Use `AddIndexConcurrently` with a unique index (atomic = False), then `SeparateDatabaseAndState` with `RunSQL("ALTER TABLE … ADD CONSTRAINT … UNIQUE USING INDEX …")` and the `AddConstraint` state operation.',
        rails:
          'With `disable_ddl_transaction!`: `add_index :t, :col, unique: true, algorithm: :concurrently`, then `add_unique_constraint :t, using_index: "index_t_on_col"` (Rails 7.1+).',
        laravel: 'Declare `$withinTransaction = false`, `DB::statement(\'CREATE UNIQUE INDEX CONCURRENTLY …\')`, then `DB::statement(\'ALTER TABLE … ADD CONSTRAINT … UNIQUE USING INDEX …\')`.',
        knex: 'With `config = { transaction: false }`: `knex.raw(\'CREATE UNIQUE INDEX CONCURRENTLY …\')`, then `knex.raw(\'ALTER TABLE … ADD CONSTRAINT … UNIQUE USING INDEX …\')`.',
        prisma: 'Edit the generated migration.sql: replace the constraint with `CREATE UNIQUE INDEX CONCURRENTLY` (alone in its migration), then `ADD CONSTRAINT … UNIQUE USING INDEX` in the next.',
        typeorm: 'With `transaction = false`: `CREATE UNIQUE INDEX CONCURRENTLY …`, then `ALTER TABLE … ADD CONSTRAINT … UNIQUE USING INDEX …` via `queryRunner.query`.',
        flyway: 'One script with `CREATE UNIQUE INDEX CONCURRENTLY`, the next with `ADD CONSTRAINT … UNIQUE USING INDEX`.',
      },
      examples: {
        unsafe: 'ALTER TABLE users ADD CONSTRAINT users_email_key UNIQUE (email);',
        safe: 'ALTER TABLE users ADD CONSTRAINT users_email_key UNIQUE USING INDEX users_email_idx;',
      },
    },
  },
  create(ctx) {
    return {
      Constraint(con, path) {
        if (con.contype !== 'CONSTR_UNIQUE' || !path.cmd || con.indexname || ctx.state.isNew(path.table)) return;
        if (path.column) ctx.report({ messageId: 'column', data: { table: show(path.table), column: path.column.colname ?? '?' } });
        else ctx.report({ messageId: 'constraint', data: { table: show(path.table), columns: keyNames(con.keys).join(', ') } });
      },
    };
  },
});
