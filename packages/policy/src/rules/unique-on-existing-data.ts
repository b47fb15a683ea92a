import { indexColumns, keyNames, show } from '../ast.js';
import { defineRule } from '../define.js';

export default defineRule({
  meta: {
    id: 'unique-on-existing-data',
    code: 'DF101',
    defaultSeverity: 'warning',
    category: 'data',
    engines: ['postgres'],
    preset: 'strict',
    since: '0.1.0',
    messages: {
      unique: 'A unique {{what}} on {{table}} ({{columns}}) fails if existing rows already hold duplicates — passing on a dev database and failing in production ({{failure}}) — and the running code may still insert duplicates until it is deployed.',
    },
    docs: {
      summary: 'A unique index or constraint on existing data can fail on duplicates that only production has.',
      problem:
        'Uniqueness is checked against the data present when the migration runs. Development and CI databases rarely contain the duplicates production has accumulated, so the migration passes everywhere except where it matters. A failed `CREATE UNIQUE INDEX CONCURRENTLY` also leaves an INVALID index behind that still slows every write.',
      safeAlternative:
        'Check first: `SELECT col, count(*) FROM t GROUP BY col HAVING count(*) > 1;` on production data; deduplicate in a prior migration; deploy code that no longer creates duplicates; then add the index concurrently.',
      frameworks: {},
      examples: { unsafe: 'CREATE UNIQUE INDEX CONCURRENTLY users_email_key ON users (email);', safe: 'CREATE INDEX CONCURRENTLY users_email_idx ON users (email);' },
    },
  },
  create(ctx) {
    return {
      IndexStmt(node, path) {
        if (!node.unique || ctx.state.isNew(path.table)) return;
        ctx.report({
          messageId: 'unique',
          data: { what: 'index', table: show(path.table), columns: indexColumns(node.indexParams).map((c) => c ?? '(expression)').join(', '), failure: node.concurrent ? 'and leaves an INVALID index behind' : 'the index is not created' },
        });
      },
      Constraint(con, path) {
        if ((con.contype !== 'CONSTR_UNIQUE' && con.contype !== 'CONSTR_PRIMARY') || !path.cmd || con.indexname || ctx.state.isNew(path.table)) return;
        const columns = path.column ? path.column.colname ?? '?' : keyNames(con.keys).join(', ');
        if (path.column && path.cmd.subtype === 'AT_AddColumn') return; // a new column holds no duplicates (all NULL or one default)
        ctx.report({ messageId: 'unique', data: { what: con.contype === 'CONSTR_PRIMARY' ? 'primary key' : 'constraint', table: show(path.table), columns, failure: 'the ALTER TABLE fails' } });
      },
    };
  },
});
