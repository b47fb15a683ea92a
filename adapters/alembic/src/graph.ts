// The revision graph and how a selection of steps becomes Alembic revision targets. Alembic's own
// relative forms are ambiguous at merge and branch points ("downgrade -1" fails with "Ambiguous
// walk", "downgrade <parent>" also rolls back sibling branches), so every target here is explicit and
// chosen so that Alembic runs exactly the selected steps. Behaviour verified with Alembic 1.20:
//   upgrade <rev>        applies <rev> and its unapplied ancestors, nothing else;
//   downgrade <rev>      rolls back every applied descendant of <rev> (on all branches), nothing else;
//   downgrade <rev>@-N   walks N steps down from the applied head on <rev>'s branch;
//   downgrade <parent>   at an applied merge revision removes only the merge (both parents stay).
import { MigratorError, isApplied } from '@metamig/core';
import type { Migration } from '@metamig/core';

export interface Graph {
  parents: Map<string, string[]>;
  children: Map<string, string[]>;
}

export function graphOf(migrations: readonly Pick<Migration, 'id' | 'parents'>[]): Graph {
  const parents = new Map<string, string[]>();
  const children = new Map<string, string[]>();
  for (const m of migrations) {
    parents.set(m.id, [...m.parents]);
    for (const p of m.parents) children.set(p, [...(children.get(p) ?? []), m.id]);
  }
  return { parents, children };
}

function walk(start: Iterable<string>, next: (id: string) => string[]): Set<string> {
  const seen = new Set<string>();
  const stack = [...start];
  while (stack.length) {
    const id = stack.pop()!;
    if (seen.has(id)) continue;
    seen.add(id);
    stack.push(...next(id));
  }
  return seen;
}

/** `ids` and all their ancestors. */
export const ancestorsOf = (g: Graph, ids: Iterable<string>): Set<string> => walk(ids, (id) => g.parents.get(id) ?? []);

/** Strict descendants of `id` within `within`. */
export function descendantsWithin(g: Graph, id: string, within: ReadonlySet<string>): Set<string> {
  const seen = walk(g.children.get(id) ?? [], (c) => g.children.get(c) ?? []);
  return new Set([...seen].filter((x) => within.has(x)));
}

const sameSet = (a: ReadonlySet<string>, b: ReadonlySet<string>) => a.size === b.size && [...a].every((x) => b.has(x));

/** The members of `selected` that no other member descends from, in the order given. */
export function tips(g: Graph, selected: readonly string[]): string[] {
  const inSel = new Set(selected);
  return selected.filter((id) => !(g.children.get(id) ?? []).some((c) => inSel.has(c)));
}

/** `upgrade heads` for everything; else one `upgrade <tip>` per branch tip of the selection. */
export function upgradeTargets(all: readonly Migration[], steps: readonly Migration[], latest: boolean): string[] {
  if (latest) return ['heads'];
  return tips(graphOf(all), steps.map((s) => s.id));
}

/** One Alembic downgrade: `target` online; `from:to` offline (`--sql` needs a single start revision). */
export interface DowngradeMove {
  target: string;
  from: string;
  to: string;
  removes: string[];
}

function refuse(summary: string, why: string): MigratorError {
  return new MigratorError({
    code: 'OPERATION.UNSUPPORTED',
    summary,
    why,
    fix: 'Nothing was changed. Roll back with `metamig down --to <id>` to a revision that has no other applied branch above it, or run `alembic downgrade` yourself.',
  });
}

/**
 * Per-revision moves that remove exactly `steps` (applied, given latest first, closed under applied
 * descendants as core's selection is): a straight run of single-parent revisions below an applied
 * head is one `<head>@-N`; an applied merge revision is removed by `downgrade <one parent>`.
 */
