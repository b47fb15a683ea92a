import { show } from '../ast.js';
import { defineRule } from '../define.js';

export default defineRule({
  meta: {
    id: 'drop-not-null',
    code: 'BC105',
    defaultSeverity: 'warning',
    category: 'compatibility',
    engines: ['postgres'],
    preset: 'strict',
    since: '0.1.0',
    messages: {
      drop: 'DROP NOT NULL on {{table}}.{{column}}: from now on NULLs can be written, and code (including the previous application version after a rollback) that assumes {{column}} is always set can crash on them.',
    },
    docs: {
      summary: 'Relaxing NOT NULL lets NULLs reach code that assumes there are none.',
      problem:
        'The statement itself is cheap, but it changes a contract: readers — the current code, older versions brought back by a rollback, analytics jobs, other services — may not handle NULL. It is the "contract" half of an expand/contract change and is often safe; the rule is in the strict preset only.',
      safeAlternative: 'Make sure every reader handles NULL before relaxing the constraint, or keep NOT NULL and use a sentinel/default value.',
      frameworks: {},
      examples: { unsafe: 'ALTER TABLE users ALTER COLUMN email DROP NOT NULL;', safe: "ALTER TABLE users ALTER COLUMN email SET DEFAULT '';" },
    },
  },
  create(ctx) {
    return {
      AlterTableCmd(cmd, path) {
        if (cmd.subtype !== 'AT_DropNotNull' || !cmd.name || ctx.state.isNewColumn(path.table, cmd.name)) return;
        ctx.report({ messageId: 'drop', data: { table: show(path.table), column: cmd.name } });
      },
    };
  },
});
