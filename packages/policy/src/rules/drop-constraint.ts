import { show } from '../ast.js';
import { defineRule } from '../define.js';

export default defineRule({
  meta: {
    id: 'drop-constraint',
    code: 'DS106',
    defaultSeverity: 'warning',
    category: 'destructive',
    engines: ['postgres'],
    preset: 'strict',
    since: '0.1.0',
    messages: {
      drop: 'DROP CONSTRAINT {{name}} on {{table}} removes an integrity guarantee (and, for a primary key or unique constraint, its index): from now on the database accepts rows it used to reject, and code that relies on it (ON DELETE CASCADE, upserts, uniqueness) silently changes behaviour. It also takes ACCESS EXCLUSIVE on {{table}}.',
    },
    docs: {
      summary: 'Dropping a constraint removes a guarantee that code or data may rely on.',
      problem:
        'Foreign keys, checks and unique constraints are guarantees other code relies on: `ON CONFLICT` upserts need the unique index, cascades need the foreign key. After the drop, bad data can get in, and putting the constraint back later requires cleaning it up first. The drop takes ACCESS EXCLUSIVE (briefly).',
      safeAlternative: 'Make sure nothing depends on it (upserts, cascades, the query planner), and that the constraint is replaced if it is part of a swap (add the new one NOT VALID, validate, then drop the old one). Set a lock_timeout.',
      frameworks: {},
      examples: { unsafe: 'ALTER TABLE orders DROP CONSTRAINT orders_user_fk;', safe: 'ALTER TABLE orders ADD CONSTRAINT orders_user_fk2 FOREIGN KEY (user_id) REFERENCES users (id) NOT VALID;' },
    },
  },
  create(ctx) {
    return {
      AlterTableCmd(cmd, path) {
        if (cmd.subtype !== 'AT_DropConstraint' || !cmd.name || ctx.state.isNew(path.table) || ctx.state.notValid.has(cmd.name)) return;
        ctx.report({ messageId: 'drop', data: { name: cmd.name, table: show(path.table) } });
      },
    };
  },
});
