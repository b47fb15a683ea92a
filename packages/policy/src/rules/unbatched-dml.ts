import { as, columnName, constValue, show, strings, tableRef } from '../ast.js';
import { defineRule } from '../define.js';
import type { NodeOf, NodePath, TableRef } from '../types.js';

/** Why a WHERE clause still matches the whole table, or undefined when it bounds the statement. */
function wholeTable(where: unknown, table: TableRef | undefined, isNewColumn: (t: TableRef | undefined, c: string) => boolean): string | undefined {
  if (where === undefined) return 'has no WHERE clause';
  const c = as(where, 'A_Const');
  if (c?.boolval?.boolval) return 'has WHERE true';
  const e = as(where, 'A_Expr');
  if (e?.kind === 'AEXPR_OP' && strings(e.name).join() === '=' && as(e.lexpr, 'A_Const') && as(e.rexpr, 'A_Const') && constValue(e.lexpr) === constValue(e.rexpr)) return 'has an always-true WHERE';
  const t = as(where, 'NullTest');
  const col = t?.nulltesttype === 'IS_NULL' ? columnName(t.arg) : undefined;
  if (col && isNewColumn(table, col)) return `filters on ${col} IS NULL, and ${col} was added in this migration, so every row matches`;
  return undefined;
}

export default defineRule({
  meta: {
    id: 'unbatched-dml',
    code: 'TX108',
    defaultSeverity: 'warning',
    category: 'transactions',
    engines: ['postgres'],
    preset: 'recommended',
    since: '0.1.0',
    messages: {
      whole:
        '{{verb}} on {{table}} {{why}}: it changes every row in one statement — each row stays locked until COMMIT (concurrent writers of those rows wait), every row gets a new version (bloat, WAL, replication lag), and it cannot be interrupted part-way.',
    },
    docs: {
      summary: 'An UPDATE or DELETE in a migration that touches the whole table in one statement.',
      problem:
        'A backfill or purge written as one `UPDATE t SET …` / `DELETE FROM t` (no WHERE, an always-true WHERE, or `WHERE new_col IS NULL` right after adding `new_col`) touches every row in a single transaction: row locks block concurrent writers until COMMIT, the WAL burst lags replicas, the table bloats, and if it runs inside the DDL transaction it also extends every DDL lock.',
      safeAlternative:
        'Backfill in batches outside the DDL transaction: loop over key ranges (`UPDATE t SET … WHERE id >= $1 AND id < $1 + 10000`), commit each batch, pause between batches, and run it as a separate (non-transactional) migration or a background job.',
      frameworks: {
        rails: 'Use a migration with `disable_ddl_transaction!` and `Model.unscoped.in_batches(of: 10_000) { |r| r.update_all(...); sleep(0.01) }`.',
        django: 'Use a non-atomic migration (`atomic = False`) whose RunPython updates in batches of primary-key ranges.',
        alembic: 'Loop over id ranges in `upgrade()` inside `with op.get_context().autocommit_block():`, one UPDATE per batch.',
        laravel: 'Use `DB::table(\'t\')->whereNull(\'c\')->chunkById(10000, fn ($rows) => …)` in a migration with `$withinTransaction = false`.',
        knex: 'Use `config = { transaction: false }` and loop `knex(\'t\').whereBetween(\'id\', [a, b]).update(...)`.',
        flyway: 'Use a Java migration or a repeatable script that updates by key ranges, or run the backfill as a job.',
      },
      examples: {
        unsafe: 'UPDATE users SET active = true;',
        safe: 'UPDATE users SET active = true WHERE id >= 1 AND id < 10001;',
      },
    },
  },
  create(ctx) {
    const check = (verb: string, node: NodeOf<'UpdateStmt'> | NodeOf<'DeleteStmt'>, _path: NodePath) => {
      const ref = tableRef(node.relation);
      if (!ref || ctx.state.isNew(ref)) return;
      const why = wholeTable(node.whereClause, ref, (t, c) => ctx.state.isNewColumn(t, c));
      if (why) ctx.report({ messageId: 'whole', data: { verb, table: show(ref), why } });
    };
    return {
      UpdateStmt(node, path) {
        check('UPDATE', node, path);
      },
      DeleteStmt(node, path) {
        check('DELETE', node, path);
      },
    };
  },
});
