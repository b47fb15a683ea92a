import { indexColumns, keyNames, show, tableRef } from '../ast.js';
import { defineRule } from '../define.js';
import type { StatementInfo, TableRef } from '../types.js';

interface Fk {
  table: TableRef;
  columns: string[];
  target: string;
  stmt: StatementInfo;
}

export default defineRule({
  meta: {
    id: 'fk-without-index',
    code: 'HY112',
    defaultSeverity: 'info',
    category: 'hygiene',
    engines: ['postgres'],
    since: '0.1.0',
    messages: {
      missing: 'Foreign key {{table}} ({{columns}}) → {{target}} has no index starting with ({{columns}}) in this migration or earlier in the run: every DELETE or key UPDATE on {{target}} scans {{table}} to check for references.',
    },
    docs: {
      summary: 'A foreign key added without an index on its referencing columns (opt-in).',
      problem: 'PostgreSQL does not index the referencing side of a foreign key. Without one, deleting or updating a referenced row scans the whole referencing table (holding locks), and joins along the key cannot use an index. metamig only sees indexes created in the same lint run, so the rule is opt-in.',
      safeAlternative: 'Create an index whose leading columns are the foreign key columns (`CREATE INDEX CONCURRENTLY orders_user_id_idx ON orders (user_id)`).',
      frameworks: { rails: '`add_reference` / `t.references` add the index by default (`index: { algorithm: :concurrently }` on existing tables).', django: 'ForeignKey creates an index by default (`db_index=True`).' },
      examples: {
        unsafe: 'CREATE TABLE orders (id bigint PRIMARY KEY, user_id bigint REFERENCES users (id));',
        safe: 'CREATE TABLE orders (id bigint PRIMARY KEY, user_id bigint REFERENCES users (id));\nCREATE INDEX orders_user_id_idx ON orders (user_id);',
      },
    },
  },
  create(ctx) {
    const fks: Fk[] = [];
    const keyed: { table: string; columns: string[] }[] = [];
    const add = (table: TableRef | undefined, columns: string[], target: string) => {
      if (table && columns.length) fks.push({ table, columns, target, stmt: ctx.statement! });
    };
    return {
      Constraint(con, path) {
        if (!path.table) return;
        if (con.contype === 'CONSTR_PRIMARY' || con.contype === 'CONSTR_UNIQUE') keyed.push({ table: path.table.key, columns: path.column ? [path.column.colname ?? ''] : keyNames(con.keys) });
        if (con.contype !== 'CONSTR_FOREIGN') return;
        add(path.table, path.column ? [path.column.colname ?? ''] : keyNames(con.fk_attrs), show(tableRef(con.pktable)));
      },
      IndexStmt(node, path) {
        if (path.table) keyed.push({ table: path.table.key, columns: indexColumns(node.indexParams).map((c) => c ?? '') });
      },
      'migration:exit'() {
        const indexes = [...keyed, ...[...ctx.state.schema.indexes.values()].map((i) => ({ table: i.table, columns: i.columns.map((c) => c ?? '') }))];
        for (const fk of fks) {
          const covered = indexes.some((i) => (i.table === fk.table.key || i.table.endsWith(`.${fk.table.name}`) || fk.table.key.endsWith(`.${i.table}`)) && fk.columns.every((c, k) => i.columns[k] === c));
          if (!covered) ctx.report({ messageId: 'missing', statement: fk.stmt, data: { table: show(fk.table), columns: fk.columns.join(', '), target: fk.target } });
        }
      },
    };
  },
});
