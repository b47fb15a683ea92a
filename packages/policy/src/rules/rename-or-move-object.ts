import { as, show, strings, tableRef } from '../ast.js';
import { defineRule } from '../define.js';

const KINDS: Record<string, string> = {
  OBJECT_SCHEMA: 'schema',
  OBJECT_TYPE: 'type',
  OBJECT_DOMAIN: 'domain',
  OBJECT_VIEW: 'view',
  OBJECT_MATVIEW: 'materialized view',
  OBJECT_SEQUENCE: 'sequence',
  OBJECT_FUNCTION: 'function',
  OBJECT_PROCEDURE: 'procedure',
};

function objectName(object: unknown, relation: unknown, subname?: string): string {
  const rel = tableRef(as(relation, 'RangeVar') ?? (relation as never));
  if (rel) return show(rel);
  const list = as(object, 'List');
  if (list) return strings(list.items).join('.');
  const str = as(object, 'String');
  if (str) return str.sval ?? '?';
  const tn = as(object, 'TypeName');
  if (tn) return strings(tn.names).join('.');
  const fn = as(object, 'ObjectWithArgs');
  if (fn) return strings(fn.objname).join('.');
  return subname ?? '?';
}

export default defineRule({
  meta: {
    id: 'rename-or-move-object',
    code: 'BC103',
    defaultSeverity: 'warning',
    category: 'compatibility',
    engines: ['postgres'],
    preset: 'recommended',
    since: '0.1.0',
    messages: {
      rename: 'Renaming {{kind}} {{name}} to {{to}}: running code (and other services sharing the database) that still use the old name fail from the moment this commits.',
      move: 'Moving {{kind}} {{name}} to schema {{to}}: code that names it unqualified or with the old schema stops finding it from the moment this commits.',
    },
    docs: {
      summary: 'Renaming or moving a schema, type, view, sequence or function breaks code that uses the old name.',
      problem:
        'Like table and column renames, renaming (or `SET SCHEMA`-moving) a schema, enum type, view, sequence or function takes effect atomically in the database but not in the fleet: the application version still running — and any other service, report or job using the database — keeps using the old name and fails.',
      safeAlternative: 'Create the new object next to the old one (or a view/wrapper under the old name), move every user over, then drop the old name in a later release.',
      frameworks: {},
      examples: { unsafe: 'ALTER VIEW active_users RENAME TO current_users;', safe: 'CREATE VIEW current_users AS SELECT * FROM active_users;' },
    },
  },
  create(ctx) {
    return {
      RenameStmt(node) {
        const kind = KINDS[node.renameType ?? ''];
        if (!kind) return;
        if (node.relation && ctx.state.isNew(tableRef(node.relation))) return;
        ctx.report({ messageId: 'rename', data: { kind, name: objectName(node.object, node.relation, node.subname), to: node.newname ?? '?' } });
      },
      AlterObjectSchemaStmt(node) {
        const kind = node.objectType === 'OBJECT_TABLE' ? 'table' : KINDS[node.objectType ?? ''];
        if (!kind) return;
        if (node.relation && ctx.state.isNew(tableRef(node.relation))) return;
        ctx.report({ messageId: 'move', data: { kind, name: objectName(node.object, node.relation), to: node.newschema ?? '?' } });
      },
    };
  },
});
