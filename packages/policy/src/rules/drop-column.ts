import { show } from '../ast.js';
import { defineRule } from '../define.js';

export default defineRule({
  meta: {
    id: 'drop-column',
    code: 'DS101',
    defaultSeverity: 'error',
    category: 'destructive',
    engines: ['postgres'],
    preset: 'recommended',
    since: '0.1.0',
    messages: {
      drop: 'DROP COLUMN {{column}} on {{table}} deletes its data for good, and any running application version that still reads or writes {{column}} starts failing the moment this commits (ORMs that cache the column list — Rails, Prisma clients, Hibernate — fail even if the code never names it). A rollback of the migration cannot bring the data back.',
    },
    docs: {
      summary: 'Dropping a column breaks the running code that still uses it and loses its data.',
      problem:
        'Deploys are not atomic: while the migration runs, the old application version is still serving traffic. If it still selects, inserts or updates the column (explicitly, or implicitly through an ORM that lists every column), those queries fail as soon as the drop commits. The data is gone: rolling the migration back re-creates an empty column at best.',
      safeAlternative:
        'Expand/contract over two releases: (1) stop using the column in code (and tell the ORM to ignore it), deploy; (2) drop the column in a later migration, ideally after a backup or once the column is known to be unused. The drop itself is quick (catalog-only) but takes ACCESS EXCLUSIVE: set a lock_timeout.',
      frameworks: {
        alembic: 'Remove the column from the SQLAlchemy model and deploy; drop it with `op.drop_column("users", "legacy_flag")` in a later revision.',
        django:
          'Release 1: remove the field from the model but keep the column, with `SeparateDatabaseAndState(state_operations=[RemoveField(...)], database_operations=[])`. Release 2: `RunSQL("ALTER TABLE … DROP COLUMN …")` (or django-deprecate-fields).',
        rails: 'Release 1: `self.ignored_columns += ["legacy_flag"]` in the model, deploy. Release 2: `remove_column :users, :legacy_flag` (in `safety_assured` with strong_migrations), then remove the ignore.',
        laravel: 'Stop using the attribute (and remove it from `$fillable`/casts), deploy; drop it with `$table->dropColumn(\'legacy_flag\')` in a later migration.',
        knex: 'Stop selecting/writing the column (no `select *` that the code maps strictly), deploy; then `table.dropColumn(\'legacy_flag\')` in a later migration.',
        prisma:
          'Prisma Client selects every scalar field by default, so old clients fail on a dropped column: first remove the field from schema.prisma in a release that keeps the column (create the migration with `--create-only` and delete the DROP COLUMN from it), then drop the column in a later migration.',
        typeorm: 'Remove the property from the entity (or mark it `select: false, insert: false, update: false`), deploy, then drop the column in a later migration.',
        flyway: 'Ship the code that no longer uses the column first; drop it in a later versioned script.',
      },
      examples: {
        unsafe: 'ALTER TABLE users DROP COLUMN legacy_flag;',
        safe: 'ALTER TABLE users ADD COLUMN tmp int;\nALTER TABLE users DROP COLUMN tmp;',
      },
    },
  },
  create(ctx) {
    return {
      AlterTableCmd(cmd, path) {
        if (cmd.subtype !== 'AT_DropColumn' || !cmd.name || ctx.state.isNewColumn(path.table, cmd.name)) return;
        ctx.report({ messageId: 'drop', data: { column: cmd.name, table: show(path.table) } });
      },
    };
  },
});
