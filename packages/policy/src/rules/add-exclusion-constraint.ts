import { show } from '../ast.js';
import { defineRule } from '../define.js';

export default defineRule({
  meta: {
    id: 'add-exclusion-constraint',
    code: 'PG108',
    defaultSeverity: 'error',
    category: 'locking',
    engines: ['postgres'],
    preset: 'recommended',
    since: '0.1.0',
    messages: {
      exclusion:
        'Adding an EXCLUDE constraint to {{table}} builds its index and checks every row while holding ACCESS EXCLUSIVE; exclusion constraints cannot be added NOT VALID, so there is no online way to do this in place.',
    },
    docs: {
      summary: 'An exclusion constraint added to an existing table scans and indexes it under ACCESS EXCLUSIVE, with no NOT VALID escape.',
      problem:
        '`ALTER TABLE … ADD EXCLUDE …` builds a GiST (or other) index and verifies every existing row while holding ACCESS EXCLUSIVE. Unlike CHECK and FOREIGN KEY constraints it cannot be added `NOT VALID`, and unlike UNIQUE it cannot be attached `USING INDEX`.',
      safeAlternative:
        'No anchor knows an online path. Do it on a new table (create it with the constraint, copy the data in batches, switch over), or schedule a maintenance window with a short lock_timeout; waive the finding with the reason when you accept the lock.',
      frameworks: {},
      examples: {
        unsafe: 'ALTER TABLE bookings ADD CONSTRAINT no_overlap EXCLUDE USING gist (room WITH =, during WITH &&);',
        safe: 'CREATE TABLE bookings_v2 (room int, during tstzrange, EXCLUDE USING gist (room WITH =, during WITH &&));',
      },
    },
  },
  create(ctx) {
    return {
      Constraint(con, path) {
        if (con.contype !== 'CONSTR_EXCLUSION' || !path.cmd || ctx.state.isNew(path.table)) return;
        ctx.report({ messageId: 'exclusion', data: { table: show(path.table) } });
      },
    };
  },
});
