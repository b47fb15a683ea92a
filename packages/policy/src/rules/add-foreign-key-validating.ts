import { show, tableRef } from '../ast.js';
import { defineRule } from '../define.js';
import { measured } from './_shared.js';

export default defineRule({
  meta: {
    id: 'add-foreign-key-validating',
    code: 'PG208',
    defaultSeverity: 'error',
    category: 'rewrite',
    engines: ['postgres'],
    preset: 'recommended',
    since: '0.1.0',
    messages: {
      constraint:
        'ADD FOREIGN KEY from {{table}} to {{target}} takes SHARE ROW EXCLUSIVE on both tables and checks every row of {{table}} before releasing them: writes to {{table}} and {{target}} wait for the whole scan.{{measured}}',
      column:
        'ADD COLUMN {{column}} … REFERENCES {{target}} locks {{target}} (SHARE ROW EXCLUSIVE: its writes wait) and {{table}} (ACCESS EXCLUSIVE) while the new constraint is checked against every row of {{table}}.{{measured}}',
    },
    docs: {
      summary: 'A foreign key added without NOT VALID blocks writes on both tables while it scans.',
      problem:
        '`ALTER TABLE … ADD FOREIGN KEY` takes SHARE ROW EXCLUSIVE on the referencing and the referenced table and validates every existing row before it commits. Writes to both tables wait for the whole scan — and the referenced table is often the busiest one (users, accounts).',
      safeAlternative:
        'Add it `NOT VALID` (instant: new rows are checked from now on), then `ALTER TABLE … VALIDATE CONSTRAINT …` in a separate transaction: validation takes SHARE UPDATE EXCLUSIVE on the referencing table and ROW SHARE on the referenced one, so reads and writes continue.',
      frameworks: {
        alembic:
          '`op.create_foreign_key("fk_orders_user", "orders", "users", ["user_id"], ["id"], postgresql_not_valid=True)`, then in the next revision `op.execute("ALTER TABLE orders VALIDATE CONSTRAINT fk_orders_user")`.',
        django:
          'Django has no NOT VALID foreign keys: declare the field with `db_constraint=False`, then add the constraint with `RunSQL("ALTER TABLE … ADD CONSTRAINT … FOREIGN KEY (…) REFERENCES … NOT VALID")` and validate it with another `RunSQL` in the next migration (use `SeparateDatabaseAndState` to keep the model state in sync).',
        rails: '`add_foreign_key :orders, :users, validate: false`, then `validate_foreign_key :orders, :users` in another migration.',
        laravel:
          'Instead of `$table->foreign(...)`, run `DB::statement(\'ALTER TABLE orders ADD CONSTRAINT orders_user_id_foreign FOREIGN KEY (user_id) REFERENCES users (id) NOT VALID\')`, and `DB::statement(\'ALTER TABLE orders VALIDATE CONSTRAINT orders_user_id_foreign\')` in the next migration.',
        knex:
          'Instead of `table.foreign(...)`, run `knex.raw(\'ALTER TABLE orders ADD CONSTRAINT orders_user_id_foreign FOREIGN KEY (user_id) REFERENCES users (id) NOT VALID\')`, and `VALIDATE CONSTRAINT` in the next migration.',
        prisma:
          'Create the migration with `--create-only`, append `NOT VALID` to the generated `ADD CONSTRAINT … FOREIGN KEY …`, and add `ALTER TABLE … VALIDATE CONSTRAINT …` in the next migration.',
        typeorm:
          'Replace the generated `ADD CONSTRAINT … FOREIGN KEY` with the same statement ending in `NOT VALID`, and run `VALIDATE CONSTRAINT` via `queryRunner.query` in the next migration.',
        flyway: 'V1: `ALTER TABLE orders ADD CONSTRAINT orders_user_fk FOREIGN KEY (user_id) REFERENCES users (id) NOT VALID;` V2: `ALTER TABLE orders VALIDATE CONSTRAINT orders_user_fk;`',
      },
      examples: {
        unsafe: 'ALTER TABLE orders ADD CONSTRAINT orders_user_fk FOREIGN KEY (user_id) REFERENCES users (id);',
        safe: 'ALTER TABLE orders ADD CONSTRAINT orders_user_fk FOREIGN KEY (user_id) REFERENCES users (id) NOT VALID;',
      },
    },
  },
  create(ctx) {
    return {
      Constraint(con, path) {
        if (con.contype !== 'CONSTR_FOREIGN' || !path.cmd || con.skip_validation || ctx.state.isNew(path.table)) return;
        const data = { table: show(path.table), target: show(tableRef(con.pktable)), measured: measured(ctx) };
        if (path.column) ctx.report({ messageId: 'column', data: { ...data, column: path.column.colname ?? '?' } });
        else ctx.report({ messageId: 'constraint', data });
      },
    };
  },
});