export function downgradeMoves(all: readonly Migration[], steps: readonly Migration[]): DowngradeMove[] {
  const g = graphOf(all);
  const applied = new Set(all.filter(isApplied).map((m) => m.id));
  const remaining = steps.map((s) => s.id);
  const moves: DowngradeMove[] = [];
  const appliedChildren = (id: string) => (g.children.get(id) ?? []).filter((c) => applied.has(c));
  while (remaining.length) {
    const head = remaining[0]!;
    const parents = g.parents.get(head) ?? [];
    if (appliedChildren(head).length) {
      throw refuse(`Cannot roll back ${head} alone: revisions above it are still applied.`, `Applied above it: ${appliedChildren(head).join(', ')}.`);
    }
    if (parents.length > 1) {
      // A merge: `downgrade <parent>` removes only the merge when that parent has no other applied child.
      const parent = parents.find((p) => sameSet(descendantsWithin(g, p, applied), new Set([head])));
      if (!parent) {
        throw refuse(
          `Cannot roll back the merge revision ${head} without also rolling back other branches.`,
          `Each of its parents (${parents.join(', ')}) has other applied revisions above it; \`alembic downgrade <parent>\` would roll those back too, and \`alembic downgrade ${head}@-1\` fails with "Ambiguous walk".`,
        );
      }
      moves.push({ target: parent, from: head, to: parent, removes: [head] });
      applied.delete(head);
      remaining.shift();
      continue;
    }
    // Walk down a straight run: each next revision must be selected, single-parent, and have no
    // other applied child (else `@-N` would also roll back that other branch).
    const run = [head];
    let cur = head;
    for (;;) {
      const parent = (g.parents.get(cur) ?? [])[0];
      if (parent === undefined || !remaining.includes(parent)) break;
      if ((g.parents.get(parent) ?? []).length > 1 || appliedChildren(parent).some((c) => c !== cur)) break;
      run.push(parent);
      cur = parent;
    }
    const below = (g.parents.get(cur) ?? [])[0];
    moves.push({ target: `${head}@-${run.length}`, from: head, to: below ?? 'base', removes: run });
    for (const id of run) {
      applied.delete(id);
      remaining.splice(remaining.indexOf(id), 1);
    }
  }
  return moves;
}

/**
 * The online downgrade targets: a single `downgrade <rev>` (or `base`) when the revisions above
 * <rev> are exactly the selection, else the per-revision moves.
 */
export function downgradeTargets(all: readonly Migration[], steps: readonly Migration[]): string[] {
  const g = graphOf(all);
  const appliedList = all.filter(isApplied).map((m) => m.id);
  const applied = new Set(appliedList);
  const selected = new Set(steps.map((s) => s.id));
  if (sameSet(selected, applied)) return ['base'];
  // Closest candidates first: the revisions that stay applied, newest first.
  for (const id of [...appliedList].reverse()) {
    if (selected.has(id)) continue;
    if (sameSet(descendantsWithin(g, id, applied), selected)) return [id];
  }
  return downgradeMoves(all, steps).map((m) => m.target);
}

export interface UpgradeRange {
  /** An applied revision to start from; none = from base. */
  start?: string;
  tip: string;
}

/** Offline ranges for `upgrade <range> --sql`: one per tip, starting at an applied revision below it. */
export function upgradeRanges(all: readonly Migration[], steps: readonly Migration[]): UpgradeRange[] {
  const g = graphOf(all);
  const selected = new Set(steps.map((s) => s.id));
  return tips(g, steps.map((s) => s.id)).map((tip) => {
    const needed = [...ancestorsOf(g, [tip])].filter((id) => selected.has(id));
    const frontier = [...new Set(needed.flatMap((id) => (g.parents.get(id) ?? []).filter((p) => !selected.has(p))))];
    // Alembic's offline start is a single revision; with several (a merge of applied branches) the
    // output also covers the other branch, and only the selected revisions' sections are used.
    return frontier[0] === undefined ? { tip } : { start: frontier[0], tip };
  });
}
