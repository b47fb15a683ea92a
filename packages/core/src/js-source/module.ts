// Reading a whole configuration module without running it: its top-level declarations, imports and
// exports (CommonJS `module.exports`/`exports.x`, ES `export`, TypeScript compiled to CommonJS), then
// `verify`: the values a caller relied on must not depend on a binding that anything else in the
// file could change (another assignment, a call, a function body mentioning it …). Statements the
// reader does not understand are skipped; what they mention then counts as "possibly changed".
// Shared by the Knex and TypeORM adapters (import from @metamig/core/js-source).
import type { ModuleContext, Shared } from './expressions.js';
import { Statements } from './statements.js';
import { StaticSyntaxError, type Token, tokenize } from './tokenize.js';
import { type Entry, type Value, depsOf, member, moduleValue, opaque, tag } from './values.js';

export type { ModuleContext } from './expressions.js';

export interface ModuleReading {
  /** What loading the file gives: module.exports (CommonJS, TypeScript) or the namespace (ES module). */
  exports: Value;
  /** undefined when nothing in the file can change what `used` was computed from; else why not. */
  verify(used: Value[]): string | undefined;
}

const IMMUTABLE = new Set(['str', 'num', 'bool', 'null', 'undef', 'builtin']);

class ModuleReader extends Statements {
  private cjsOriginal: Entry[] = [];
  private cjsReplaced: Value | undefined;
  private cjsSyntax = false;
  private esm: Entry[] = [];
  private esmSyntax = false;
  private pending: { key: string; local: Token }[] = [];
  private exportsProblem: string | undefined;
  /** Offsets of the `module` / `exports` tokens the reader understood. */
  readonly exportTokens = new Set<number>();

  protected importDeclaration(): void {
    this.pos++;
    if (this.is('type') && !this.is(',', 1) && !this.is('from', 1)) return this.skipStatement();
    if (this.peek()?.type === 'string') {
      this.pos++;
      if (this.is('with') || this.is('assert')) {
        this.pos++;
        this.skipGroup();
      }
      return this.semicolon();
    }
    const specs: { local: Token; imported: string }[] = [];
    if (this.peek()?.type === 'name' && !this.is('{')) {
      const local = this.next();
      if (this.is('=')) {
        // TypeScript `import x = require('y')`
        this.pos++;
        this.define(local, 'import', this.assignment());
        return this.semicolon();
      }
      specs.push({ local, imported: 'default' });
      if (this.is(',')) this.pos++;
    }
    if (this.is('*')) {
      this.pos++;
      this.expect('as');
      specs.push({ local: this.next(), imported: '*' });
    } else if (this.is('{')) {
      this.pos++;
      while (!this.is('}')) {
        const typeOnly = this.is('type') && !this.is(',', 1) && !this.is('}', 1) && !this.is('as', 1);
        if (typeOnly) this.pos++;
        const imported = this.next();
        const local = this.is('as') ? (this.pos++, this.next()) : imported;
        if (!typeOnly) specs.push({ local, imported: imported.value });
        if (!this.is('}')) this.expect(',');
      }
      this.pos++;
    }
    this.expect('from');
    const spec = this.next();
    if (spec.type !== 'string') throw new StaticSyntaxError(`expected a module name at offset ${spec.start}`);
    if (this.is('with') || this.is('assert')) {
      this.pos++;
      this.skipGroup();
    }
    this.semicolon();
    const mod = moduleValue(spec.value);
    for (const s of specs) this.define(s.local, 'import', s.imported === '*' ? mod : member(mod, s.imported));
  }

