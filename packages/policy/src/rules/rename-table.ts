import { show, tableRef } from '../ast.js';
import { defineRule } from '../define.js';
import type { StatementInfo } from '../types.js';

export default defineRule({
  meta: {
    id: 'rename-table',
    code: 'BC102',
    defaultSeverity: 'error',
    category: 'compatibility',
    engines: ['postgres'],
    preset: 'recommended',
    since: '0.1.0',
    messages: {
      rename: 'RENAME {{from}} TO {{to}}: the running application version still queries "{{from}}" and fails from the moment this commits until the new code is everywhere (and again on a code rollback). Not reported when the migration also creates a view named {{from}}.',
    },
    docs: {
      summary: 'Renaming a table breaks the code that is still running with the old name.',
      problem: 'Old and new application versions overlap during a deploy (and a rollback brings the old one back). After the rename, every query of the old version on the old name fails.',
      safeAlternative:
        'Rename only in the code (the ORM’s table mapping), or rename and create a view under the old name in the same transaction (a simple view is updatable), deploy the code that uses the new name, then drop the view. metamig does not report a rename followed by `CREATE VIEW <old name>` in the same migration.',
      frameworks: {
        alembic: 'Keep the table and set `__tablename__ = "old_name"` on the renamed model; or `op.rename_table(...)` followed by `op.execute("CREATE VIEW old_name AS SELECT * FROM new_name")`.',
        django: 'Rename the model but keep `Meta.db_table = "app_oldname"` (no SQL); or rename plus a view under the old name, removed a release later.',
        rails: 'Keep the table and set `self.table_name = "old_name"`; or rename plus `execute "CREATE VIEW old_name AS SELECT * FROM new_name"` (strong_migrations: rename_table).',
        laravel: 'Keep the table and set `protected $table = \'old_name\';` on the model; or rename plus a view under the old name.',
        knex: 'Rename plus `knex.raw(\'CREATE VIEW old_name AS SELECT * FROM new_name\')` in the same migration; drop the view after the deploy.',
        prisma: 'Rename the model but keep the table with `@@map("old_name")` — Prisma then generates no SQL.',
        typeorm: 'Rename the entity but keep `@Entity({ name: "old_name" })`.',
        flyway: '`ALTER TABLE old_name RENAME TO new_name; CREATE VIEW old_name AS SELECT * FROM new_name;` in one script; drop the view in a later one.',
      },
      examples: {
        unsafe: 'ALTER TABLE customers RENAME TO clients;',
        safe: 'ALTER TABLE customers RENAME TO clients;\nCREATE VIEW customers AS SELECT * FROM clients;',
      },
    },
  },
  create(ctx) {
    const pending = new Map<string, { stmt: StatementInfo; data: Record<string, string> }>();
    return {
      RenameStmt(node) {
        if (node.renameType !== 'OBJECT_TABLE') return;
        const ref = tableRef(node.relation);
        if (!ref || ctx.state.isNew(ref)) return;
        pending.set(ref.name, { stmt: ctx.statement!, data: { from: show(ref), to: node.newname ?? '?' } });
      },
      ViewStmt(node) {
        const v = tableRef(node.view);
        if (v) pending.delete(v.name);
      },
      'migration:exit'() {
        for (const p of pending.values()) ctx.report({ messageId: 'rename', statement: p.stmt, data: p.data });
      },
    };
  },
});
