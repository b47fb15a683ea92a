import { z } from 'zod';
import { as, columnName, columnType, mayBeRewriteFree, sameType, show, showType, typeChangeEffect, type ColumnType } from '../ast.js';
import { defineRule } from '../define.js';
import type { NodeOf } from '../types.js';
import { measured, observedNoRewrite } from './_shared.js';

/** A USING that is just the column (or the column cast to the new type) converts like no USING at all. */
function trivialUsing(using: unknown, column: string, next: ColumnType): boolean {
  if (using === undefined) return true;
  if (columnName(using) === column) return true;
  const cast = as(using, 'TypeCast');
  const t = columnType(cast?.typeName);
  return !!cast && columnName(cast.arg) === column && !!t && sameType(t, next);
}

export default defineRule({
  meta: {
    id: 'change-column-type-rewrite',
    code: 'PG204',
    defaultSeverity: 'error',
    category: 'rewrite',
    engines: ['postgres'],
    preset: 'recommended',
    since: '0.1.0',
    options: z.strictObject({
      /** Migrations run with TimeZone = UTC, so timestamp ↔ timestamptz is rewrite-free (PG 12+). */
      assumeUtcSession: z.boolean().default(false),
    }),
    messages: {
      rewrite:
        'ALTER COLUMN {{column}} TYPE {{type}} on {{table}}{{from}} rewrites the whole table and rebuilds its indexes under ACCESS EXCLUSIVE: no read or write on {{table}} until the copy is done. Running code that writes the old type may also start failing.{{measured}}',
      unknownOld:
        'ALTER COLUMN {{column}} TYPE {{type}} on {{table}} holds ACCESS EXCLUSIVE and rewrites the whole table unless the old type converts in place (varchar(n) → varchar(m ≥ n)/text, numeric(p,s) → numeric(q ≥ p,s), timestamp(p) → timestamp(q ≥ p) …). metamig does not know the current type of {{column}}, so it assumes the rewrite; run with a sandbox to measure it, or waive with the old type as the reason.{{measured}}',
      indexRebuild:
        'ALTER COLUMN {{column}} TYPE {{type}} on {{table}}{{from}} does not rewrite the table, but rebuilds every index on {{column}} while holding ACCESS EXCLUSIVE: no read or write on {{table}} until the indexes are rebuilt.{{measured}}',
      timezone:
        'ALTER COLUMN {{column}} TYPE {{type}} on {{table}}{{from}} is rewrite-free only when the migration session’s TimeZone is UTC (PostgreSQL 12+); otherwise every row is converted and the table rewritten under ACCESS EXCLUSIVE. Set the policy option assumeUtcSession if your migrations run in UTC.{{measured}}',
    },
    docs: {
      summary: 'Changing a column type rewrites the table unless the change is binary-compatible.',
      problem:
        '`ALTER COLUMN … TYPE` holds ACCESS EXCLUSIVE and, unless the conversion is binary-compatible, rewrites every row and rebuilds every index of the table. Rewrite-free (checked on PostgreSQL 18 by comparing relfilenodes): varchar(n) → varchar(m ≥ n), varchar, or text; text → varchar without a length; numeric(p,s) → numeric(q ≥ p, s) or unconstrained numeric; timestamp/timestamptz/time/timetz/interval precision increases; varbit(n) → varbit(m ≥ n); cidr → inet; timestamp ↔ timestamptz only when the session TimeZone is UTC. text/varchar ↔ citext does not rewrite the table but rebuilds the column’s indexes. Everything else (int → bigint, varchar(n) → varchar(m < n), char(n) changes, any array element change, json → jsonb, a USING expression) rewrites.',
      safeAlternative:
        'For a rewriting change: add a new column of the new type, keep both in sync (trigger or dual writes), backfill in batches, switch reads, then drop the old column in a later release. Rewrite-free changes are fine (still set a short lock_timeout).',
      frameworks: {
        rails: 'strong_migrations lists the same safe changes; otherwise add a column, backfill with `in_batches`, and swap (change_column is unsafe).',
        django: 'Add a new field, copy with a batched RunPython (atomic = False), switch the model, and remove the old field later.',
        alembic: 'Add a new column, backfill in batches in a separate revision, switch the model, and drop the old column later.',
        prisma: 'Add a new field, backfill, switch reads, then remove the old field; Prisma generates `ALTER COLUMN … SET DATA TYPE` for an in-place change.',
      },
      examples: {
        unsafe: 'ALTER TABLE users ALTER COLUMN id TYPE bigint;',
        safe: 'ALTER TABLE users ALTER COLUMN name TYPE varchar(100);',
        context: { before: ['CREATE TABLE users (id int, name varchar(50));'] },
      },
    },
  },
  create(ctx) {
    return {
      AlterTableCmd(cmd, path) {
        if (cmd.subtype !== 'AT_AlterColumnType' || !cmd.name || ctx.state.isNew(path.table)) return;
        if (ctx.state.isNewColumn(path.table, cmd.name)) return;
        const def = as(cmd.def, 'ColumnDef') as NodeOf<'ColumnDef'> | undefined;
        const next = columnType(def?.typeName);
        if (!next || !path.table) return;
        if (observedNoRewrite(ctx, path.table.key) && ctx.observations().length) return;
        const old = ctx.state.schema.column(path.table, cmd.name)?.type;
        const data = { column: cmd.name, type: showType(next), table: show(path.table), from: old ? ` (from ${showType(old)})` : '', measured: measured(ctx) };
        const using = trivialUsing(def?.raw_default, cmd.name, next);
        if (!old) {
          ctx.report({ messageId: using && mayBeRewriteFree(next) ? 'unknownOld' : 'rewrite', data });
          return;
        }
        const effect = using ? typeChangeEffect(old, next) : 'rewrite';
        if (effect === 'no-rewrite') return;
        if (effect === 'timezone-dependent' && ctx.options.assumeUtcSession) return;
        ctx.report({ messageId: effect === 'index-rebuild' ? 'indexRebuild' : effect === 'timezone-dependent' ? 'timezone' : 'rewrite', data });
      },
    };
  },
});
