import { show } from '../ast.js';
import { defineRule } from '../define.js';
import { droppedNames } from '../locks.js';

export default defineRule({
  meta: {
    id: 'drop-schema-or-database',
    code: 'DS103',
    defaultSeverity: 'error',
    category: 'destructive',
    engines: ['postgres'],
    preset: 'recommended',
    since: '0.1.0',
    messages: {
      schema: 'DROP SCHEMA {{name}}{{cascade}} removes a whole namespace: every object in it{{cascadeNote}} and all their data, with no way back from a down migration.',
      database: 'DROP DATABASE {{name}} deletes an entire database; it has no place in an application migration.',
    },
    docs: {
      summary: 'Dropping a schema or a database from a migration.',
      problem: 'A whole schema (with CASCADE: every table, view and function in it) or a whole database disappears, with its data. No down migration can bring it back.',
      safeAlternative: 'Do it by hand, deliberately, after a backup — not in a migration that runs automatically on deploy.',
      frameworks: {},
      examples: { unsafe: 'DROP SCHEMA reporting CASCADE;', safe: 'CREATE SCHEMA IF NOT EXISTS reporting;' },
    },
  },
  create(ctx) {
    return {
      DropStmt(node) {
        if (node.removeType !== 'OBJECT_SCHEMA') return;
        const cascade = node.behavior === 'DROP_CASCADE';
        for (const ref of droppedNames(node)) ctx.report({ messageId: 'schema', data: { name: show(ref), cascade: cascade ? ' CASCADE' : '', cascadeNote: cascade ? ' (CASCADE drops them all)' : ' (the drop fails unless it is empty)' } });
      },
      DropdbStmt(node) {
        ctx.report({ messageId: 'database', data: { name: node.dbname ?? '?' } });
      },
    };
  },
});
