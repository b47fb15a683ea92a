// The values the static reader computes for a configuration file's expressions. Anything it cannot
// know without running the code is `opaque`; a `cond` is "one of these, decided when it runs" (a
// `? :` on an environment variable). Every value remembers the top-level bindings it was read
// through (`deps`), so the reader can check afterwards that nothing else in the file changes them.
// Shared by the Knex and TypeORM adapters (import from @metamig/core/js-source).

export interface Binding {
  name: string;
  kind: 'const' | 'let' | 'var' | 'import' | 'function' | 'class' | 'enum';
  /** Offset of the declaring identifier. */
  declStart: number;
  value: Value;
}

interface Base {
  deps?: Binding[];
}
export type Entry = { key: string; value: Value } | { unknown: Value };
export interface ClassMember {
  /** undefined: a computed key this reader did not resolve. */
  key: string | undefined;
  isStatic: boolean;
  kind: 'field' | 'method' | 'get' | 'set';
  /** Fields: the initializer's value; undefined when there is none. */
  init?: Value;
}
export interface ClassInfo {
  /** The class's own name (`constructor.name`); undefined for an anonymous class. */
  name: string | undefined;
  heritage: boolean;
  decorated: boolean;
  staticBlock: boolean;
  members: ClassMember[];
  /** The constructor: whether it takes parameters, `this.<key> = <value>` statements, anything else. */
  ctor?: { params: boolean; assigns: Map<string, Value>; other: boolean };
}

export type Value = Base &
  (
    | { k: 'str'; v: string }
    | { k: 'num'; v: number }
    | { k: 'bool'; v: boolean }
    | { k: 'null' }
    | { k: 'undef' }
    | { k: 'arr'; items: Value[] }
    | { k: 'obj'; entries: Entry[] }
    | { k: 'cond'; options: Value[] }
    | { k: 'fn'; kind: 'class' | 'function' | 'arrow' | 'method'; name: string | undefined; cls?: ClassInfo }
    | { k: 'new'; ctor: string; args: Value[] }
    /** A module namespace or function the reader knows: 'module:path', 'path.join', 'process.env' … */
    | { k: 'builtin'; id: string }
    /** `notObject`: surely a primitive or undefined (e.g. an environment variable). */
    | { k: 'opaque'; why: string; notObject?: boolean }
  );

export const opaque = (why: string, notObject = false): Value => (notObject ? { k: 'opaque', why, notObject } : { k: 'opaque', why });
export const str = (v: string): Value => ({ k: 'str', v });

function union(a: Binding[] | undefined, b: Binding[] | undefined): Binding[] | undefined {
  if (!b?.length) return a;
  if (!a?.length) return b;
  const out = [...a];
  for (const x of b) if (!out.includes(x)) out.push(x);
  return out;
}

/** The value, also depending on `deps` (read through a binding, or out of a container). */
export function tag<T extends Value>(v: T, ...deps: (Binding[] | undefined)[]): T {
  let d = v.deps;
  for (const x of deps) d = union(d, x);
  return d === v.deps ? v : { ...v, deps: d };
}

export const depsOf = (...values: Value[]): Binding[] | undefined => values.reduce<Binding[] | undefined>((d, v) => union(d, v.deps), undefined);

/** Surely not an object when it runs (so `typeof x === 'object'` is false). */
export function isPrimitive(v: Value): boolean {
  if (v.k === 'opaque') return v.notObject === true;
  if (v.k === 'cond') return v.options.every(isPrimitive);
  return ['str', 'num', 'bool', 'null', 'undef'].includes(v.k);
}

/** Truthiness when known. */
export function truthy(v: Value): boolean | undefined {
  switch (v.k) {
    case 'str':
      return v.v !== '';
    case 'num':
      return v.v !== 0 && !Number.isNaN(v.v);
    case 'bool':
      return v.v;
    case 'null':
    case 'undef':
      return false;
    case 'arr':
    case 'obj':
    case 'fn':
    case 'new':
    case 'builtin':
      return true;
    default:
      return undefined;
  }
}

/** The concrete possibilities of a value (a `cond` flattened), each carrying the cond's deps. */
export function alternatives(v: Value): Value[] {
  if (v.k !== 'cond') return [v];
  return v.options.flatMap((o) => alternatives(tag(o, v.deps)));
}

