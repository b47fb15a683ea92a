import { show, tableRef } from '../ast.js';
import { defineRule } from '../define.js';

export default defineRule({
  meta: {
    id: 'create-trigger-lock',
    code: 'PG109',
    defaultSeverity: 'warning',
    category: 'locking',
    engines: ['postgres'],
    preset: 'strict',
    since: '0.1.0',
    messages: {
      lock: 'CREATE TRIGGER {{trigger}} on {{table}} takes a SHARE ROW EXCLUSIVE lock: it waits for running writes and blocks new INSERT/UPDATE/DELETE on {{table}} until it is granted and the transaction ends.',
    },
    docs: {
      summary: 'CREATE TRIGGER takes a SHARE ROW EXCLUSIVE lock that blocks writes on the table.',
      problem:
        '`CREATE TRIGGER` needs SHARE ROW EXCLUSIVE on its table. The statement itself is instant, but it waits behind running writers and every later write queues behind it — and if the migration keeps its transaction open, writes stay blocked until COMMIT.',
      safeAlternative:
        'Set a short `lock_timeout` before it (and retry on timeout), keep the migration transaction short, and create the trigger function in a separate statement beforehand.',
      frameworks: {},
      examples: {
        unsafe: 'CREATE TRIGGER orders_audit AFTER UPDATE ON orders FOR EACH ROW EXECUTE FUNCTION audit();',
        safe: "CREATE TABLE orders_log (id bigint);\nCREATE TRIGGER orders_log_audit AFTER UPDATE ON orders_log FOR EACH ROW EXECUTE FUNCTION audit();",
      },
    },
  },
  create(ctx) {
    return {
      CreateTrigStmt(node) {
        const ref = tableRef(node.relation);
        if (ctx.state.isNew(ref)) return;
        ctx.report({ messageId: 'lock', data: { trigger: node.trigname ?? '?', table: show(ref) } });
      },
    };
  },
});
