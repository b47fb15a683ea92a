import { show } from '../ast.js';
import { defineRule } from '../define.js';
import { measured, observedNoRewrite } from './_shared.js';

const WHAT: Record<string, string> = {
  AT_SetTableSpace: 'SET TABLESPACE copies every page of {{table}} (and its indexes when they move too) to the new tablespace',
  AT_SetLogged: 'SET LOGGED rewrites {{table}} into the WAL-logged form',
  AT_SetUnLogged: 'SET UNLOGGED rewrites {{table}} into the unlogged form',
  AT_SetAccessMethod: 'SET ACCESS METHOD rewrites {{table}} into the new table access method',
  AT_SetExpression: 'ALTER COLUMN … SET EXPRESSION recomputes the stored generated column for every row of {{table}}',
};

export default defineRule({
  meta: {
    id: 'alter-table-rewrite-other',
    code: 'PG205',
    defaultSeverity: 'error',
    category: 'rewrite',
    engines: ['postgres'],
    preset: 'recommended',
    since: '0.1.0',
    messages: {
      rewrite: '{{what}}, while holding ACCESS EXCLUSIVE: no read or write on {{table}} until it is done.{{measured}}',
    },
    docs: {
      summary: 'SET TABLESPACE, SET LOGGED/UNLOGGED, SET ACCESS METHOD and SET EXPRESSION rewrite the table under ACCESS EXCLUSIVE.',
      problem:
        'These ALTER TABLE forms copy or rewrite the whole table while holding ACCESS EXCLUSIVE, so the table is unreadable and unwritable for as long as the copy takes — proportional to its size.',
      safeAlternative:
        'Do them on a new table and switch over (create, copy in batches, swap names), or use an online tool (pg_repack can move a table to another tablespace), or schedule a maintenance window.',
      frameworks: {},
      examples: { unsafe: 'ALTER TABLE events SET TABLESPACE archive;', safe: 'ALTER TABLE events SET (fillfactor = 90);' },
    },
  },
  create(ctx) {
    return {
      AlterTableCmd(cmd, path) {
        const what = WHAT[cmd.subtype ?? ''];
        if (!what || ctx.state.isNew(path.table)) return;
        if (path.table && ctx.observations().length && observedNoRewrite(ctx, path.table.key)) return;
        const table = show(path.table);
        ctx.report({ messageId: 'rewrite', data: { what: what.replace('{{table}}', table), table, measured: measured(ctx) } });
      },
    };
  },
});
