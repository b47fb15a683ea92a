import { show } from '../ast.js';
import { defineRule } from '../define.js';
import { measured } from './_shared.js';

export default defineRule({
  meta: {
    id: 'add-check-constraint-validating',
    code: 'PG207',
    defaultSeverity: 'error',
    category: 'rewrite',
    engines: ['postgres'],
    preset: 'recommended',
    since: '0.1.0',
    messages: {
      constraint:
        'ADD CONSTRAINT {{name}} CHECK on {{table}} checks every existing row while holding ACCESS EXCLUSIVE: no read or write on {{table}} until the scan finishes.{{measured}}',
      column:
        'ADD COLUMN {{column}} … CHECK on {{table}} checks the constraint on every existing row while the ALTER TABLE holds ACCESS EXCLUSIVE: no read or write until the scan finishes.{{measured}}',
    },
    docs: {
      summary: 'A CHECK constraint added without NOT VALID scans the table under ACCESS EXCLUSIVE.',
      problem:
        '`ALTER TABLE … ADD CONSTRAINT … CHECK (…)` verifies every existing row inside the ALTER TABLE, which holds ACCESS EXCLUSIVE: the table is unreadable and unwritable for the whole scan.',
      safeAlternative:
        'Add it `NOT VALID` (instant; new and updated rows are checked from now on), then `ALTER TABLE … VALIDATE CONSTRAINT …` in a separate transaction: validation takes only SHARE UPDATE EXCLUSIVE, so reads and writes continue.',
      frameworks: {
        alembic: '`op.create_check_constraint("ck_orders_total", "orders", "total >= 0", postgresql_not_valid=True)`, then in the next revision `op.execute("ALTER TABLE orders VALIDATE CONSTRAINT ck_orders_total")`.',
        django: '`AddConstraintNotValid` then `ValidateConstraint` (both in `django.contrib.postgres.operations`, Django 4.0+), in two migrations.',
        rails: '`add_check_constraint :orders, "total >= 0", name: "orders_total_check", validate: false`, then `validate_check_constraint :orders, name: "orders_total_check"` in another migration.',
        laravel: '`DB::statement(\'ALTER TABLE orders ADD CONSTRAINT orders_total_check CHECK (total >= 0) NOT VALID\')`, then `VALIDATE CONSTRAINT` in the next migration.',
        knex: '`knex.raw(\'ALTER TABLE orders ADD CONSTRAINT orders_total_check CHECK (total >= 0) NOT VALID\')`, then `VALIDATE CONSTRAINT` in the next migration.',
        prisma: 'Prisma does not generate CHECK constraints: write them in migration.sql with `NOT VALID`, and validate in the next migration.',
        typeorm: 'Write `ADD CONSTRAINT … CHECK (…) NOT VALID` with `queryRunner.query`, then `VALIDATE CONSTRAINT` in the next migration.',
        flyway: 'Add it `NOT VALID` in one script and `VALIDATE CONSTRAINT` in the next.',
      },
      examples: {
        unsafe: 'ALTER TABLE orders ADD CONSTRAINT orders_total_check CHECK (total >= 0);',
        safe: 'ALTER TABLE orders ADD CONSTRAINT orders_total_check CHECK (total >= 0) NOT VALID;',
      },
    },
  },
  create(ctx) {
    return {
      Constraint(con, path) {
        if (con.contype !== 'CONSTR_CHECK' || !path.cmd || con.skip_validation || ctx.state.isNew(path.table)) return;
        const table = show(path.table);
        if (path.column) ctx.report({ messageId: 'column', data: { table, column: path.column.colname ?? '?', measured: measured(ctx) } });
        else ctx.report({ messageId: 'constraint', data: { table, name: con.conname ?? '(unnamed)', measured: measured(ctx) } });
      },
    };
  },
});