  protected exportDeclaration(): void {
    this.pos++;
    const ts = this.shared.ctx.typescript;
    if (this.is('default')) {
      this.esmSyntax = true;
      this.pos++;
      if (this.is('class') || this.is('function') || (this.is('async') && this.is('function', 1)) || (ts && this.is('abstract') && this.is('class', 1))) {
        if (this.is('abstract')) this.pos++;
        const [, v] = this.declareFunctionOrClass(this.is('class') ? 'class' : 'function');
        this.esm.push({ key: 'default', value: v.k === 'fn' && v.kind === 'class' && !v.name && v.cls ? { ...v, name: 'default', cls: { ...v.cls, name: 'default' } } : v });
        return;
      }
      this.esm.push({ key: 'default', value: this.assignment() });
      return this.semicolon();
    }
    if (this.is('=') && ts) {
      this.pos++;
      this.cjsSyntax = true;
      this.cjsReplaced = this.assignment();
      return this.semicolon();
    }
    if (ts && (this.is('type') || this.is('interface') || this.is('declare') || this.is('as'))) {
      if (this.is('type') && this.is('{', 1)) return this.skipStatement(); // export type { … }
      if (this.is('interface')) {
        while (!this.is('{')) this.pos++;
        return this.skipGroup();
      }
      return this.skipStatement();
    }
    this.esmSyntax = true;
    if (this.is('const') || this.is('let') || this.is('var')) {
      if (ts && this.is('enum', 1)) return this.exportEnum(1);
      for (const name of this.variableDeclaration(this.peek()!.value as 'const')) this.pending.push({ key: name.value, local: name });
      return;
    }
    if (ts && this.is('enum')) return this.exportEnum(0);
    if (this.is('function') || this.is('class') || (this.is('async') && this.is('function', 1)) || (ts && this.is('abstract'))) {
      if (this.is('abstract')) this.pos++;
      const [name] = this.declareFunctionOrClass(this.is('class') ? 'class' : 'function');
      if (name) this.pending.push({ key: name.value, local: name });
      return;
    }
    if (this.is('*')) {
      this.exportsProblem = 'it re-exports another module (export * from …)';
      return this.skipStatement();
    }
    this.expect('{');
    const specs: { key: string; local: Token }[] = [];
    while (!this.is('}')) {
      const typeOnly = ts && this.is('type') && !this.is(',', 1) && !this.is('}', 1) && !this.is('as', 1);
      if (typeOnly) this.pos++;
      const local = this.next();
      const key = this.is('as') ? (this.pos++, this.next().value) : local.value;
      if (!typeOnly) specs.push({ key, local });
      if (!this.is('}')) this.expect(',');
    }
    this.pos++;
    if (this.is('from')) {
      this.exportsProblem = 'it re-exports another module (export { … } from …)';
      return this.skipStatement();
    }
    this.pending.push(...specs);
    this.semicolon();
  }

  private exportEnum(offset: number): void {
    const name = this.peek(offset + 1)!;
    this.enumDeclaration(offset);
    this.pending.push({ key: name.value, local: name });
  }

  /** `module.exports = …` and `module.exports.x = …`. */
  protected moduleExports(): void {
    const moduleToken = this.peek()!;
    if (this.is('=', 3)) {
      this.pos += 4;
      this.cjsSyntax = true;
      this.exportTokens.add(moduleToken.start);
      this.cjsReplaced = this.assignment();
      return this.semicolon();
    }
    if (this.is('.', 3) && this.peek(4)?.type === 'name' && this.is('=', 5)) {
      const key = this.peek(4)!.value;
      this.pos += 6;
      this.cjsSyntax = true;
      this.exportTokens.add(moduleToken.start);
      const value = this.assignment();
      if (this.cjsReplaced !== undefined) this.exportsProblem = 'module.exports is changed after it was assigned';
      else this.cjsOriginal.push({ key, value });
      return this.semicolon();
    }
    this.skipStatement();
  }

  /** `exports.a = …`, and tsc's `exports.a = exports.b = void 0;`. */
  protected namedCjsExports(): void {
    const keys: string[] = [];
    const tokens: Token[] = [];
    while (this.is('exports') && this.is('.', 1) && this.peek(2)?.type === 'name' && this.is('=', 3)) {
      tokens.push(this.peek()!);
      keys.push(this.peek(2)!.value);
      this.pos += 4;
    }
    if (!keys.length) return this.skipStatement();
    for (const t of tokens) this.exportTokens.add(t.start);
    this.cjsSyntax = true;
    const value = this.assignment();
    if (this.cjsReplaced !== undefined) this.exportsProblem = 'exports.x is assigned after module.exports was replaced';
    for (const key of keys) this.cjsOriginal.push({ key, value });
    this.semicolon();
  }

