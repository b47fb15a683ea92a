// Alembic's revision files read statically, and its RevisionMap (Alembic 1.20) redone over them:
// the walk order `alembic history` uses, the code heads, and the order `upgrade heads` would run from
// the database's heads — the pieces helpers/metamig_alembic.py prints, so that statusFromHelper()
// builds both paths' state. What Alembic would decide in code, or non-deterministically, refuses. Pure.
import type { HelperRevision, StatusInput } from './parse.js';
import { type PyStatement, type PyValue, pyAssignment, pyDocstring, pyHasStarImport, pyLiteral, pyMayBind, pyStatements } from '@metamig/core/python-source';

/** The fast path cannot be exact for this project; `message` says why (shown to the user). */
export class NotExact extends Error {}

export interface RevisionSource {
  revision: string;
  /** down_revision as Alembic normalizes it: null for a base. */
  downRevisions: string[];
  dependsOn: string[];
  branchLabels: string[];
  /** Script.doc: the docstring's first paragraph, stripped. */
  doc: string;
}

const strOrList = (v: PyValue | undefined, what: string, file: string): string[] => {
  if (v === undefined || v === null) return [];
  if (typeof v === 'string') return [v];
  const items = typeof v === 'object' && ('list' in v || 'tuple' in v) ? ('list' in v ? v.list : v.tuple) : undefined;
  if (items?.every((x): x is string => typeof x === 'string')) return items;
  throw new NotExact(`${file}: ${what} is not None, a string or a list of strings`);
};

function moduleValue(statements: readonly PyStatement[], name: string, file: string): PyValue | undefined {
  const binds = statements.filter((st) => pyMayBind(st, name));
  if (!binds.length) return undefined;
  const a = binds.length === 1 && binds[0]!.indent === 0 ? pyAssignment(binds[0]!) : undefined;
  try {
    const v = a?.target === name ? pyLiteral(a.value) : undefined;
    if (v !== undefined && !(v !== null && typeof v === 'object' && ('name' in v || 'call' in v))) return v;
  } catch {
    /* fall through */
  }
  throw new NotExact(`${file} computes ${name} in code (line ${binds[0]!.line}); only a literal can be read without running it`);
}

/**
 * Script.doc as Alembic shows it. Python 3.13 strips docstring indentation at compile time; a first
 * paragraph whose lines are indented (or holds tabs) would read differently per Python version.
 */
export function scriptDoc(docstring: string | undefined, file: string): string {
  const doc = (docstring ?? '').replace(/^[\s\x1c-\x1f]+|[\s\x1c-\x1f]+$/g, '');
  const first = doc.split('\n\n')[0]!;
  if (/\n[ \t]|\t/.test(first)) throw new NotExact(`${file}: the docstring's first paragraph is indented, which Python versions read differently`);
  return first;
}

/** One revision file, read without importing it (Script._from_filename). */
export function readRevision(text: string, fileName: string, file: string): RevisionSource {
  const statements = pyStatements(text);
  if (pyHasStarImport(statements)) throw new NotExact(`${file} uses \`from … import *\`, which may set the revision identifiers`);
  for (const dynamic of ['globals', 'setattr', 'exec', 'vars']) {
    if (statements.some((st) => st.toks.some((t, k) => t.t === 'name' && t.v === dynamic && st.toks[k - 1]?.v !== '.'))) {
      throw new NotExact(`${file} calls ${dynamic}(), which may set the revision identifiers`);
    }
  }
  let revision = moduleValue(statements, 'revision', file);
  if (revision === undefined) {
    const legacy = /^([a-f0-9]+)\.py$/.exec(fileName);
    if (!legacy) throw new NotExact(`${file} defines no revision (Alembic refuses to load it)`);
    revision = legacy[1]!;
  }
  if (typeof revision !== 'string' || !revision || /[@\-+:]/.test(revision)) throw new NotExact(`${file}: revision is not a valid identifier string`);
  const down = moduleValue(statements, 'down_revision', file);
  if (down === undefined) throw new NotExact(`${file} has no down_revision (Alembic refuses to load it)`);
  const downRevisions = strOrList(down, 'down_revision', file);
  const dependsOn = strOrList(moduleValue(statements, 'depends_on', file), 'depends_on', file);
  const branchLabels = strOrList(moduleValue(statements, 'branch_labels', file), 'branch_labels', file);
  if ([...downRevisions, ...dependsOn].some((r) => !r || r === revision)) throw new NotExact(`${file}: down_revision/depends_on is empty or names the revision itself`);
  return { revision, downRevisions: [...downRevisions], dependsOn: [...dependsOn], branchLabels: [...new Set(branchLabels)], doc: scriptDoc(pyDocstring(statements), file) };
}