export function cond(options: Value[], deps?: Binding[]): Value {
  const flat = options.flatMap((o) => (o.k === 'cond' ? alternatives(o) : [o]));
  return flat.length === 1 ? tag(flat[0]!, deps) : { k: 'cond', options: flat, ...(deps ? { deps } : {}) };
}

/** Whether an object has `key` (even set to undefined); undefined when the reader cannot tell. */
export function hasKey(v: Value, key: string): boolean | undefined {
  if (v.k !== 'obj') return undefined;
  for (let i = v.entries.length - 1; i >= 0; i--) {
    const e = v.entries[i]!;
    if ('unknown' in e) return undefined;
    if (e.key === key) return true;
  }
  return false;
}

/** `v[key]` as far as the reader knows. */
export function member(v: Value, key: string): Value {
  switch (v.k) {
    case 'obj': {
      for (let i = v.entries.length - 1; i >= 0; i--) {
        const e = v.entries[i]!;
        if ('unknown' in e) return tag(opaque(`an unknown part of an object (${key})`), v.deps, e.unknown.deps);
        if (e.key === key) return tag(e.value, v.deps);
      }
      return tag({ k: 'undef' }, v.deps);
    }
    case 'arr':
      if (key === 'length') return tag({ k: 'num', v: v.items.length }, v.deps);
      if (/^(0|[1-9]\d*)$/.test(key)) return tag(v.items[Number(key)] ?? { k: 'undef' }, v.deps);
      return tag(opaque(`array .${key}`), v.deps);
    case 'str':
      return key === 'length' ? tag({ k: 'num', v: v.v.length }, v.deps) : tag(opaque(`string .${key}`), v.deps);
    case 'cond':
      return cond(v.options.map((o) => member(o, key)), v.deps);
    case 'builtin':
      return tag(builtinMember(v.id, key), v.deps);
    default:
      return tag(opaque(`.${key} of something unknown`), v.deps);
  }
}

const PATH_FUNCTIONS = new Set(['join', 'resolve', 'dirname', 'basename', 'normalize', 'extname']);

function builtinMember(id: string, key: string): Value {
  if (id === 'module:path') {
    if (PATH_FUNCTIONS.has(key)) return { k: 'builtin', id: `path.${key}` };
    if (key === 'posix' || key === 'default') return { k: 'builtin', id: 'module:path' };
    if (key === 'sep') return str('/');
  }
  if (id === 'module:url' && (key === 'fileURLToPath' || key === 'default')) return { k: 'builtin', id: key === 'default' ? id : 'url.fileURLToPath' };
  if (id === 'module:typeorm' && key === 'DataSource') return { k: 'builtin', id: 'typeorm.DataSource' };
  if ((id === 'process' || id === 'module:process') && key === 'env') return { k: 'builtin', id: 'process.env' };
  if ((id === 'process' || id === 'module:process') && key === 'cwd') return { k: 'builtin', id: 'process.cwd' };
  if (id === 'process.env') return opaque(`the environment variable ${key}`, true);
  return opaque(`${id.replace(/^module:/, '')}.${key}`);
}

/** What `require('<spec>')` / `import … from '<spec>'` gives, for the modules the reader knows. */
export function moduleValue(spec: string): Value {
  const bare = spec.replace(/^node:/, '');
  if (bare === 'path' || bare === 'path/posix') return { k: 'builtin', id: 'module:path' };
  if (bare === 'url') return { k: 'builtin', id: 'module:url' };
  if (bare === 'process') return { k: 'builtin', id: 'module:process' };
  if (spec === 'typeorm') return { k: 'builtin', id: 'module:typeorm' };
  return opaque(`the module ${spec}`);
}

/** Structural equality of what two values evaluate to (deps ignored). */
export function sameValue(a: Value, b: Value): boolean {
  const strip = (v: Value): unknown => {
    const { deps: _deps, ...rest } = v;
    if (rest.k === 'arr') return { k: 'arr', items: rest.items.map(strip) };
    if (rest.k === 'obj') return { k: 'obj', entries: rest.entries.map((e) => ('unknown' in e ? { unknown: true } : { key: e.key, value: strip(e.value) })) };
    if (rest.k === 'cond') return { k: 'cond', options: rest.options.map(strip) };
    if (rest.k === 'new') return { k: 'new', ctor: rest.ctor, args: rest.args.map(strip) };
    if (rest.k === 'opaque' || rest.k === 'fn') return { k: rest.k, id: Math.random() }; // never equal
    return rest;
  };
  return JSON.stringify(strip(a)) === JSON.stringify(strip(b));
}
