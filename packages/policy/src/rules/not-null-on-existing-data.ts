import { keyNames, show } from '../ast.js';
import { defineRule } from '../define.js';

export default defineRule({
  meta: {
    id: 'not-null-on-existing-data',
    code: 'DF102',
    defaultSeverity: 'warning',
    category: 'data',
    engines: ['postgres'],
    preset: 'strict',
    since: '0.1.0',
    messages: {
      nulls: '{{what}} on {{table}}.{{column}} fails if any existing row holds NULL in {{column}} — production often has NULLs that dev databases lack — and the running code may still write NULL until it is deployed.',
    },
    docs: {
      summary: 'Making an existing column NOT NULL can fail on NULLs that only production has.',
      problem:
        '`SET NOT NULL`, a primary key on existing columns, or a NOT NULL constraint all fail when a NULL is present. The migration passes on seeded development data and fails on production, mid-deploy.',
      safeAlternative:
        'Backfill first (in batches), check `SELECT count(*) FROM t WHERE col IS NULL` is 0 on production, deploy code that never writes NULL, then add the constraint (NOT VALID + VALIDATE, see set-not-null-full-scan).',
      frameworks: {},
      examples: { unsafe: 'ALTER TABLE users ALTER COLUMN email SET NOT NULL;', safe: 'ALTER TABLE users ALTER COLUMN email DROP DEFAULT;' },
    },
  },
  create(ctx) {
    return {
      AlterTableCmd(cmd, path) {
        if (cmd.subtype !== 'AT_SetNotNull' || !cmd.name || ctx.state.isNew(path.table)) return;
        ctx.report({ messageId: 'nulls', data: { what: 'SET NOT NULL', table: show(path.table), column: cmd.name } });
      },
      Constraint(con, path) {
        if (path.cmd?.subtype !== 'AT_AddConstraint' || con.indexname || ctx.state.isNew(path.table)) return;
        if (con.contype === 'CONSTR_PRIMARY' || (con.contype === 'CONSTR_NOTNULL' && !con.skip_validation)) {
          ctx.report({ messageId: 'nulls', data: { what: con.contype === 'CONSTR_PRIMARY' ? 'ADD PRIMARY KEY' : 'ADD CONSTRAINT … NOT NULL', table: show(path.table), column: keyNames(con.keys).join(', ') } });
        }
      },
    };
  },
});