export interface Script extends RevisionSource {
  /** As the helper reports it: relative to the project root. */
  path: string;
}

interface Rev {
  s: Script;
  versioned: string[];
  resolvedDeps: string[];
  normalizedDeps: string[];
  /** down_revision + normalized dependencies, deduped (Revision._normalized_down_revisions). */
  normalizedDown: string[];
}

const dedupe = (xs: readonly string[]) => [...new Set(xs)];

/** RevisionMap._revision_map: resolve depends_on, heads, normalized dependencies. */
function revisionMap(scripts: readonly Script[]): { revs: Map<string, Rev>; heads: string[]; realHeads: string[] } {
  const revs = new Map<string, Rev>();
  for (const s of scripts) {
    if (revs.has(s.revision)) throw new NotExact(`revision ${s.revision} is defined by more than one file (Alembic warns and keeps one)`);
    revs.set(s.revision, { s, versioned: s.downRevisions, resolvedDeps: [], normalizedDeps: [], normalizedDown: [] });
  }
  const labels = new Map<string, string>();
  for (const s of scripts) {
    for (const l of s.branchLabels) {
      if (revs.has(l) || labels.has(l)) throw new NotExact(`branch label ${l} is used twice (Alembic refuses it)`);
      labels.set(l, s.revision);
    }
  }
  for (const r of revs.values()) {
    r.resolvedDeps = r.s.dependsOn.map((d) => {
      const hit = revs.has(d) ? d : labels.get(d);
      if (!hit) throw new NotExact(`${r.s.revision} depends on ${d}, which is no revision or branch label (Alembic refuses it)`);
      return hit;
    });
    for (const d of r.versioned) if (!revs.has(d)) throw new NotExact(`${r.s.revision} has down_revision ${d}, which no file defines (Alembic refuses it)`);
  }
  const versionedAncestors = (r: Rev) => walk([r.s.revision], (id) => revs.get(id)!.versioned);
  for (const r of revs.values()) {
    const normalized = new Set(r.resolvedDeps);
    for (const a of versionedAncestors(r)) if (a !== r.s.revision) for (const d of revs.get(a)!.resolvedDeps) normalized.delete(d);
    // Alembic keeps these in a set: with two or more, its own walk order varies from run to run.
    if (normalized.size > 1) throw new NotExact(`${r.s.revision} has several depends_on that are not implied by its ancestors: Alembic's own order of them is not stable between runs`);
    r.normalizedDeps = [...normalized];
    r.normalizedDown = dedupe([...r.versioned, ...r.normalizedDeps]);
  }
  // heads: nothing builds on them through down_revision (`alembic heads`); real heads: nor through
  // depends_on — what "heads" means as an upgrade target.
  const referenced = new Set([...revs.values()].flatMap((r) => r.versioned));
  const heads = scripts.map((s) => s.revision).filter((id) => !referenced.has(id));
  const needed = new Set([...revs.values()].flatMap((r) => [...r.versioned, ...r.resolvedDeps]));
  const realHeads = scripts.map((s) => s.revision).filter((id) => !needed.has(id));
  // A cycle leaves no head (or no base) for part of the graph; Alembic refuses to load it.
  const reachable = walk(realHeads, (id) => revs.get(id)!.normalizedDown);
  if (reachable.size !== revs.size || hasCycle(revs)) throw new NotExact('the revisions form a cycle (Alembic refuses to load them)');
  return { revs, heads, realHeads };
}

