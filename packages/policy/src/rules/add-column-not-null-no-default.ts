import { as, columnType, show } from '../ast.js';
import { defineRule } from '../define.js';

const SERIALS = new Set(['serial', 'bigserial', 'smallserial']);

export default defineRule({
  meta: {
    id: 'add-column-not-null-no-default',
    code: 'BC104',
    defaultSeverity: 'error',
    category: 'compatibility',
    engines: ['postgres'],
    preset: 'recommended',
    since: '0.1.0',
    messages: {
      required:
        'ADD COLUMN {{column}} … NOT NULL without a database DEFAULT on {{table}}: it fails outright if {{table}} has any row ("column contains null values"), and once added, every INSERT from the running code — which does not know {{column}} — fails.',
    },
    docs: {
      summary: 'A NOT NULL column without a database default added to an existing table.',
      problem:
        'Existing rows would have NULL in the new column, so PostgreSQL refuses the ALTER on any non-empty table — it passes on an empty dev database and fails in production. If it does get in, the application version still running does not send the column, and its INSERTs fail. ORM-level defaults (Django `default=`, Prisma `@default(uuid())`, SQLAlchemy `default=`) are not database defaults.',
      safeAlternative:
        'Give it a database DEFAULT with a constant (instant on PostgreSQL 11+: `ADD COLUMN status text NOT NULL DEFAULT \'new\'`), or add it nullable, backfill, and make it NOT NULL safely later (see set-not-null-full-scan).',
      frameworks: {
        alembic: 'Use `server_default` (a DB default), not `default`: `op.add_column("orders", sa.Column("status", sa.Text(), nullable=False, server_default="new"))` — or `nullable=True` and tighten later.',
        django: 'Use `db_default="new"` (Django 5.0+) on the new field (a `default=` is dropped from the database after the ALTER), or add it with `null=True` and tighten later.',
        rails: '`add_column :orders, :status, :string, null: false, default: "new"` (a constant default), or add it nullable and tighten later.',
        laravel: '`$table->string(\'status\')->default(\'new\');` (a constant default), or `->nullable()` and tighten later.',
        knex: '`table.string(\'status\').notNullable().defaultTo(\'new\')`, or `.nullable()` and tighten later.',
        prisma: 'Give the field a static `@default("new")` (Prisma writes it as a DB DEFAULT), or make it optional first; `@default(uuid())`/`cuid()` are client-side and do not help.',
        typeorm: '`@Column({ default: "new" })` (a DB default), or `nullable: true` first and tighten later.',
        flyway: '`ALTER TABLE orders ADD COLUMN status text NOT NULL DEFAULT \'new\';`, or add it nullable and tighten later.',
      },
      examples: {
        unsafe: 'ALTER TABLE orders ADD COLUMN status text NOT NULL;',
        safe: "ALTER TABLE orders ADD COLUMN status text NOT NULL DEFAULT 'new';",
      },
    },
  },
  create(ctx) {
    return {
      ColumnDef(col, path) {
        if (path.cmd?.subtype !== 'AT_AddColumn' || ctx.state.isNew(path.table)) return;
        let notNull = !!col.is_not_null;
        let provided = false;
        for (const c of col.constraints ?? []) {
          const con = as(c, 'Constraint');
          if (con?.contype === 'CONSTR_NOTNULL' || con?.contype === 'CONSTR_PRIMARY') notNull = true;
          if (con?.contype === 'CONSTR_DEFAULT' && !as(con.raw_expr, 'A_Const')?.isnull) provided = true;
          if (con?.contype === 'CONSTR_IDENTITY' || con?.contype === 'CONSTR_GENERATED') provided = true;
        }
        const type = columnType(col.typeName);
        if (type && SERIALS.has(type.name)) provided = true;
        if (notNull && !provided) ctx.report({ messageId: 'required', data: { column: col.colname ?? '?', table: show(path.table) } });
      },
    };
  },
});