  /** tsc's `Object.defineProperty(exports, "__esModule", { value: true });` (not enumerable: no export). */
  protected esModuleMarker(): boolean {
    const want = ['Object', '.', 'defineProperty', '(', 'exports', ',', '__esModule', ',', '{', 'value', ':', 'true', '}', ')'];
    if (!want.every((w, i) => this.peek(i)?.value === w)) return false;
    this.exportTokens.add(this.peek(4)!.start);
    this.pos += want.length;
    this.semicolon();
    return true;
  }

  exportsValue(): Value {
    const { module } = this.shared.ctx;
    const named: Entry[] = this.pending.map(({ key, local }) => {
      const b = this.shared.bindings.get(local.value);
      if (!b) return { key, value: opaque(`the undeclared ${local.value}`) };
      this.shared.reads.set(local.start, b);
      return { key, value: tag(b.value, [b]) };
    });
    const esm = [...this.esm, ...named];
    if (this.exportsProblem) return opaque(this.exportsProblem);
    if (this.esmSyntax && this.cjsSyntax) return opaque('it mixes ES module exports and CommonJS exports');
    if (module === 'esm') {
      if (this.cjsSyntax) return opaque('it assigns module.exports in an ES module');
      return { k: 'obj', entries: esm.sort((a, b) => (('key' in a ? a.key : '') < ('key' in b ? b.key : '') ? -1 : 1)) };
    }
    if (this.esmSyntax && module === 'cjs') return opaque('it uses export in a CommonJS file');
    if (this.esmSyntax) return { k: 'obj', entries: esm };
    return this.cjsReplaced ?? { k: 'obj', entries: this.cjsOriginal };
  }
}

/** Each token with the one before it (template substitutions included). */
function withPrevious(tokens: Token[], out: [Token, Token | undefined][] = []): [Token, Token | undefined][] {
  tokens.forEach((t, i) => {
    out.push([t, tokens[i - 1]]);
    if (t.type === 'template') for (const e of t.exprs ?? []) withPrevious(e, out);
  });
  return out;
}

const lineOf = (src: string, offset: number) => src.slice(0, offset).split('\n').length;

export function readModule(src: string, ctx: ModuleContext): ModuleReading {
  const tokens = tokenize(src);
  const shared: Shared = { ctx, bindings: new Map(), reads: new Map(), statementStart: 0 };
  const reader = new ModuleReader(tokens, shared);
  reader.program();
  const exports = reader.exportsValue();
  const names = withPrevious(tokens).filter(([t, prev]) => t.type === 'name' && !(prev?.type === 'punct' && (prev.value === '.' || prev.value === '?.')));
  return {
    exports,
    verify(used) {
      const evalToken = names.find(([t]) => t.value === 'eval');
      if (evalToken) return `it calls eval (line ${lineOf(src, evalToken[0].start)})`;
      if (ctx.module !== 'esm') {
        const stray = names.find(([t]) => (t.value === 'module' || t.value === 'exports') && !reader.exportTokens.has(t.start));
        if (stray) return `it uses ${stray[0].value} in a way this reader does not follow (line ${lineOf(src, stray[0].start)})`;
      }
      for (const b of depsOf(...used) ?? []) {
        if (b.kind === 'import' || (b.kind === 'const' && IMMUTABLE.has(b.value.k))) continue;
        const other = names.find(([t]) => t.value === b.name && t.start !== b.declStart && shared.reads.get(t.start) !== b);
        if (other) return `${b.name} (line ${lineOf(src, b.declStart)}) is also used on line ${lineOf(src, other[0].start)}, where code could change it`;
      }
      return undefined;
    },
  };
}
