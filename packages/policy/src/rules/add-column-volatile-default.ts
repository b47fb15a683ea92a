import { as, columnType, show } from '../ast.js';
import { pgAtLeast } from '../version.js';
import { defineRule } from '../define.js';
import { volatility } from '../volatility.js';
import { measured, observedNoRewrite } from './_shared.js';

export default defineRule({
  meta: {
    id: 'add-column-volatile-default',
    code: 'PG201',
    defaultSeverity: 'error',
    category: 'rewrite',
    engines: ['postgres'],
    preset: 'recommended',
    since: '0.1.0',
    messages: {
      volatile:
        'ADD COLUMN {{column}} with DEFAULT {{because}} on {{table}}: the default is volatile, so PostgreSQL computes it for every existing row and rewrites the whole table under ACCESS EXCLUSIVE — no read or write on {{table}} until the copy is done.{{measured}}',
      pre11:
        'ADD COLUMN {{column}} with a DEFAULT on {{table}} rewrites the whole table under ACCESS EXCLUSIVE on PostgreSQL {{version}} (before 11 every non-NULL default is written into each row): no read or write until the copy is done.{{measured}}',
      domain:
        'ADD COLUMN {{column}} of domain type {{type}} (which has CHECK constraints) on {{table}}: PostgreSQL must check the domain on every row, which rewrites the whole table under ACCESS EXCLUSIVE.{{measured}}',
    },
    docs: {
      summary: 'A column added with a volatile default (or any default before PostgreSQL 11) rewrites the table.',
      problem:
        'Since PostgreSQL 11, `ADD COLUMN … DEFAULT <constant or stable expression>` is instant: the value is stored once in the catalog. A *volatile* default — `random()`, `gen_random_uuid()`, `clock_timestamp()`, `nextval()`, or any function metamig cannot prove stable — must be computed per row, so the table is rewritten under ACCESS EXCLUSIVE. Before PostgreSQL 11 every non-NULL default rewrites. A domain type with CHECK constraints also forces the rewrite.',
      safeAlternative:
        'Add the column without the default (or with a constant one), then `ALTER COLUMN … SET DEFAULT <volatile expr>` for new rows, and backfill existing rows in batches (`UPDATE … WHERE id BETWEEN …`) outside the DDL transaction.',
      frameworks: {
        alembic:
          'Add it nullable with `op.add_column("t", sa.Column("token", sa.Uuid(), nullable=True))`, then `op.alter_column("t", "token", server_default=sa.text("gen_random_uuid()"))`, and backfill in batches in a separate revision.',
        django:
          'Add the field as `null=True` without a default, then set `db_default=` (Django 5.0+) in a second AlterField, and backfill with a batched `RunPython` in a non-atomic migration.',
        rails:
          'Add it without a default, then `change_column_default :t, :token, -> { "gen_random_uuid()" }`, and backfill in batches in a migration with `disable_ddl_transaction!` (e.g. `in_batches.update_all`).',
        laravel: 'Add it `->nullable()` without a default, then `DB::statement(\'ALTER TABLE t ALTER COLUMN token SET DEFAULT gen_random_uuid()\')`, and backfill with chunked updates.',
        knex: 'Add it `.nullable()`, then `knex.raw(\'ALTER TABLE t ALTER COLUMN token SET DEFAULT gen_random_uuid()\')`, and backfill in batches in a non-transactional migration.',
        prisma: 'Add the field as optional (`String?`), then make the default `@default(dbgenerated("gen_random_uuid()"))` in a second migration and backfill in batches.',
        typeorm: 'Add the column nullable, then `ALTER COLUMN … SET DEFAULT …` in a second statement, and backfill in batches.',
        flyway: 'Write `ADD COLUMN token uuid;` then `ALTER TABLE t ALTER COLUMN token SET DEFAULT gen_random_uuid();` and backfill in a later script.',
      },
      examples: {
        unsafe: 'ALTER TABLE orders ADD COLUMN token uuid DEFAULT gen_random_uuid();',
        safe: "ALTER TABLE orders ADD COLUMN status text DEFAULT 'new';",
      },
    },
  },
  create(ctx) {
    return {
      ColumnDef(col, path) {
        if (path.cmd?.subtype !== 'AT_AddColumn' || ctx.state.isNew(path.table)) return;
        const table = show(path.table);
        if (path.table && observedNoRewrite(ctx, path.table.key)) return;
        const column = col.colname ?? '?';
        const type = columnType(col.typeName);
        if (type && ctx.state.schema.domainsWithChecks.has(type.schema ? `${type.schema}.${type.name}` : type.name)) {
          ctx.report({ messageId: 'domain', data: { column, table, type: type.name, measured: measured(ctx) } });
          return;
        }
        for (const c of col.constraints ?? []) {
          const con = as(c, 'Constraint');
          if (con?.contype !== 'CONSTR_DEFAULT' || as(con.raw_expr, 'A_Const')?.isnull) continue;
          if (!pgAtLeast(ctx.settings.pgVersion, 11)) {
            ctx.report({ messageId: 'pre11', data: { column, table, version: ctx.settings.pgVersion.major, measured: measured(ctx) } });
            return;
          }
          const v = volatility(con.raw_expr);
          if (v.volatile) ctx.report({ messageId: 'volatile', data: { column, table, because: v.because ?? 'expression', measured: measured(ctx) } });
        }
      },
    };
  },
});
