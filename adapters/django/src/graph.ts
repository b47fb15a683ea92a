// Django's migration graph as metamig needs it: which `migrate <app> <target>` runs reproduce a
// selection core made, simulated with Django's own rules (executor.migration_plan), so metamig
// knows before running anything whether Django would touch more than was asked. Pure.
import type { Migration } from '@metamig/core';
import { isApplied } from '@metamig/core';

export const appOf = (id: string): string => id.slice(0, id.indexOf('.'));
export const nameOf = (id: string): string => id.slice(id.indexOf('.') + 1);

export interface Graph {
  ids: string[];
  parents: Map<string, string[]>;
  children: Map<string, string[]>;
}

/** The graph nodes of a status (rows of django_migrations without a file are not nodes). */
export function graphOf(migrations: readonly Migration[]): Graph {
  const nodes = migrations.filter((m) => m.state !== 'missing-file');
  const ids = nodes.map((m) => m.id);
  const known = new Set(ids);
  const parents = new Map(nodes.map((m) => [m.id, m.parents.filter((p) => known.has(p))]));
  const children = new Map<string, string[]>(ids.map((id) => [id, []]));
  for (const [id, ps] of parents) for (const p of ps) children.get(p)!.push(id);
  return { ids, parents, children };
}

/** `id` and everything that depends on it, in any app (Django's backwards_plan). */
export function withDescendants(g: Graph, id: string): Set<string> {
  const seen = new Set<string>();
  const stack = [id];
  while (stack.length) {
    const cur = stack.pop()!;
    if (seen.has(cur)) continue;
    seen.add(cur);
    stack.push(...(g.children.get(cur) ?? []));
  }
  return seen;
}

/** `id` and everything it depends on, in any app (Django's forwards_plan). */
export function withAncestors(g: Graph, id: string): Set<string> {
  const seen = new Set<string>();
  const stack = [id];
  while (stack.length) {
    const cur = stack.pop()!;
    if (seen.has(cur)) continue;
    seen.add(cur);
    stack.push(...(g.parents.get(cur) ?? []));
  }
  return seen;
}

const sameApp = (a: string, ids: readonly string[]) => ids.filter((i) => appOf(i) === appOf(a));

/**
 * What `migrate <app> <target>` unapplies when `target` is applied (or `zero`, target null): every
 * applied migration at or above the target's children in the same app — including dependents in
 * other apps, which Django rolls back too (executor.migration_plan).
 */
export function djangoUnapplies(g: Graph, applied: ReadonlySet<string>, app: string, target: string | null): Set<string> {
  const starts =
    target === null
      ? g.ids.filter((id) => appOf(id) === app && sameApp(id, g.parents.get(id) ?? []).length === 0)
      : sameApp(target, g.children.get(target) ?? []);
  const out = new Set<string>();
  for (const s of starts) for (const id of withDescendants(g, s)) if (applied.has(id)) out.add(id);
  return out;
}

export interface DownCommand {
  app: string;
  /** A migration name of `app`, or `zero`. */
  target: string;
  /** What Django will unapply with this command, given the commands before it. */
  unapplies: string[];
}

export interface DownPlan {
  commands: DownCommand[];
  /** Migrations Django would also unapply although they were not selected. */
  extra: string[];
  /** Selected migrations no `migrate` target can unapply without the extra ones. */
  unreachable: string[];
}

/**
 * The `migrate <app> <target>` runs that unapply exactly `steps` (core's selection, newest first):
 * per app, the same-app parent of the lowest selected migration (or `zero`), apps in the order their
 * newest selected migration appears, so dependents are rolled back by their own app's command first.
 */
