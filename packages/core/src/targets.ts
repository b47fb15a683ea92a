// What `up`/`down`/`plan` with a target means, decided once for every framework: the migrations that
// will run, in execution order. Adapters translate this selection to their tool's own arguments.
import { MigratorError } from './errors.js';
import type { Direction, Migration, MigrationState, Target } from './schemas.js';
import { isApplied, isPendingLike } from './state.js';

function ancestors(all: Migration[], id: string): Set<string> {
  const byId = new Map(all.map((m) => [m.id, m]));
  const seen = new Set<string>();
  const stack = [id];
  while (stack.length) {
    const cur = stack.pop()!;
    if (seen.has(cur)) continue;
    seen.add(cur);
    for (const p of byId.get(cur)?.parents ?? []) stack.push(p);
  }
  return seen;
}

function descendants(all: Migration[], id: string): Set<string> {
  const children = new Map<string, string[]>();
  for (const m of all) for (const p of m.parents) children.set(p, [...(children.get(p) ?? []), m.id]);
  const seen = new Set<string>();
  const stack = [...(children.get(id) ?? [])];
  while (stack.length) {
    const cur = stack.pop()!;
    if (seen.has(cur)) continue;
    seen.add(cur);
    stack.push(...(children.get(cur) ?? []));
  }
  return seen;
}

/** Find a migration by exact id, or by a unique prefix / name (users type "0003" or "add_email"). */
export function findMigration(state: MigrationState, ref: string): Migration {
  const ms = state.migrations;
  const exact = ms.find((m) => m.id === ref);
  if (exact) return exact;
  const matches = ms.filter((m) => m.id.startsWith(ref) || m.name === ref || m.id.replace(/\.[a-z]+$/, '') === ref);
  if (matches.length === 1) return matches[0]!;
  const known = ms.map((m) => m.id);
  throw new MigratorError({
    code: 'TARGET.UNKNOWN',
    summary: matches.length > 1 ? `"${ref}" matches several migrations in ${state.project}: ${matches.map((m) => m.id).join(', ')}` : `No migration "${ref}" in ${state.project}.`,
    why: known.length ? `Known ids: ${known.slice(0, 12).join(', ')}${known.length > 12 ? ', …' : ''}` : 'The project has no migrations.',
    fix: 'Pass an id exactly as `metamig status` shows it.',
  });
}

export function selectSteps(state: MigrationState, direction: Direction, target: Target): Migration[] {
  const ms = state.migrations;
  if (direction === 'up') {
    const pending = ms.filter(isPendingLike);
    if (target.kind === 'latest') return pending;
    if (target.kind === 'steps') {
      if (target.n > pending.length) {
        throw new MigratorError({
          code: 'TARGET.NOT_PENDING',
          summary: `Cannot apply ${target.n} migrations in ${state.project}: only ${pending.length} ${pending.length === 1 ? 'is' : 'are'} pending.`,
          fix: pending.length ? `Use --steps ${pending.length}, or omit --steps to apply all.` : 'Nothing to apply.',
        });
      }
      return pending.slice(0, target.n);
    }
    const m = findMigration(state, target.id);
    if (isApplied(m)) {
      throw new MigratorError({
        code: 'TARGET.NOT_PENDING',
        summary: `${m.id} is already applied in ${state.project}.`,
        fix: 'To go back to it, use `metamig down --to <id>`.',
      });
    }
    const need = ancestors(ms, m.id);
    return pending.filter((p) => need.has(p.id));
  }

  // Repeatable migrations are never rolled back (the tool re-applies them when they change).
  const applied = ms.filter((m) => isApplied(m) && !m.repeatable).reverse();
  if (target.kind === 'latest') {
    throw new MigratorError({
      code: 'USAGE.INVALID',
      summary: 'Rolling back needs an explicit target.',
      fix: 'Pass --steps N or --to ID.',
    });
  }
  if (target.kind === 'steps') {
    if (target.n > applied.length) {
      throw new MigratorError({
        code: 'TARGET.NOT_APPLIED',
        summary: `Cannot roll back ${target.n} migrations in ${state.project}: only ${applied.length} ${applied.length === 1 ? 'is' : 'are'} applied.`,
        fix: applied.length ? `Use --steps ${applied.length}.` : 'Nothing to roll back.',
      });
    }
    return applied.slice(0, target.n);
  }
  const m = findMigration(state, target.id);
  if (!isApplied(m)) {
    throw new MigratorError({
      code: 'TARGET.NOT_APPLIED',
      summary: `${m.id} is not applied in ${state.project}, so the database cannot be rolled back to it.`,
      fix: 'Pick an applied migration from `metamig status`.',
    });
  }
  const above = descendants(ms, m.id);
  return applied.filter((a) => above.has(a.id));
}

/** Refuse before anything runs when a selected rollback is known to be impossible. */
export function assertReversible(project: string, steps: Migration[]): void {
  const bad = steps.filter((m) => m.reversible === false);
  if (!bad.length) return;
  throw new MigratorError({
    code: 'MIGRATION.IRREVERSIBLE',
    summary: `${project}: ${bad.map((m) => m.id).join(', ')} cannot be rolled back.`,
    why: bad.map((m) => `${m.id}: ${m.irreversibleReason ?? 'declared irreversible'}`).join('\n'),
    fix: 'Nothing was changed. Write a reverse migration, or restore from a backup taken before it was applied.',
  });
}
