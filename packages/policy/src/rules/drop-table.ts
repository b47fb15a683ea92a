import { show } from '../ast.js';
import { defineRule } from '../define.js';
import { droppedNames } from '../locks.js';

export default defineRule({
  meta: {
    id: 'drop-table',
    code: 'DS102',
    defaultSeverity: 'error',
    category: 'destructive',
    engines: ['postgres'],
    preset: 'recommended',
    since: '0.1.0',
    messages: {
      drop: 'DROP TABLE {{table}} deletes the table and all its rows{{cascade}}; running code that still queries {{table}} fails as soon as this commits, and rolling the migration back cannot restore the data.',
    },
    docs: {
      summary: 'Dropping a table loses its data and breaks code that still uses it.',
      problem:
        'The old application version keeps running during a deploy; if it still reads or writes the table, those requests fail the moment the drop commits. The rows are gone — a down migration can only recreate an empty table. `CASCADE` also silently drops views and foreign keys that depend on it.',
      safeAlternative:
        'Expand/contract: remove every use of the table from the code and deploy; confirm it is unused (pg_stat_user_tables shows no new scans); take a backup (or rename it to `…_deprecated` for one release); then drop it in a later migration.',
      frameworks: {
        alembic: 'Remove the model and its uses, deploy; `op.drop_table("audit_old")` in a later revision (after a backup).',
        django: 'Delete the model in one release with `SeparateDatabaseAndState(state_operations=[DeleteModel(...)], database_operations=[])`, drop the table later with `RunSQL`.',
        rails: 'Remove the model and its uses, deploy; `drop_table :audit_old` in a later migration (strong_migrations asks for `safety_assured`).',
        laravel: 'Remove the model and its uses, deploy; `Schema::drop(\'audit_old\')` in a later migration.',
        knex: 'Remove every query on it, deploy; `knex.schema.dropTable(\'audit_old\')` in a later migration.',
        prisma: 'Remove the model from schema.prisma in a release whose migration does not drop the table (`--create-only`, delete the DROP TABLE), then drop it in a later migration.',
        typeorm: 'Remove the entity and its uses, deploy; drop the table in a later migration.',
        flyway: 'Ship the code that no longer uses the table first; drop it in a later versioned script, after a backup.',
      },
      examples: {
        unsafe: 'DROP TABLE audit_old;',
        safe: 'CREATE TABLE tmp_import (id int);\nDROP TABLE tmp_import;',
      },
    },
  },
  create(ctx) {
    return {
      DropStmt(node) {
        if (node.removeType !== 'OBJECT_TABLE') return;
        for (const ref of droppedNames(node)) {
          if (ctx.state.isNew(ref)) continue;
          ctx.report({ messageId: 'drop', data: { table: show(ref), cascade: node.behavior === 'DROP_CASCADE' ? ', and CASCADE also drops the views and foreign keys that depend on it' : '' } });
        }
      },
    };
  },
});
