import { as, columnType, show } from '../ast.js';
import { defineRule } from '../define.js';
import { columnLabel } from './_shared.js';

const SMALL: Record<string, string> = { int2: '32,767', int4: '2,147,483,647', smallserial: '32,767', serial: '2,147,483,647' };

export default defineRule({
  meta: {
    id: 'prefer-bigint',
    code: 'HY101',
    defaultSeverity: 'info',
    category: 'hygiene',
    engines: ['postgres'],
    preset: 'strict',
    since: '0.1.0',
    messages: {
      small: 'Key column {{table}}.{{column}} is {{type}} (maximum {{max}}): ids keep growing, and switching to bigint later rewrites the table (and every referencing column) under ACCESS EXCLUSIVE.',
    },
    docs: {
      summary: 'Primary and foreign key columns declared as int/smallint (or serial) will overflow.',
      problem:
        'Auto-incrementing ids and the foreign keys that copy them only grow. `int` tops out at about 2.1 billion, `smallint` at 32,767; reaching the limit stops all inserts, and the fix — a type change — rewrites the table and every table that references it. The rule looks at primary key columns and columns named `id` or `*_id`.',
      safeAlternative: 'Use `bigint` (or `bigint GENERATED … AS IDENTITY` / `bigserial`) for keys from the start; the extra 4 bytes per row are cheap.',
      frameworks: {
        rails: 'Rails 5.1+ already uses bigint primary keys; use `t.references` (bigint) for foreign keys.',
        django: 'Set `DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"`.',
        prisma: 'Use `BigInt @id @default(autoincrement())`.',
        alembic: 'Use `sa.BigInteger()` (with `sa.Identity()`) for ids.',
      },
      examples: { unsafe: 'CREATE TABLE accounts (id serial PRIMARY KEY, name text);', safe: 'CREATE TABLE accounts (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, name text);' },
    },
  },
  create(ctx) {
    return {
      ColumnDef(col, path) {
        const type = columnType(col.typeName);
        if (!type || type.array || !SMALL[type.name]) return;
        const name = columnLabel(col, path);
        const pk = (col.constraints ?? []).some((c) => as(c, 'Constraint')?.contype === 'CONSTR_PRIMARY');
        if (!pk && name !== 'id' && !name.endsWith('_id')) return;
        ctx.report({ messageId: 'small', data: { table: show(path.table), column: name, type: type.name, max: SMALL[type.name]! } });
      },
    };
  },
});