function walk(start: Iterable<string>, next: (id: string) => readonly string[]): Set<string> {
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

function hasCycle(revs: Map<string, Rev>): boolean {
  const state = new Map<string, 1 | 2>();
  const visit = (id: string): boolean => {
    state.set(id, 1);
    const r = revs.get(id)!;
    for (const p of dedupe([...r.versioned, ...r.resolvedDeps])) {
      if (state.get(p) === 1 || (!state.has(p) && visit(p))) return true;
    }
    state.set(id, 2);
    return false;
  };
  return [...revs.keys()].some((id) => !state.has(id) && visit(id));
}

/** RevisionMap._topological_sort: newest first, following the heads in file order. */
function topologicalSort(revs: Map<string, Rev>, order: readonly string[], todoIds: Iterable<string>, headIds: readonly string[]): string[] {
  const ancestors = (id: string) => walk([id], (x) => revs.get(x)!.normalizedDown);
  const todo = new Set(todoIds);
  const rank = new Map(order.map((id, i) => [id, i]));
  const heads = [...new Set(headIds.filter((h) => todo.has(h)))].sort((a, b) => rank.get(a)! - rank.get(b)!);
  const ancestorsByIdx = heads.map(ancestors);
  const output: string[] = [];
  let idx = 0;
  let guard = 0;
  while (heads.length) {
    if (++guard > 1_000_000) throw new NotExact("Alembic's topological walk does not finish on this graph");
    const candidate = heads[idx]!;
    const blocker = ancestorsByIdx.findIndex((a, k) => k !== idx && a.has(candidate));
    if (blocker >= 0) {
      idx = blocker;
      continue;
    }
    if (todo.delete(candidate)) output.push(candidate);
    const rev = revs.get(candidate)!;
    const toAdd = rev.normalizedDown.filter((r) => todo.has(r) && !heads.includes(r));
    if (!toAdd.length) {
      heads.splice(idx, 1);
      ancestorsByIdx.splice(idx, 1);
      idx = Math.max(idx - 1, 0);
    } else if (!rev.normalizedDeps.length && rev.versioned.length === 1) {
      heads[idx] = toAdd[0]!;
      ancestorsByIdx[idx]!.delete(candidate);
    } else {
      heads[idx] = toAdd[0]!;
      heads.push(...toAdd.slice(1));
      ancestorsByIdx[idx] = ancestors(toAdd[0]!);
      ancestorsByIdx.push(...toAdd.slice(1).map(ancestors));
    }
  }
  if (todo.size) throw new NotExact("Alembic's topological walk would not cover every revision");
  return output;
}

/** `_get_ancestor_nodes(targets, check=True)` raises when one target is an ancestor of another. */
function assertNoOverlap(revs: Map<string, Rev>, targets: readonly string[], what: string): void {
  for (const t of targets) {
    const below = walk(revs.get(t)!.normalizedDown, (x) => revs.get(x)!.normalizedDown);
    const overlap = targets.find((o) => o !== t && below.has(o));
    if (overlap) throw new NotExact(`${what} ${t} and ${overlap} overlap (one is below the other): Alembic stops with "Requested revision … overlaps"`);
  }
}

/** The revision part of what the helper's `status` prints, from the files and alembic_version's rows. */
export function alembicStatus(scripts: readonly Script[], dbHeads: readonly string[], versionTable: string): StatusInput {
  const { revs, heads, realHeads } = revisionMap(scripts);
  const order = scripts.map((s) => s.revision);
  const walkOrder = [...topologicalSort(revs, order, revs.keys(), realHeads)].reverse();
  const unknown = dbHeads.filter((h) => !revs.has(h));
  let pending: string[] | null = null;
  if (!unknown.length) {
    assertNoOverlap(revs, dbHeads, "the database's heads");
    const current = walk(dbHeads, (x) => revs.get(x)!.normalizedDown);
    const needs = [...walk(realHeads, (x) => revs.get(x)!.normalizedDown)].filter((id) => !current.has(id));
    pending = topologicalSort(revs, order, needs, realHeads).reverse();
  }
  const revisions: HelperRevision[] = walkOrder.map((id) => {
    const r = revs.get(id)!;
    return {
      id,
      parents: r.versioned,
      depends_on: r.resolvedDeps,
      message: r.s.doc,
      path: r.s.path,
      branch_labels: [...r.s.branchLabels].sort(),
      is_head: heads.includes(id),
      is_merge: r.versioned.length > 1,
      reversible: 'unknown',
      irreversible_reason: null,
      autocommit_block: false,
    };
  });
  return { revisions, code_heads: heads, db_heads: [...dbHeads], unknown_in_db: unknown, pending_order: pending, transactional_ddl: false, version_table: versionTable };
}
