// Django's MigrationLoader, MigrationGraph and MigrationExecutor.migration_plan (Django 5.2), redone
// over statically read migrations and the rows of django_migrations, producing exactly what
// helpers/metamig_django.py status prints, so that statusFromHelper() builds both paths' state. Pure.
import type { HelperMigration, StatusInput } from './parse.js';
import { pyCompare } from '@metamig/core/python-source';
import { NotExact } from './static.js';

export type Key = readonly [app: string, name: string];

export interface DiskMigration {
  app: string;
  name: string;
  /** Relative to the project root; null outside it (as the helper reports). */
  file: string | null;
  /** Swappable dependencies already resolved to (app, "__first__"). */
  dependencies: Key[];
  replaces: Key[];
  runBefore: Key[];
  atomic: boolean | undefined;
}

export interface DiskApp {
  label: string;
  /** Has a migrations package (even an empty one). */
  migrated: boolean;
}

export interface HistoryRow {
  id: number;
  app: string;
  name: string;
  /** Already in Python's isoformat(), as the helper prints it. */
  applied: string | null;
}

const id = (k: Key) => `${k[0]}.${k[1]}`;
const keyOf = (s: string): Key => [s.slice(0, s.indexOf('.')), s.slice(s.indexOf('.') + 1)];
const compareKeys = (a: Key, b: Key) => pyCompare(a[0], b[0]) || pyCompare(a[1], b[1]);
const sortedIds = (ids: Iterable<string>) => [...ids].map(keyOf).sort(compareKeys).map(id);

interface Node {
  key: Key;
  dummy: boolean;
  parents: Set<string>;
  children: Set<string>;
}

/** MigrationGraph: nodes keyed "app.name", with dummy nodes for dependencies not (yet) on disk. */
class Graph {
  readonly nodes = new Map<string, Node>();

  add(key: Key, dummy = false): Node {
    const node: Node = { key, dummy, parents: new Set(), children: new Set() };
    this.nodes.set(id(key), node);
    return node;
  }

  depend(child: Key, parent: Key): void {
    const c = this.nodes.get(id(child)) ?? this.add(child, true);
    const p = this.nodes.get(id(parent)) ?? this.add(parent, true);
    c.parents.add(id(parent));
    p.children.add(id(child));
  }

  private sameApp = (node: Node, ids: Set<string>) => [...ids].some((x) => keyOf(x)[0] === node.key[0]);
  roots = (app?: string) => sortedIds([...this.nodes.values()].filter((n) => !this.sameApp(n, n.parents) && (!app || n.key[0] === app)).map((n) => id(n.key)));
  leaves = (app?: string) => sortedIds([...this.nodes.values()].filter((n) => !this.sameApp(n, n.children) && (!app || n.key[0] === app)).map((n) => id(n.key)));

  /** remove_replaced_nodes: the squash takes over every edge of the migrations it replaces. */
  removeReplaced(replacement: string, replaced: string[]): void {
    const r = this.nodes.get(replacement);
    if (!r) throw new NotExact(`the squash ${replacement} is not in the graph`);
    const set = new Set(replaced);
    for (const key of set) {
      const node = this.nodes.get(key);
      if (!node) continue;
      this.nodes.delete(key);
      for (const child of node.children) {
        this.nodes.get(child)?.parents.delete(key);
        if (!set.has(child)) {
          r.children.add(child);
          this.nodes.get(child)?.parents.add(replacement);
        }
      }
      for (const parent of node.parents) {
        this.nodes.get(parent)?.children.delete(key);
        if (!set.has(parent)) {
          r.parents.add(parent);
          this.nodes.get(parent)?.children.add(replacement);
        }
      }
    }
  }

