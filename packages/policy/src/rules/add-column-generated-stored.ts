import { as, show } from '../ast.js';
import { defineRule } from '../define.js';
import { measured } from './_shared.js';

export default defineRule({
  meta: {
    id: 'add-column-generated-stored',
    code: 'PG202',
    defaultSeverity: 'error',
    category: 'rewrite',
    engines: ['postgres'],
    preset: 'recommended',
    since: '0.1.0',
    messages: {
      stored:
        'ADD COLUMN {{column}} … GENERATED ALWAYS AS (…) STORED on {{table}} computes the value for every existing row, rewriting the whole table under ACCESS EXCLUSIVE: no read or write until the copy is done.{{measured}}',
    },
    docs: {
      summary: 'Adding a STORED generated column rewrites the table.',
      problem:
        'A stored generated column is computed and written for every existing row when it is added, so `ALTER TABLE … ADD COLUMN … GENERATED ALWAYS AS (…) STORED` rewrites the whole table while holding ACCESS EXCLUSIVE.',
      safeAlternative:
        'On PostgreSQL 18+ use a VIRTUAL generated column (computed on read, no rewrite). Otherwise add a plain nullable column, keep it up to date with a trigger (or the application), and backfill existing rows in batches.',
      frameworks: {
        rails: 'Use a plain column plus a model callback or a trigger; backfill in batches (strong_migrations: add_column_generated_stored).',
        django: 'Use a plain field maintained by a trigger, or `GeneratedField(db_persist=False)` on PostgreSQL 18+.',
      },
      examples: {
        unsafe: 'ALTER TABLE orders ADD COLUMN total_cents bigint GENERATED ALWAYS AS (total * 100) STORED;',
        safe: 'ALTER TABLE orders ADD COLUMN total_cents bigint;',
      },
    },
  },
  create(ctx) {
    return {
      ColumnDef(col, path) {
        if (path.cmd?.subtype !== 'AT_AddColumn' || ctx.state.isNew(path.table)) return;
        const stored = (col.constraints ?? []).some((c) => {
          const con = as(c, 'Constraint');
          return con?.contype === 'CONSTR_GENERATED' && con.generated_kind === 's';
        });
        if (stored) ctx.report({ messageId: 'stored', data: { column: col.colname ?? '?', table: show(path.table), measured: measured(ctx) } });
      },
    };
  },
});
