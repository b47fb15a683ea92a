import { keyNames, show } from '../ast.js';
import { pgAtLeast } from '../version.js';
import { defineRule } from '../define.js';
import { measured } from './_shared.js';

export default defineRule({
  meta: {
    id: 'set-not-null-full-scan',
    code: 'PG206',
    defaultSeverity: 'error',
    category: 'rewrite',
    engines: ['postgres'],
    preset: 'recommended',
    since: '0.1.0',
    messages: {
      scan:
        'SET NOT NULL on {{table}}.{{column}} scans the whole table to prove there are no NULLs while holding ACCESS EXCLUSIVE: no read or write on {{table}} until the scan finishes (and it fails if a NULL is found).{{advice}}{{measured}}',
      constraint:
        'ADD CONSTRAINT … NOT NULL {{column}} on {{table}} scans the whole table while holding ACCESS EXCLUSIVE: no read or write until the scan finishes. Add it NOT VALID and VALIDATE it in a separate transaction instead (PostgreSQL 18+).{{measured}}',
    },
    docs: {
      summary: 'SET NOT NULL on an existing column scans the whole table under ACCESS EXCLUSIVE.',
      problem:
        '`ALTER COLUMN … SET NOT NULL` must prove that no row holds NULL, so it reads the whole table while holding ACCESS EXCLUSIVE (no reads, no writes). On PostgreSQL 12+ the scan is skipped when a validated `CHECK (col IS NOT NULL)` constraint already proves it. Old application code that still writes NULL starts failing, too.',
      safeAlternative:
        'Three steps, each short: (1) `ALTER TABLE t ADD CONSTRAINT t_col_not_null CHECK (col IS NOT NULL) NOT VALID;` (2) in a separate transaction, after backfilling NULLs: `ALTER TABLE t VALIDATE CONSTRAINT t_col_not_null;` (SHARE UPDATE EXCLUSIVE: reads and writes continue); (3) on PostgreSQL 12+: `ALTER TABLE t ALTER COLUMN col SET NOT NULL;` (no scan) and `ALTER TABLE t DROP CONSTRAINT t_col_not_null;`. On PostgreSQL 18+ steps 1–2 can use `ADD CONSTRAINT t_col_not_null NOT NULL col NOT VALID`. Before PostgreSQL 12 keep the validated CHECK as the end state.',
      frameworks: {
        alembic:
          'Revision 1: `op.create_check_constraint("ck_users_email_not_null", "users", "email IS NOT NULL", postgresql_not_valid=True)`. Revision 2: `op.execute("ALTER TABLE users VALIDATE CONSTRAINT ck_users_email_not_null")`, then `op.alter_column("users", "email", nullable=False)` and `op.drop_constraint("ck_users_email_not_null", "users")`.',
        django:
          'Migration 1: `AddConstraintNotValid("user", models.CheckConstraint(condition=Q(email__isnull=False), name="user_email_not_null"))` (from `django.contrib.postgres.operations`; `check=` before Django 5.1). Migration 2: `ValidateConstraint("user", "user_email_not_null")`. Migration 3: the `AlterField(null=False)` and `RemoveConstraint`.',
        rails:
          'Migration 1: `add_check_constraint :users, "email IS NOT NULL", name: "users_email_null", validate: false`. Migration 2: `validate_check_constraint :users, name: "users_email_null"`, then `change_column_null :users, :email, false` and `remove_check_constraint :users, name: "users_email_null"`.',
        laravel:
          'Migration 1: `DB::statement(\'ALTER TABLE users ADD CONSTRAINT users_email_not_null CHECK (email IS NOT NULL) NOT VALID\')`. Migration 2: `DB::statement(\'ALTER TABLE users VALIDATE CONSTRAINT users_email_not_null\')`, then `$table->string(\'email\')->nullable(false)->change()` and drop the check.',
        knex:
          'Migration 1: `knex.raw(\'ALTER TABLE users ADD CONSTRAINT users_email_not_null CHECK (email IS NOT NULL) NOT VALID\')`. Migration 2: `knex.raw(\'ALTER TABLE users VALIDATE CONSTRAINT users_email_not_null\')`, then `table.string(\'email\').notNullable().alter()` and drop the check.',
        prisma:
          'When you make a field required, create the migration with `--create-only` and replace `SET NOT NULL` by the CHECK … NOT VALID step; put `VALIDATE CONSTRAINT`, `SET NOT NULL` and `DROP CONSTRAINT` in the next migration.',
        typeorm:
          'Migration 1: `ADD CONSTRAINT … CHECK ("email" IS NOT NULL) NOT VALID` via `queryRunner.query`. Migration 2: `VALIDATE CONSTRAINT`, then `ALTER COLUMN "email" SET NOT NULL` and drop the check.',
        flyway:
          'V1: `ALTER TABLE users ADD CONSTRAINT users_email_not_null CHECK (email IS NOT NULL) NOT VALID;` V2: `ALTER TABLE users VALIDATE CONSTRAINT users_email_not_null; ALTER TABLE users ALTER COLUMN email SET NOT NULL; ALTER TABLE users DROP CONSTRAINT users_email_not_null;`',
      },
      examples: {
        unsafe: 'ALTER TABLE users ALTER COLUMN email SET NOT NULL;',
        safe: 'ALTER TABLE users VALIDATE CONSTRAINT users_email_not_null;\nALTER TABLE users ALTER COLUMN email SET NOT NULL;',
        context: { before: ['ALTER TABLE users ADD CONSTRAINT users_email_not_null CHECK (email IS NOT NULL) NOT VALID;'] },
      },
    },
  },
  create(ctx) {
    const pg12 = pgAtLeast(ctx.settings.pgVersion, 12);
    return {
      AlterTableCmd(cmd, path) {
        if (cmd.subtype !== 'AT_SetNotNull' || !cmd.name || ctx.state.isNew(path.table)) return;
        const schema = ctx.state.schema;
        if (pg12 && schema.hasValidatedNotNullCheck(path.table, cmd.name)) return;
        // A constraint validated here whose definition metamig did not see (added by an earlier migration),
        // named after the column: the usual 3-step pattern across migrations.
        const t = schema.table(path.table);
        if (pg12 && t && [...t.checks.entries()].some(([name, c]) => c.validated && c.column === undefined && name.includes(cmd.name!))) return;
        const advice = pg12
          ? ' Prove it first with a CHECK (col IS NOT NULL) NOT VALID constraint validated in a separate transaction; then SET NOT NULL skips the scan.'
          : ' Before PostgreSQL 12 SET NOT NULL always scans: keep a validated CHECK (col IS NOT NULL) constraint instead.';
        ctx.report({ messageId: 'scan', data: { table: show(path.table), column: cmd.name, advice, measured: measured(ctx) } });
      },
      Constraint(con, path) {
        if (con.contype !== 'CONSTR_NOTNULL' || path.cmd?.subtype !== 'AT_AddConstraint' || con.skip_validation || ctx.state.isNew(path.table)) return;
        ctx.report({ messageId: 'constraint', data: { table: show(path.table), column: keyNames(con.keys).join(', '), measured: measured(ctx) } });
      },
    };
  },
});
