import { keyNames, show } from '../ast.js';
import { defineRule } from '../define.js';

export default defineRule({
  meta: {
    id: 'add-primary-key-blocking',
    code: 'PG107',
    defaultSeverity: 'error',
    category: 'locking',
    engines: ['postgres'],
    preset: 'recommended',
    since: '0.1.0',
    messages: {
      constraint:
        'Adding PRIMARY KEY ({{columns}}) to {{table}} builds a unique index — and sets NOT NULL on the key columns, scanning the table — while holding ACCESS EXCLUSIVE: no read or write on {{table}} until both are done.',
      column:
        'ADD COLUMN {{column}} … PRIMARY KEY fills, checks and indexes the new column on {{table}} under ACCESS EXCLUSIVE: no read or write until the index is built.',
    },
    docs: {
      summary: 'A PRIMARY KEY added to an existing table builds its index (and checks NOT NULL) under an ACCESS EXCLUSIVE lock.',
      problem:
        '`ALTER TABLE … ADD PRIMARY KEY (…)` builds a unique index and makes the key columns NOT NULL (a full scan unless proven) inside one ALTER TABLE that holds ACCESS EXCLUSIVE for the whole time.',
      safeAlternative:
        'Make the columns NOT NULL safely first (see set-not-null-full-scan), build `CREATE UNIQUE INDEX CONCURRENTLY`, check it is valid, then `ALTER TABLE t ADD CONSTRAINT t_pkey PRIMARY KEY USING INDEX t_id_idx`.',
      frameworks: {
        alembic: 'Create the unique index concurrently in an `autocommit_block()`, then `op.execute("ALTER TABLE t ADD CONSTRAINT t_pkey PRIMARY KEY USING INDEX t_id_idx")`.',
        rails: 'With `disable_ddl_transaction!`: `add_index :t, :id, unique: true, algorithm: :concurrently`, then `execute "ALTER TABLE t ADD CONSTRAINT t_pkey PRIMARY KEY USING INDEX index_t_on_id"`.',
        django: 'Use `AddIndexConcurrently` (atomic = False) and then `RunSQL("ALTER TABLE … ADD CONSTRAINT … PRIMARY KEY USING INDEX …")` with `SeparateDatabaseAndState`.',
        flyway: 'One script with `CREATE UNIQUE INDEX CONCURRENTLY`, the next with `ADD CONSTRAINT … PRIMARY KEY USING INDEX`.',
      },
      examples: {
        unsafe: 'ALTER TABLE items ADD PRIMARY KEY (id);',
        safe: 'ALTER TABLE items ADD CONSTRAINT items_pkey PRIMARY KEY USING INDEX items_id_idx;',
      },
    },
  },
  create(ctx) {
    return {
      Constraint(con, path) {
        if (con.contype !== 'CONSTR_PRIMARY' || !path.cmd || con.indexname || ctx.state.isNew(path.table)) return;
        if (path.column) ctx.report({ messageId: 'column', data: { table: show(path.table), column: path.column.colname ?? '?' } });
        else ctx.report({ messageId: 'constraint', data: { table: show(path.table), columns: keyNames(con.keys).join(', ') } });
      },
    };
  },
});
