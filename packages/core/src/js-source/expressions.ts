// Expressions of a configuration file, evaluated without running anything: literals, objects,
// arrays, spreads, `? :`, string concatenation, path.join/resolve/dirname, fileURLToPath,
// import.meta.url, __dirname, process.env.X (opaque), `new DataSource({...})`. Every call to code it
// does not model, and every assignment, makes the identifiers involved "not read" — so a binding
// used there counts as possibly changed (see Reader.verify in module.ts).
// Shared by the Knex and TypeORM adapters (import from @metamig/core/js-source).
import { basename, dirname, extname, join, normalize, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { OPEN, StaticSyntaxError, type Token } from './tokenize.js';
import { readClass } from './classes.js';
import { type Binding, type Entry, type Value, cond, depsOf, member, moduleValue, opaque, str, tag, truthy } from './values.js';

export interface ModuleContext {
  /** Absolute, real path of the file (what __filename / import.meta.url are). */
  file: string;
  /** The working directory the tool runs in (path.resolve, process.cwd()). */
  cwd: string;
  /** How the tool loads it: CommonJS, an ES module, or TypeScript compiled to CommonJS. */
  module: 'cjs' | 'esm' | 'ts';
  typescript: boolean;
}

/** State shared by the readers of one file (and of its template substitutions). */
export interface Shared {
  ctx: ModuleContext;
  bindings: Map<string, Binding>;
  /** Identifier tokens (by offset) evaluated as pure reads of a binding. */
  reads: Map<number, Binding>;
  /** Offset where the current top-level statement starts (temporal dead zone). */
  statementStart: number;
}

const BINARY: Record<string, number> = {
  '??': 1, '||': 2, '&&': 3, '|': 4, '^': 5, '&': 6, '==': 7, '!=': 7, '===': 7, '!==': 7,
  '<': 8, '>': 8, '<=': 8, '>=': 8, instanceof: 8, in: 8, as: 8, satisfies: 8, '<<': 9, '>>': 9, '>>>': 9, '+': 10, '-': 10, '*': 11, '/': 11, '%': 11, '**': 12,
};
const ASSIGN = new Set(['=', '+=', '-=', '*=', '/=', '%=', '**=', '<<=', '>>=', '>>>=', '&=', '|=', '^=', '&&=', '||=', '??=']);
const TYPE_STOP = new Set([',', ';', ')', ']', '}', '=', '?', ':', '||', '&&', '??', '+', '-', '*', '/', '%', '==', '===', '!=', '!==', 'as', 'satisfies', 'in', 'instanceof', ...ASSIGN]);

export class Expressions {
  pos = 0;
  /** Decorators were just read: they apply to the next class. */
  decorators = false;
  constructor(
    readonly tokens: Token[],
    readonly shared: Shared,
  ) {}

  // ---- token helpers ------------------------------------------------------------------------------
  peek(o = 0): Token | undefined {
    return this.tokens[this.pos + o];
  }
  is(value: string, o = 0): boolean {
    const t = this.peek(o);
    return t !== undefined && (t.type === 'punct' || t.type === 'name') && t.value === value;
  }
  next(): Token {
    const t = this.tokens[this.pos++];
    if (!t) throw new StaticSyntaxError('unexpected end of file');
    return t;
  }
  expect(value: string): Token {
    const t = this.next();
    if (t.value !== value || (t.type !== 'punct' && t.type !== 'name')) throw new StaticSyntaxError(`expected "${value}" at offset ${t.start}, found "${t.value}"`);
    return t;
  }
  get done(): boolean {
    return this.pos >= this.tokens.length;
  }
  /** Skip a bracketed group starting at the current `(`, `[` or `{`. */
  skipGroup(): void {
    const open = this.next();
    const close = OPEN[open.value];
    if (!close) throw new StaticSyntaxError(`expected a bracket at offset ${open.start}`);
    let depth = 1;
    while (depth > 0) {
      const t = this.next();
      if (t.type !== 'punct') continue;
      if (OPEN[t.value]) depth++;
      else if (t.value === ')' || t.value === ']' || t.value === '}') depth--;
    }
  }
  /** Forget the reads between token index `from` and here: that code may change what it names. */
  unread(from: number): void {
    const a = this.tokens[from]?.start ?? Infinity;
    const b = this.tokens[this.pos - 1]?.end ?? -Infinity;
    for (const k of [...this.shared.reads.keys()]) if (k >= a && k < b) this.shared.reads.delete(k);
  }
  /** A TypeScript type (after `as`, `satisfies`, `:`), skipped. */
  skipType(stop: Set<string> = TYPE_STOP): void {
    let angle = 0;
    const first = this.pos;
    while (!this.done) {
      const t = this.peek()!;
      if (this.pos > first && t.nlBefore && angle === 0 && !['|', '&', '.', '=>', '>'].includes(t.value)) return;
      if (angle === 0 && (t.type === 'punct' || t.type === 'name') && stop.has(t.value) && (this.pos > first || t.value !== '{')) return;
      if (t.type === 'punct' && OPEN[t.value]) {
        this.skipGroup();
        continue;
      }
      if (t.value === '<') angle++;
      else if (t.type === 'punct' && /^>+$/.test(t.value)) {
        if (angle - t.value.length < 0) return;
        angle -= t.value.length;
      } else if (t.type === 'punct' && t.value === '>=') return;
      this.pos++;
    }
  }

  // ---- expressions --------------------------------------------------------------------------------
  expression(): Value {
    let v = this.assignment();
    while (this.is(',')) {
      this.pos++;
      v = this.assignment();
    }
    return v;
  }

  private arrowAhead(): boolean {
    const t = this.peek();
    if (!t) return false;
    if (t.type === 'name' && this.is('=>', 1) && !this.peek(1)!.nlBefore) return true;
    if (t.type === 'name' && t.value === 'async' && !this.peek(1)?.nlBefore) {
      if (this.peek(1)?.type === 'name' && this.is('=>', 2)) return true;
      if (this.is('(', 1)) return this.arrowAfterParens(1);
    }
    return this.is('(') && this.arrowAfterParens(0);
  }
  private arrowAfterParens(o: number): boolean {
    const save = this.pos;
    this.pos += o;
    this.skipGroup();
    const arrow = this.is('=>');
    this.pos = save;
    return arrow;
  }

  assignment(): Value {
    const start = this.pos;
    if (this.arrowAhead()) {
      if (this.is('async')) this.pos++;
      if (this.is('(')) this.skipGroup();
      else this.pos++;
      this.expect('=>');
      if (this.is('{')) this.skipGroup();
      else this.assignment();
      this.unread(start);
      return { k: 'fn', kind: 'arrow', name: undefined };
    }
    const left = this.conditional();
    const op = this.peek();
    if (op?.type === 'punct' && ASSIGN.has(op.value)) {
      this.pos++;
      this.assignment();
      this.unread(start);
      return opaque('an assignment');
    }
    return left;
  }

  private conditional(): Value {
    const test = this.binary(0);
    if (!this.is('?')) return test;
    this.pos++;
    const a = this.assignment();
    this.expect(':');
    const b = this.assignment();
    const known = truthy(test);
    if (known === undefined) return cond([a, b], test.deps);
    return tag(known ? a : b, test.deps);
  }

  private binary(min: number): Value {
    let left = this.unary();
    for (;;) {
      const t = this.peek();
      if (!t || (t.type !== 'punct' && t.type !== 'name')) return left;
      const prec = BINARY[t.value];
      if (prec === undefined || prec < min) return left;
      if (t.type === 'name' && (t.value === 'as' || t.value === 'satisfies')) {
        if (!this.shared.ctx.typescript || t.nlBefore) return left;
        this.pos++;
        if (this.is('const')) this.pos++;
        else this.skipType();
        continue;
      }
      this.pos++;
      const right = this.binary(t.value === '**' ? prec : prec + 1);
      left = combine(t.value, left, right);
    }
  }

  private unary(): Value {
    const t = this.peek();
    if (t && (t.type === 'punct' || t.type === 'name') && ['!', '-', '+', '~', 'typeof', 'void', 'delete', 'await', '++', '--'].includes(t.value)) {
      const start = this.pos++;
      const v = this.unary();
      if (['delete', '++', '--', 'await'].includes(t.value)) this.unread(start);
      if (t.value === 'void') return tag({ k: 'undef' }, v.deps);
      if (t.value === '!') {
        const b = truthy(v);
        return b === undefined ? opaque('a negation', true) : tag({ k: 'bool', v: !b }, v.deps);
      }
      if (t.value === '-' && v.k === 'num') return tag({ k: 'num', v: -v.v }, v.deps);
      return opaque(`${t.value} …`, t.value !== 'await');
    }
    if (t?.type === 'punct' && t.value === '<' && this.shared.ctx.typescript) throw new StaticSyntaxError('a TypeScript <Type> cast');
    const start = this.pos;
    return this.postfix(this.primary(), start);
  }

  /** Member accesses, calls … after a primary expression that started at token index `start`. */
  postfix(v: Value, start: number, noCall = false): Value {
    for (;;) {
      const t = this.peek();
      if (!t) return v;
      if (t.type === 'punct' && (t.value === '.' || t.value === '?.')) {
        this.pos++;
        if (t.value === '?.' && (this.is('(') || this.is('['))) continue;
        const name = this.next();
        if (name.type !== 'name' && name.type !== 'private') throw new StaticSyntaxError(`expected a property name at offset ${name.start}`);
        v = member(v, name.value);
      } else if (t.type === 'punct' && t.value === '[') {
        this.pos++;
        const key = this.expression();
        this.expect(']');
        v = key.k === 'str' || key.k === 'num' ? tag(member(v, String(key.v)), key.deps) : opaque('a computed property');
      } else if (t.type === 'punct' && t.value === '(' && !noCall) {
        const args = this.args();
        v = this.call(v, args, start);
      } else if (t.type === 'template') {
        this.pos++;
        this.unread(start);
        v = opaque('a tagged template');
      } else if (t.type === 'punct' && t.value === '!' && this.shared.ctx.typescript && !t.nlBefore) {
        this.pos++; // TypeScript non-null assertion
      } else if (t.type === 'punct' && (t.value === '++' || t.value === '--') && !t.nlBefore) {
        this.pos++;
        this.unread(start);
        v = opaque('an increment', true);
      } else {
        return v;
      }
    }
  }

  private args(): Value[] {
    this.expect('(');
    const out: Value[] = [];
    while (!this.is(')')) {
      if (this.is('...')) {
        this.pos++;
        const s = this.assignment();
        if (s.k === 'arr') out.push(...s.items.map((i) => tag(i, s.deps)));
        else out.push(opaque('a spread argument'));
      } else out.push(this.assignment());
      if (!this.is(')')) this.expect(',');
    }
    this.pos++;
    return out;
  }

  private call(callee: Value, args: Value[], start: number): Value {
    const deps = depsOf(callee, ...args);
    const strings = args.every((a) => a.k === 'str') ? args.map((a) => (a as { v: string }).v) : undefined;
    if (callee.k === 'builtin') {
      const { cwd } = this.shared.ctx;
      const pathFn: Record<string, (s: string[]) => string | undefined> = {
        'path.join': (s) => join(...s),
        'path.resolve': (s) => resolve(cwd, ...s),
        'path.dirname': (s) => (s.length ? dirname(s[0]!) : undefined),
        'path.basename': (s) => (s.length ? basename(s[0]!, s[1]) : undefined),
        'path.extname': (s) => (s.length ? extname(s[0]!) : undefined),
        'path.normalize': (s) => (s.length ? normalize(s[0]!) : undefined),
        'url.fileURLToPath': (s) => (s.length === 1 ? fileURLToPath(s[0]!) : undefined),
        'process.cwd': (s) => (s.length === 0 ? cwd : undefined),
      };
      const fn = pathFn[callee.id];
      if (fn && strings) {
        const out = fn(strings);
        if (out !== undefined) return tag(str(out), deps);
      }
      if (callee.id === 'require' && strings?.length === 1) return moduleValue(strings[0]!);
    }
    this.unread(start);
    return opaque('a call to code');
  }

  primary(): Value {
    const at = this.pos;
    const t = this.next();
    const { ctx } = this.shared;
    switch (t.type) {
      case 'string':
        return str(t.value);
      case 'number': {
        if (t.value.endsWith('n')) return opaque('a bigint', true);
        const n = Number(t.value.replace(/_/g, ''));
        return Number.isNaN(n) ? opaque('a number', true) : { k: 'num', v: n };
      }
      case 'regex':
        return opaque('a regular expression');
      case 'private':
        throw new StaticSyntaxError(`unexpected ${t.value}`);
      case 'template': {
        const values = (t.exprs ?? []).map((e) => {
          const sub = new Expressions(e, this.shared);
          const v = sub.expression();
          if (!sub.done) throw new StaticSyntaxError(`unexpected tokens in a template at offset ${t.start}`);
          return v;
        });
        const parts = t.parts ?? [];
        if (parts.some((p) => p === undefined) || values.some((v) => v.k !== 'str' && v.k !== 'num')) return tag(opaque('a template', true), depsOf(...values));
        return tag(str(parts.map((p, i) => p! + (i < values.length ? String((values[i] as { v: unknown }).v) : '')).join('')), depsOf(...values));
      }
      case 'punct':
        if (t.value === '(') {
          const v = this.expression();
          this.expect(')');
          return v;
        }
        if (t.value === '[') return this.array();
        if (t.value === '{') return this.object();
        throw new StaticSyntaxError(`unexpected "${t.value}" at offset ${t.start}`);
      case 'name':
        break;
    }
    switch (t.value) {
      case 'true':
      case 'false':
        return { k: 'bool', v: t.value === 'true' };
      case 'null':
        return { k: 'null' };
      case 'this':
      case 'super':
        return opaque(t.value);
      case 'function':
      case 'async':
        if (t.value === 'async' && !this.is('function')) break;
        this.pos--;
        return this.functionValue();
      case 'class':
        this.pos--;
        return this.classValue();
      case 'new':
        return this.newExpression(this.pos - 1);
      case 'import':
        if (this.is('.')) {
          this.pos++;
          const meta = this.next();
          if (meta.value !== 'meta' || ctx.module !== 'esm') throw new StaticSyntaxError('import.meta outside an ES module');
          return this.importMeta();
        }
        this.args();
        this.unread(at);
        return opaque('a dynamic import');
    }
    return this.identifier(t);
  }

  private importMeta(): Value {
    const { file } = this.shared.ctx;
    if (!this.is('.')) return opaque('import.meta');
    const prop = this.peek(1)?.value;
    const known: Record<string, string> = { url: pathToFileURL(file).href, dirname: dirname(file), filename: file };
    if (prop && prop in known) {
      this.pos += 2;
      return str(known[prop]!);
    }
    return opaque('import.meta');
  }

  identifier(t: Token): Value {
    const { ctx, bindings, reads, statementStart } = this.shared;
    const b = bindings.get(t.value);
    if (b) {
      if (b.declStart > statementStart && b.kind !== 'function') return opaque(`${t.value} before its declaration`);
      reads.set(t.start, b);
      return tag(b.value, [b]);
    }
    const cjs = ctx.module !== 'esm';
    switch (t.value) {
      case 'undefined':
        return { k: 'undef' };
      case 'NaN':
      case 'Infinity':
        return { k: 'num', v: Number(t.value) };
      case '__dirname':
        return cjs ? str(dirname(ctx.file)) : opaque('__dirname in an ES module (a ReferenceError)');
      case '__filename':
        return cjs ? str(ctx.file) : opaque('__filename in an ES module (a ReferenceError)');
      case 'require':
        return cjs ? { k: 'builtin', id: 'require' } : opaque('require in an ES module');
      case 'process':
        return { k: 'builtin', id: 'process' };
    }
    return opaque(`the global ${t.value}`);
  }

  private array(): Value {
    const items: Value[] = [];
    let unknown = false;
    while (!this.is(']')) {
      if (this.is(',')) {
        this.pos++;
        items.push({ k: 'undef' });
        continue;
      }
      if (this.is('...')) {
        this.pos++;
        const s = this.assignment();
        if (s.k === 'arr') items.push(...s.items.map((i) => tag(i, s.deps)));
        else if (s.k === 'str') items.push(...[...s.v].map((c) => tag(str(c), s.deps)));
        else unknown = true;
      } else items.push(this.assignment());
      if (!this.is(']')) this.expect(',');
    }
    this.pos++;
    return unknown ? tag(opaque('an array with an unknown spread'), depsOf(...items)) : { k: 'arr', items };
  }

  propertyKey(): string | Value {
    const t = this.next();
    if (t.type === 'name' || t.type === 'string' || t.type === 'private') return t.value;
    if (t.type === 'number') return String(Number(t.value.replace(/_/g, '')));
    if (t.type === 'punct' && t.value === '[') {
      const k = this.assignment();
      this.expect(']');
      return k.k === 'str' ? k.v : k.k === 'num' ? String(k.v) : k;
    }
    throw new StaticSyntaxError(`unexpected "${t.value}" as a property name at offset ${t.start}`);
  }

  private object(): Value {
    const entries: Entry[] = [];
    while (!this.is('}')) {
      const start = this.pos;
      if (this.is('...')) {
        this.pos++;
        const s = this.assignment();
        if (s.k === 'obj') entries.push(...s.entries.map((e) => ('unknown' in e ? { unknown: tag(e.unknown, s.deps) } : { key: e.key, value: tag(e.value, s.deps) })));
        else if (s.k !== 'undef' && s.k !== 'null') entries.push({ unknown: s });
      } else {
        let kind: 'get' | 'set' | undefined;
        const mod = this.peek();
        const isModifier = mod?.type === 'name' && ['get', 'set', 'async'].includes(mod.value) && !this.is(',', 1) && !this.is(':', 1) && !this.is('(', 1) && !this.is('}', 1);
        if (isModifier) {
          if (mod.value !== 'async') kind = mod.value as 'get' | 'set';
          this.pos++;
        }
        if (this.is('*')) this.pos++;
        const keyToken = this.peek()!;
        const key = this.propertyKey();
        if (this.is('(') || this.is('<')) {
          if (this.is('<')) this.skipType(new Set(['(']));
          this.skipGroup();
          if (this.is(':')) {
            this.pos++;
            this.skipType(new Set(['{']));
          }
          this.skipGroup();
          this.unread(start);
          const value: Value = kind ? opaque(`a ${kind}ter`) : { k: 'fn', kind: 'method', name: typeof key === 'string' ? key : undefined };
          entries.push(typeof key === 'string' ? { key, value } : { unknown: value });
        } else if (this.is(':')) {
          this.pos++;
          const value = this.assignment();
          entries.push(typeof key === 'string' ? { key, value } : { unknown: tag(value, key.deps) });
        } else if (typeof key === 'string' && keyToken.type === 'name' && (this.is(',') || this.is('}'))) {
          entries.push({ key, value: this.identifier(keyToken) });
        } else {
          throw new StaticSyntaxError(`unexpected token in an object at offset ${this.peek()?.start ?? -1}`);
        }
      }
      if (!this.is('}')) this.expect(',');
    }
    this.pos++;
    return { k: 'obj', entries };
  }

  private newExpression(start: number): Value {
    if (this.is('.')) {
      this.pos += 2; // new.target
      return opaque('new.target');
    }
    const calleeStart = this.pos;
    const ctor = this.postfix(this.primary(), calleeStart, true);
    const args = this.is('(') ? this.args() : [];
    if (ctor.k === 'builtin' && ctor.id === 'typeorm.DataSource') return tag({ k: 'new', ctor: ctor.id, args }, depsOf(ctor));
    this.unread(start);
    return opaque('an object built by code');
  }

  /** `function [name](…) {…}` (also async and generators): its body is not evaluated. */
  functionValue(): Value {
    const start = this.pos;
    if (this.is('async')) this.pos++;
    this.expect('function');
    if (this.is('*')) this.pos++;
    const name = this.peek()?.type === 'name' && !this.is('(') ? this.next().value : undefined;
    if (this.is('<')) this.skipType(new Set(['(']));
    this.skipGroup();
    if (this.is(':')) {
      this.pos++;
      this.skipType(new Set(['{', ';']));
    }
    if (this.is('{')) this.skipGroup(); // else an overload signature
    this.unread(start);
    return { k: 'fn', kind: 'function', name };
  }

  /** `class [name] [extends …] {…}`: its members, as far as the reader can tell (classes.ts). */
  classValue(): Value {
    return readClass(this);
  }
}

function combine(op: string, a: Value, b: Value): Value {
  const deps = depsOf(a, b);
  if (op === '+' && (a.k === 'str' || a.k === 'num') && (b.k === 'str' || b.k === 'num')) {
    return tag(a.k === 'num' && b.k === 'num' ? { k: 'num', v: a.v + b.v } : str(String(a.v) + String(b.v)), deps);
  }
  if (op === '||' || op === '&&' || op === '??') {
    const t = op === '??' ? (a.k === 'null' || a.k === 'undef' ? false : ['opaque', 'cond'].includes(a.k) ? undefined : true) : truthy(a);
    if (t === undefined) return tag(opaque(`${op} on something unknown`, isPrim(a) && isPrim(b)), deps);
    const pickRight = op === '&&' ? t : !t;
    return tag(pickRight ? b : a, deps);
  }
  return tag(opaque(`the operator ${op}`, true), deps);
}

const isPrim = (v: Value) => v.k === 'str' || v.k === 'num' || v.k === 'bool' || v.k === 'null' || v.k === 'undef' || (v.k === 'opaque' && v.notObject === true);
