import { as, show, tableRef } from '../ast.js';
import { defineRule } from '../define.js';

function duplicates(names: (string | undefined)[]): string[] {
  const seen = new Set<string>();
  const dup = new Set<string>();
  for (const n of names) {
    if (!n) continue;
    if (seen.has(n)) dup.add(n);
    seen.add(n);
  }
  return [...dup];
}

export default defineRule({
  meta: {
    id: 'duplicate-column-assignment',
    code: 'HY113',
    defaultSeverity: 'error',
    category: 'hygiene',
    engines: ['postgres'],
    preset: 'strict',
    since: '0.1.0',
    messages: {
      dup: '{{what}} names column {{column}} of {{table}} more than once: PostgreSQL rejects it ({{error}}), so the migration fails when it reaches this statement.',
    },
    docs: {
      summary: 'The same column declared or assigned twice in one statement.',
      problem: 'CREATE TABLE with a repeated column, `UPDATE … SET a = 1, a = 2`, `INSERT INTO t (a, a)` or two `ADD COLUMN a` in one ALTER TABLE all parse, but PostgreSQL rejects them when they run — usually a copy-paste or merge mistake found only at deploy time.',
      safeAlternative: 'Remove the duplicate.',
      frameworks: {},
      examples: { unsafe: 'UPDATE users SET name = \'a\', name = \'b\' WHERE id = 1;', safe: "UPDATE users SET name = 'a', email = 'b' WHERE id = 1;" },
    },
  },
  create(ctx) {
    const report = (what: string, table: string, columns: string[], error: string) => {
      for (const column of columns) ctx.report({ messageId: 'dup', data: { what, table, column, error } });
    };
    return {
      CreateStmt(node) {
        const names = (node.tableElts ?? []).map((e) => as(e, 'ColumnDef')?.colname);
        report('CREATE TABLE', show(tableRef(node.relation)), duplicates(names), 'column specified more than once');
      },
      AlterTableStmt(node, path) {
        const names = (node.cmds ?? []).map((c) => {
          const cmd = as(c, 'AlterTableCmd');
          return cmd?.subtype === 'AT_AddColumn' ? as(cmd.def, 'ColumnDef')?.colname : undefined;
        });
        report('ALTER TABLE … ADD COLUMN', show(path.table), duplicates(names), 'column already exists');
      },
      UpdateStmt(node) {
        report('UPDATE … SET', show(tableRef(node.relation)), duplicates((node.targetList ?? []).map((t) => as(t, 'ResTarget')?.name)), 'multiple assignments to same column');
      },
      InsertStmt(node) {
        report('INSERT … (columns)', show(tableRef(node.relation)), duplicates((node.cols ?? []).map((t) => as(t, 'ResTarget')?.name)), 'column specified more than once');
      },
    };
  },
});