export function downPlan(migrations: readonly Migration[], steps: readonly Migration[]): DownPlan {
  const g = graphOf(migrations);
  const selected = new Set(steps.map((s) => s.id));
  const remaining = new Set(migrations.filter((m) => isApplied(m) && g.parents.has(m.id)).map((m) => m.id));
  const apps = [...new Set(steps.map((s) => appOf(s.id)))];
  const commands: DownCommand[] = [];
  const unreachable = new Set<string>();
  for (const app of apps) {
    const inApp = steps.map((s) => s.id).filter((id) => appOf(id) === app);
    const lowest = inApp.filter((id) => !sameApp(id, g.parents.get(id) ?? []).some((p) => selected.has(p)));
    const targets: (string | null)[] = [];
    for (const id of lowest) {
      const parents = sameApp(id, g.parents.get(id) ?? []);
      // A merge migration has several same-app parents: any of them reaches it; prefer one that
      // drags nothing unselected along.
      const options = parents.length ? parents : [null];
      const clean = options.find((t) => [...djangoUnapplies(g, remaining, app, t)].every((x) => selected.has(x)));
      const pick = clean !== undefined ? clean : options[0]!;
      if (!targets.includes(pick)) targets.push(pick);
    }
    for (const t of targets) {
      // Django migrates *forwards* to a target that is not applied: never let that happen on `down`.
      if (t !== null && !remaining.has(t)) {
        inApp.forEach((id) => unreachable.add(id));
        continue;
      }
      const u = djangoUnapplies(g, remaining, app, t);
      if (!u.size) continue;
      u.forEach((id) => remaining.delete(id));
      const order = migrations.map((m) => m.id);
      commands.push({ app, target: t === null ? 'zero' : nameOf(t), unapplies: [...u].sort((a, b) => order.indexOf(b) - order.indexOf(a)) });
    }
  }
  const done = new Set(commands.flatMap((c) => c.unapplies));
  const extra = [...done].filter((id) => !selected.has(id));
  for (const id of selected) if (!done.has(id)) unreachable.add(id);
  return { commands, extra, unreachable: [...unreachable] };
}

/** The `migrate <app> <name>` targets that apply exactly `steps` (pending, in apply order). */
export function upTargets(migrations: readonly Migration[], steps: readonly Migration[]): { targets: string[]; exact: boolean } {
  const g = graphOf(migrations);
  const selected = new Set(steps.map((s) => s.id));
  const targets = steps.map((s) => s.id).filter((id) => !(g.children.get(id) ?? []).some((c) => selected.has(c)));
  const applied = new Set(migrations.filter(isApplied).map((m) => m.id));
  const runs = new Set<string>();
  for (const t of targets) for (const id of withAncestors(g, t)) if (!applied.has(id)) runs.add(id);
  const exact = runs.size === selected.size && [...runs].every((id) => selected.has(id));
  return { targets, exact };
}

/** Per app, the applied migrations no applied migration of the same app builds on. */
export function appliedLeaves(migrations: readonly Migration[]): string[] {
  const g = graphOf(migrations);
  const applied = new Set(migrations.filter((m) => isApplied(m) && g.parents.has(m.id)).map((m) => m.id));
  return g.ids.filter((id) => applied.has(id) && !sameApp(id, g.children.get(id) ?? []).some((c) => applied.has(c)));
}

/** Per app, the migrations no other migration of the same app builds on (Django's leaf_nodes()). */
export function leavesByApp(migrations: readonly Migration[]): Map<string, string[]> {
  const g = graphOf(migrations);
  const out = new Map<string, string[]>();
  for (const id of g.ids) {
    if (sameApp(id, g.children.get(id) ?? []).length) continue;
    out.set(appOf(id), [...(out.get(appOf(id)) ?? []), id]);
  }
  return out;
}

/** Human lines for a rollback that reaches beyond one app. */
export function crossAppNotes(migrations: readonly Migration[], plan: DownPlan): string[] {
  const g = graphOf(migrations);
  const notes: string[] = [];
  const apps = [...new Set(plan.commands.map((c) => c.app))];
  if (apps.length > 1) {
    notes.push(
      `This rollback spans ${apps.length} apps (${apps.join(', ')}): Django has no "N steps", so metamig runs one \`migrate <app> <target>\` per app, dependents first.`,
    );
  }
  const rolled = new Set(plan.commands.flatMap((c) => c.unapplies));
  for (const id of rolled) {
    const causes = (g.parents.get(id) ?? []).filter((p) => appOf(p) !== appOf(id) && rolled.has(p));
    if (causes.length) notes.push(`${id} (app ${appOf(id)}) is rolled back too: it depends on ${causes.sort().join(', ')}, which ${causes.length > 1 ? 'are' : 'is'} rolled back.`);
  }
  return notes;
}
