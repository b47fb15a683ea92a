import { show } from '../ast.js';
import { defineRule } from '../define.js';

export default defineRule({
  meta: {
    id: 'validate-in-same-transaction',
    code: 'PG209',
    defaultSeverity: 'warning',
    category: 'rewrite',
    engines: ['postgres'],
    preset: 'recommended',
    since: '0.1.0',
    messages: {
      same:
        'VALIDATE CONSTRAINT {{name}} runs in the same transaction that added it NOT VALID: that ADD still holds its lock on {{table}} until COMMIT, so the validation scan runs with writes blocked and NOT VALID bought nothing.',
      held:
        'VALIDATE CONSTRAINT {{name}} runs in a transaction that already holds {{mode}} on {{table}} (taken by an earlier statement): the validation scan runs with that lock held, blocking {{blocked}} until COMMIT.',
    },
    docs: {
      summary: 'VALIDATE CONSTRAINT in the transaction that added the constraint (or that holds a blocking lock) loses the NOT VALID benefit.',
      problem:
        'The point of `ADD CONSTRAINT … NOT VALID` + `VALIDATE CONSTRAINT` is that the long validation scan runs under SHARE UPDATE EXCLUSIVE only. Locks are held until the transaction ends, so validating in the transaction that did the ADD (which took ACCESS EXCLUSIVE or SHARE ROW EXCLUSIVE) runs the scan with writes blocked anyway.',
      safeAlternative: 'Commit between the two: put `VALIDATE CONSTRAINT` in the next migration, or run it outside the migration transaction.',
      frameworks: {
        alembic: 'Put `op.execute("ALTER TABLE … VALIDATE CONSTRAINT …")` in the next revision, or inside `with op.get_context().autocommit_block():`.',
        django: 'Put `ValidateConstraint` in the next migration.',
        rails: 'Put `validate_foreign_key` / `validate_check_constraint` in the next migration (or use `disable_ddl_transaction!`).',
        knex: 'Put the VALIDATE in the next migration file.',
        flyway: 'Put the VALIDATE in the next versioned script.',
      },
      examples: {
        unsafe: 'ALTER TABLE orders ADD CONSTRAINT orders_user_fk FOREIGN KEY (user_id) REFERENCES users (id) NOT VALID;\nALTER TABLE orders VALIDATE CONSTRAINT orders_user_fk;',
        safe: 'ALTER TABLE orders VALIDATE CONSTRAINT orders_user_fk;',
        context: { inTransaction: true },
      },
    },
  },
  create(ctx) {
    return {
      AlterTableCmd(cmd, path) {
        if (cmd.subtype !== 'AT_ValidateConstraint' || !cmd.name || !path.table) return;
        const s = ctx.state;
        if (!s.inTransaction) return;
        const added = s.notValid.get(cmd.name);
        const table = show(path.table);
        if (added && added.transactionId === s.transactionId && added.table === path.table.key) {
          ctx.report({ messageId: 'same', data: { name: cmd.name, table } });
          return;
        }
        const held = s.heldLocks.get(path.table.key);
        if (held) ctx.report({ messageId: 'held', data: { name: cmd.name, table, mode: held.mode, blocked: held.mode === 'ACCESS EXCLUSIVE' ? 'reads and writes' : 'writes' } });
      },
    };
  },
});