  /** remove_replacement_node: a partly applied squash disappears; its children depend on the newest replaced. */
  removeReplacement(replacement: string, replaced: string[]): void {
    const r = this.nodes.get(replacement);
    if (!r) throw new NotExact(`the squash ${replacement} is not in the graph`);
    this.nodes.delete(replacement);
    const present = replaced.filter((k) => this.nodes.has(k));
    const theirParents = new Set(present.flatMap((k) => [...this.nodes.get(k)!.parents]));
    const latest = present.filter((k) => !theirParents.has(k));
    for (const child of r.children) {
      const c = this.nodes.get(child);
      c?.parents.delete(replacement);
      for (const l of latest) {
        this.nodes.get(l)!.children.add(child);
        c?.parents.add(l);
      }
    }
    for (const parent of r.parents) this.nodes.get(parent)?.children.delete(replacement);
  }

  /** iterative_dfs: Django's forwards_plan(target), parents visited in sorted order. */
  forwardsPlan(target: string): string[] {
    const visited: string[] = [];
    const seen = new Set<string>();
    const stack: [string, boolean][] = [[target, false]];
    while (stack.length) {
      const [node, processed] = stack.pop()!;
      if (seen.has(node)) continue;
      if (processed) {
        seen.add(node);
        visited.push(node);
      } else {
        stack.push([node, true]);
        for (const p of sortedIds(this.nodes.get(node)!.parents)) stack.push([p, false]);
      }
    }
    return visited;
  }

  assertAcyclic(): void {
    const state = new Map<string, 1 | 2>();
    const visit = (start: string) => {
      const stack: [string, Iterator<string>][] = [[start, this.nodes.get(start)!.children.values()]];
      state.set(start, 1);
      while (stack.length) {
        const [node, it] = stack[stack.length - 1]!;
        const next = it.next();
        if (next.done) {
          state.set(node, 2);
          stack.pop();
        } else if (state.get(next.value) === 1) {
          throw new NotExact(`the migrations form a cycle through ${next.value} (Django refuses to load them)`);
        } else if (!state.has(next.value)) {
          state.set(next.value, 1);
          stack.push([next.value, this.nodes.get(next.value)!.children.values()]);
        }
      }
    };
    for (const key of this.nodes.keys()) if (!state.has(key)) visit(key);
  }
}

