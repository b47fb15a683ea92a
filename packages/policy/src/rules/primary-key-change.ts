import { as, show } from '../ast.js';
import { defineRule } from '../define.js';

export default defineRule({
  meta: {
    id: 'primary-key-change',
    code: 'DS107',
    defaultSeverity: 'warning',
    category: 'destructive',
    engines: ['postgres'],
    preset: 'strict',
    since: '0.1.0',
    messages: {
      drop: 'DROP CONSTRAINT {{name}} removes the primary key of {{table}}: until a new one exists the table has no row identity — logical replication stops replicating its UPDATEs and DELETEs, foreign keys pointing at it are dropped or block the drop, and if the migration stops between the drop and the new key it stays that way.',
    },
    docs: {
      summary: 'Dropping (and replacing) a table’s primary key.',
      problem:
        'While a table has no primary key, logical replication (REPLICA IDENTITY DEFAULT) cannot replicate its UPDATE/DELETE, ORMs that address rows by key misbehave, and dependent foreign keys must be dropped (CASCADE) or block the drop. A failure between the drop and the new `ADD PRIMARY KEY` leaves the table without one. The rule recognizes primary keys by PostgreSQL’s default name `<table>_pkey` or by a PRIMARY KEY seen earlier in the run.',
      safeAlternative:
        'Build the new key’s unique index concurrently first, then swap in one short transaction: `ALTER TABLE t DROP CONSTRAINT t_pkey, ADD CONSTRAINT t_pkey PRIMARY KEY USING INDEX t_new_idx;` — one statement, one brief lock, never without a key.',
      frameworks: {},
      examples: { unsafe: 'ALTER TABLE accounts DROP CONSTRAINT accounts_pkey;', safe: 'ALTER TABLE accounts DROP CONSTRAINT accounts_pkey, ADD CONSTRAINT accounts_pkey PRIMARY KEY USING INDEX accounts_uuid_idx;' },
    },
  },
  create(ctx) {
    return {
      AlterTableStmt(node, path) {
        if (!path.table || ctx.state.isNew(path.table)) return;
        const cmds = (node.cmds ?? []).map((c) => as(c, 'AlterTableCmd'));
        const addsPk = cmds.some((c) => c?.subtype === 'AT_AddConstraint' && as(c.def, 'Constraint')?.contype === 'CONSTR_PRIMARY');
        const known = ctx.state.schema.table(path.table)?.primaryKey;
        for (const c of cmds) {
          if (c?.subtype !== 'AT_DropConstraint' || !c.name) continue;
          const isPk = c.name === `${path.table.name}_pkey` || c.name === known;
          if (isPk && !addsPk) ctx.report({ messageId: 'drop', data: { name: c.name, table: show(path.table) } });
        }
      },
    };
  },
});
