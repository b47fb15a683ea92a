import { as, columnType, show } from '../ast.js';
import { defineRule } from '../define.js';
import { measured } from './_shared.js';

const SERIALS = new Set(['serial', 'bigserial', 'smallserial']);

export default defineRule({
  meta: {
    id: 'add-column-auto-increment',
    code: 'PG203',
    defaultSeverity: 'error',
    category: 'rewrite',
    engines: ['postgres'],
    preset: 'recommended',
    since: '0.1.0',
    messages: {
      serial:
        'ADD COLUMN {{column}} {{kind}} on {{table}} gives every existing row its own sequence value (a volatile nextval() default), which rewrites the whole table under ACCESS EXCLUSIVE: no read or write until the copy is done.{{measured}}',
    },
    docs: {
      summary: 'Adding a serial or identity column to an existing table rewrites it.',
      problem:
        'A `serial`/`bigserial` column has the volatile default `nextval(…)`, and an identity column is filled from its sequence: either way PostgreSQL writes a distinct value into every existing row, rewriting the table under ACCESS EXCLUSIVE.',
      safeAlternative:
        'Add a plain nullable `bigint` column, create the sequence, set the default to `nextval(…)` for new rows, backfill existing rows in batches, then add NOT NULL safely (see set-not-null-full-scan). For a new primary key, consider a new table and a copy.',
      frameworks: {
        rails: 'Do not `add_column … :bigserial` on a big table; add a bigint column, a sequence and a default, and backfill in batches.',
      },
      examples: { unsafe: 'ALTER TABLE events ADD COLUMN seq bigserial;', safe: 'ALTER TABLE events ADD COLUMN seq bigint;' },
    },
  },
  create(ctx) {
    return {
      ColumnDef(col, path) {
        if (path.cmd?.subtype !== 'AT_AddColumn' || ctx.state.isNew(path.table)) return;
        const type = columnType(col.typeName);
        const identity = (col.constraints ?? []).some((c) => as(c, 'Constraint')?.contype === 'CONSTR_IDENTITY');
        if (!identity && !(type && SERIALS.has(type.name))) return;
        ctx.report({ messageId: 'serial', data: { column: col.colname ?? '?', kind: identity ? 'GENERATED … AS IDENTITY' : type!.name, table: show(path.table), measured: measured(ctx) } });
      },
    };
  },
});
