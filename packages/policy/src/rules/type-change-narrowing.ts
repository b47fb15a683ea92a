import { as, columnName, columnType, sameType, show, showType, typeChangeEffect, type ColumnType } from '../ast.js';
import { defineRule } from '../define.js';

const INT_RANK: Record<string, number> = { int2: 1, int4: 2, int8: 3 };
const TEXTUAL = new Set(['text', 'varchar', 'bpchar', 'citext']);

/** Why converting `old` to `next` can fail or lose data, or undefined when every old value fits. */
function narrowing(old: ColumnType, next: ColumnType): string | undefined {
  const effect = typeChangeEffect(old, next);
  if (effect !== 'rewrite') return undefined;
  if (old.array !== next.array) return 'array and scalar values do not convert into each other';
  const o = old.name;
  const n = next.name;
  if (n === 'text' || (n === 'varchar' && next.mods.length === 0) || n === 'citext') return undefined; // everything has a text form
  if (n === 'varchar' || n === 'bpchar') {
    const len = next.mods[0] ?? 1;
    if (TEXTUAL.has(o) && old.mods.length > 0 && old.mods[0]! <= len) return undefined;
    return `values longer than ${len} characters make the migration fail, and the running code may still write longer ones`;
  }
  if (INT_RANK[o] && INT_RANK[n]) return INT_RANK[n]! >= INT_RANK[o]! ? undefined : `values outside the ${n} range make the migration fail ("integer out of range"), and the running code may still write them`;
  if (INT_RANK[o] && (n === 'numeric' ? next.mods.length === 0 : n === 'float8' && o !== 'int8')) return undefined;
  if (o === 'float4' && n === 'float8') return undefined;
  if (o === 'numeric' && n === 'numeric') return 'values are rounded to the new scale or fail with "numeric field overflow" when they have more integer digits than the new precision allows';
  if (o === n && ['timestamp', 'timestamptz', 'time', 'timetz', 'interval'].includes(o)) return 'values lose sub-second precision (they are rounded)';
  if ((o === 'timestamp' && n === 'timestamptz') || (o === 'timestamptz' && n === 'timestamp')) return undefined;
  return `existing ${showType(old)} values are cast to ${showType(next)}; any value that does not convert makes the migration fail, and the running code keeps writing ${showType(old)}-shaped values`;
}

export default defineRule({
  meta: {
    id: 'type-change-narrowing',
    code: 'BC108',
    defaultSeverity: 'error',
    category: 'compatibility',
    engines: ['postgres'],
    preset: 'recommended',
    since: '0.1.0',
    messages: {
      narrowing: 'ALTER COLUMN {{column}} TYPE {{type}} on {{table}} (from {{from}}): {{why}}.',
      using: 'ALTER COLUMN {{column}} TYPE {{type}} on {{table}} converts every existing value with a USING expression: one value it cannot convert makes the whole migration fail (after minutes of rewriting), and the running code keeps writing values in the old form.',
    },
    docs: {
      summary: 'A type change that can fail on existing data or reject what the running code writes.',
      problem:
        'Apart from the lock and the rewrite (see change-column-type-rewrite), a narrowing type change is a compatibility break: existing values that do not fit make the migration fail in production (it passed on a small dev database), values can be silently rounded, and the application version still running keeps writing values the new type rejects. The rule judges changes where metamig knows the old type (created or altered earlier in the same run), and every change with a USING expression.',
      safeAlternative:
        'Check the data first (`SELECT count(*) FROM t WHERE length(col) > 20`), or use expand/contract: a new column of the new type, dual writes, a batched backfill that handles bad values explicitly, then switch and drop the old column.',
      frameworks: {
        rails: 'strong_migrations flags `change_column`; add a new column, backfill with validation, and swap instead.',
        django: 'Add a new field, backfill in a RunPython that handles bad values, then switch and remove the old field.',
        prisma: 'Prisma warns about risky casts; prefer a new field, backfill, and switch.',
      },
      examples: {
        unsafe: 'ALTER TABLE users ALTER COLUMN name TYPE varchar(20);',
        safe: 'ALTER TABLE users ALTER COLUMN name TYPE varchar(200);',
        context: { before: ['CREATE TABLE users (id bigint, name varchar(100));'] },
      },
    },
  },
  create(ctx) {
    return {
      AlterTableCmd(cmd, path) {
        if (cmd.subtype !== 'AT_AlterColumnType' || !cmd.name || ctx.state.isNew(path.table) || ctx.state.isNewColumn(path.table, cmd.name)) return;
        const def = as(cmd.def, 'ColumnDef');
        const next = columnType(def?.typeName);
        if (!next) return;
        const data = { column: cmd.name, type: showType(next), table: show(path.table) };
        const using = def?.raw_default;
        const cast = as(using, 'TypeCast');
        const trivial = using === undefined || columnName(using) === cmd.name || (!!cast && columnName(cast.arg) === cmd.name && !!columnType(cast.typeName) && sameType(columnType(cast.typeName)!, next));
        if (!trivial) {
          ctx.report({ messageId: 'using', data });
          return;
        }
        const old = ctx.state.schema.column(path.table, cmd.name)?.type;
        if (!old) return;
        const why = narrowing(old, next);
        if (why) ctx.report({ messageId: 'narrowing', data: { ...data, from: showType(old), why } });
      },
    };
  },
});
