import { show, tableRef } from '../ast.js';
import { defineRule } from '../define.js';

export default defineRule({
  meta: {
    id: 'rename-column',
    code: 'BC101',
    defaultSeverity: 'error',
    category: 'compatibility',
    engines: ['postgres'],
    preset: 'recommended',
    since: '0.1.0',
    messages: {
      rename: 'RENAME COLUMN {{from}} TO {{to}} on {{table}}: the running application version still uses "{{from}}", and every query naming it fails from the moment this commits until the new code is deployed everywhere (and again if the code is rolled back).',
    },
    docs: {
      summary: 'Renaming a column breaks the code that is still running with the old name.',
      problem:
        'During a deploy old and new application versions run side by side, and a code rollback brings the old one back. A rename is atomic in the database but not in the fleet: the old version’s queries fail on the new name (and the new version’s on the old one, before the migration).',
      safeAlternative:
        'Keep the database name and rename only in the code (column mapping), or expand/contract: add the new column, write to both (trigger or code), backfill, switch reads, stop writing the old one, drop it in a later release. A view with the old names can bridge readers.',
      frameworks: {
        alembic: 'Rename only the Python attribute: `new_name = Column("old_name", ...)`; or add the new column, backfill, and drop the old one over several revisions.',
        django: 'Rename the field but keep the column with `db_column="old_name"` (no SQL is generated); or add/backfill/switch/remove over several releases.',
        rails: 'Use `alias_attribute :new_name, :old_name` in the model instead of `rename_column`; or add the new column, backfill, switch, then remove the old one (strong_migrations: rename_column).',
        laravel: 'Keep the column and map it in the model (accessor/mutator), or add the new column, backfill, switch, and drop the old one in later migrations instead of `renameColumn`.',
        knex: 'Keep the column and alias it in queries (`select(\'old_name as new_name\')`), or add/backfill/switch/drop over several migrations instead of `renameColumn`.',
        prisma: 'Rename the field in schema.prisma but keep the column with `@map("old_name")` — Prisma then generates no SQL.',
        typeorm: 'Rename the property but keep the column with `@Column({ name: "old_name" })`.',
        flyway: 'Add the new column, backfill and keep both in sync with a trigger, switch the code, and drop the old column in a later script.',
      },
      examples: { unsafe: 'ALTER TABLE users RENAME COLUMN name TO full_name;', safe: 'ALTER TABLE users ADD COLUMN full_name text;' },
    },
  },
  create(ctx) {
    return {
      RenameStmt(node) {
        if (node.renameType !== 'OBJECT_COLUMN' || !node.subname) return;
        const ref = tableRef(node.relation);
        if (ctx.state.isNewColumn(ref, node.subname)) return;
        ctx.report({ messageId: 'rename', data: { from: node.subname, to: node.newname ?? '?', table: show(ref) } });
      },
    };
  },
});