/** The status document the helper prints, from disk migrations and django_migrations rows. */
export function loaderStatus(apps: readonly DiskApp[], disk: readonly DiskMigration[], rows: readonly HistoryRow[], opts: { hasTable: boolean }): StatusInput {
  const byId = new Map(disk.map((m) => [id([m.app, m.name]), m]));
  const migrated = new Set(apps.filter((a) => a.migrated).map((a) => a.label));
  const unmigrated = new Set(apps.filter((a) => !a.migrated).map((a) => a.label));
  const ordered = [...disk].sort((a, b) => compareKeys([a.app, a.name], [b.app, b.name]));

  // recorder.applied_migrations(), then the loader's squash adjustments.
  const recorded = new Set(rows.map((r) => id([r.app, r.name])));
  const applied = new Set(recorded);
  const graph = new Graph();
  for (const m of ordered) graph.add([m.app, m.name]);
  for (const m of ordered) {
    for (const p of m.dependencies) if (p[0] === m.app && p[1] !== '__first__') graph.depend([m.app, m.name], p);
  }
  const checkKey = (key: Key, currentApp: string): Key | undefined => {
    if ((key[1] !== '__first__' && key[1] !== '__latest__') || graph.nodes.has(id(key))) return key;
    if (key[0] === currentApp || unmigrated.has(key[0])) return undefined;
    if (!migrated.has(key[0])) throw new NotExact(`a migration depends on the app "${key[0]}", which is not installed (Django refuses to load it)`);
    const found = key[1] === '__first__' ? graph.roots(key[0])[0] : graph.leaves(key[0])[0];
    return found === undefined ? undefined : keyOf(found);
  };
  for (const m of ordered) {
    for (const p of m.dependencies) {
      if (p[0] === m.app) continue;
      const parent = checkKey(p, m.app);
      if (parent) graph.depend([m.app, m.name], parent);
    }
    for (const c of m.runBefore) {
      const child = checkKey(c, m.app);
      if (child) graph.depend(child, [m.app, m.name]);
    }
  }

  const replacements = ordered.filter((m) => m.replaces.length);
  const replacedBy = new Map<string, string>();
  for (const m of replacements) {
    for (const r of m.replaces.map(id)) {
      if (replacedBy.has(r) || byId.get(r)?.replaces.length) throw new NotExact(`${r} is replaced by more than one squash, or is a squash itself: Django's result then depends on load order`);
      replacedBy.set(r, id([m.app, m.name]));
    }
  }
  for (const m of replacements) {
    const key = id([m.app, m.name]);
    const statuses = m.replaces.map((r) => applied.has(id(r)));
    if (statuses.every(Boolean)) applied.add(key);
    else applied.delete(key);
    if (statuses.every(Boolean) || !statuses.some(Boolean)) graph.removeReplaced(key, m.replaces.map(id));
    else graph.removeReplacement(key, m.replaces.map(id));
  }
  const dummy = [...graph.nodes.values()].find((n) => n.dummy);
  if (dummy) throw new NotExact(`a migration depends on ${id(dummy.key)}, which does not exist (Django refuses to load the migrations)`);
  graph.assertAcyclic();

  const leaves = graph.leaves();
  const plan = (clean: boolean): string[] => {
    const done = new Set(clean ? [] : applied);
    const out: string[] = [];
    for (const target of leaves) {
      if (done.has(target)) continue; // an applied leaf has no same-app child to roll back through
      for (const m of graph.forwardsPlan(target)) {
        if (done.has(m)) continue;
        out.push(m);
        done.add(m);
      }
    }
    return out;
  };

  const conflicts: Record<string, string[]> = {};
  const leafApps = new Map<string, string[]>();
  for (const l of leaves) leafApps.set(keyOf(l)[0], [...(leafApps.get(keyOf(l)[0]) ?? []), keyOf(l)[1]]);
  for (const app of [...leafApps.keys()].sort(pyCompare)) {
    const names = leafApps.get(app)!;
    if (names.length > 1) conflicts[app] = [...names].sort(pyCompare).map((n) => `${app}.${n}`);
  }

  // check_consistent_history(): an applied migration whose dependency is not applied.
  let inconsistent: string | null = null;
  if (opts.hasTable) {
    outer: for (const key of recorded) {
      const node = graph.nodes.get(key);
      if (!node) continue;
      for (const parent of sortedIds(node.parents)) {
        if (recorded.has(parent)) continue;
        const squash = byId.get(parent);
        if (squash?.replaces.length && squash.replaces.every((r) => recorded.has(id(r)))) continue;
        inconsistent = `Migration ${key} is applied before its dependency ${parent} on database 'default'.`;
        break outer;
      }
    }
  }

  const records = new Map<string, HistoryRow>();
  for (const r of rows) records.set(id([r.app, r.name]), r);
  const replaced = new Set(disk.flatMap((m) => m.replaces.map(id)));
  const migrations: HelperMigration[] = ordered.map((m) => {
    const key = id([m.app, m.name]);
    const node = graph.nodes.get(key);
    // The helper sorts the "app.name" strings.
    const parents = (node ? [...node.parents] : m.dependencies.filter((d) => d[1] !== '__first__' && d[1] !== '__latest__').map(id)).sort(pyCompare);
    const record = records.get(key);
    return {
      id: key,
      app: m.app,
      name: m.name,
      file: m.file,
      in_graph: node !== undefined,
      parents,
      replaces: m.replaces.map(id),
      is_merge: parents.filter((p) => keyOf(p)[0] === m.app).length > 1,
      atomic: m.atomic ?? true,
      initial: false,
      operations: [],
      reversible: true,
      irreversible_reasons: [],
      recorded: record !== undefined,
      record_id: record?.id ?? null,
      applied_at: record?.applied ?? null,
      applied: applied.has(key),
    };
  });
  return {
    database: { can_rollback_ddl: true }, // PostgreSQL and SQLite both roll back DDL
    migrations,
    recorded: rows.map((r) => ({ ...r })),
    unknown_recorded: [...records.keys()].filter((k) => !byId.has(k) && !replaced.has(k)),
    conflicts,
    plan: plan(false),
    full_plan: plan(true),
    inconsistent,
  };
}
