// Pieces of advice and wording shared by several rules (not a rule: files starting with `_` are not
// registered).
import type { FrameworkId } from '@metamig/core';
import type { Observation, RuleContext } from '../types.js';

/** How to run one migration outside a transaction, per framework. */
export const OUTSIDE_TRANSACTION: Record<FrameworkId, string> = {
  alembic: 'wrap the operation in `with op.get_context().autocommit_block():` (Alembic ≥ 1.2 commits the migration transaction first)',
  django: 'set `atomic = False` on the `Migration` class (and keep that migration to this one operation)',
  rails: 'call `disable_ddl_transaction!` in the migration class (and keep that migration to this one operation)',
  laravel: 'declare `public $withinTransaction = false;` on the migration class and run the statement with `DB::statement(...)`',
  knex: 'export `config = { transaction: false }` from the migration file (`exports.config = { transaction: false }` in CommonJS) and run the statement with `knex.raw(...)`',
  prisma:
    'give the statement a migration of its own (`prisma migrate dev --create-only`, then edit migration.sql): Prisma sends migration.sql as one script, and PostgreSQL runs a multi-statement script as one implicit transaction, so the statement must be the only one in that file',
  typeorm: 'set `transaction = false` on the migration class and run migrations with `migrationsTransactionMode: "each"` (TypeORM refuses per-migration overrides in the default "all" mode)',
  flyway:
    'put the statement in a versioned script of its own: Flyway detects CONCURRENTLY/VACUUM on PostgreSQL and runs that script outside a transaction (or set `executeInTransaction=false` in the script’s `.sql.conf`); it refuses to mix them with transactional statements unless `mixed=true`',
};

export function outsideTransaction(prefix: string): Partial<Record<FrameworkId, string>> {
  const out: Partial<Record<FrameworkId, string>> = {};
  for (const [fw, how] of Object.entries(OUTSIDE_TRANSACTION)) out[fw as FrameworkId] = `${prefix} To run it outside a transaction, ${how}.`;
  return out;
}

/** " (measured: ACCESS EXCLUSIVE on users for 2.1 s)" from sandbox observations, or "". */
export function measured(ctx: RuleContext<unknown>): string {
  const facts: string[] = [];
  for (const o of ctx.observations()) {
    for (const l of o.locks ?? []) facts.push(`${l.mode} on ${l.relation} for ${seconds(l.heldMs)}`);
    for (const r of o.rewritten ?? []) facts.push(`table ${r} rewritten`);
  }
  return facts.length ? ` Measured in the sandbox: ${facts.join('; ')}.` : '';
}

export function seconds(ms: number): string {
  return ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(1)} s`;
}

/** True when a sandbox observation of this statement shows the table was NOT rewritten. */
export function observedNoRewrite(ctx: RuleContext<unknown>, table: string): boolean {
  const obs: Observation[] = ctx.observations();
  if (obs.length === 0) return false;
  return obs.every((o) => !(o.rewritten ?? []).some((r) => r === table || r.endsWith(`.${table}`) || table.endsWith(`.${r}`)));
}

/** The column a ColumnDef describes (ALTER COLUMN … TYPE defs carry the name on the command). */
export function columnLabel(col: { colname?: string }, path: { cmd?: { name?: string } }): string {
  return col.colname ?? path.cmd?.name ?? '?';
}
