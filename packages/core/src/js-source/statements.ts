// Top-level statements of a configuration module, read without running them: declarations (const,
// let, var with destructuring, functions, classes, TypeScript enums) are evaluated; control flow and
// other statements are skipped, so what they mention counts as "possibly changed" (module.ts verify).
// Imports and exports are the subclass's (module.ts).
// Shared by the Knex and TypeORM adapters (import from @metamig/core/js-source).
import { Expressions } from './expressions.js';
import { StaticSyntaxError, type Token } from './tokenize.js';
import { type Binding, type Value, member, opaque, tag } from './values.js';

const STATEMENT_WORDS = new Set(['const', 'let', 'var', 'function', 'class', 'if', 'for', 'while', 'do', 'try', 'switch', 'return', 'throw', 'import', 'export', 'module', 'exports', 'interface', 'enum', 'declare', 'abstract', 'type', 'namespace']);
const OPERATOR_WORDS = new Set(['typeof', 'instanceof', 'in', 'of', 'new', 'delete', 'void', 'await', 'yield', 'return', 'throw', 'case', 'else', 'do', 'as', 'satisfies']);

const endsOperand = (t: Token) =>
  t.type === 'number' || t.type === 'string' || t.type === 'template' || t.type === 'regex' || (t.type === 'name' && !OPERATOR_WORDS.has(t.value)) || (t.type === 'punct' && [')', ']', '}', '++', '--'].includes(t.value));
const beginsOperand = (t: Token) => t.type === 'number' || t.type === 'string' || t.type === 'template' || t.type === 'name' || t.type === 'private';

export abstract class Statements extends Expressions {
  protected abstract importDeclaration(): void;
  protected abstract exportDeclaration(): void;
  /** `module.exports …` */
  protected abstract moduleExports(): void;
  /** `exports.x = …` */
  protected abstract namedCjsExports(): void;
  /** tsc's `Object.defineProperty(exports, "__esModule", …)`; false when it is something else. */
  protected abstract esModuleMarker(): boolean;

  program(): void {
    while (!this.done) {
      this.shared.statementStart = this.peek()!.start;
      this.statement();
    }
  }

  protected semicolon(): void {
    if (this.is(';')) this.pos++;
    else if (!this.done && !this.peek()!.nlBefore && !this.is('}')) throw new StaticSyntaxError(`expected the end of a statement at offset ${this.peek()!.start}`);
  }

  private statement(): void {
    const t = this.peek()!;
    if (t.type === 'punct' && t.value === ';') {
      this.pos++;
      return;
    }
    if (t.type === 'punct' && t.value === '@') {
      while (this.is('@')) {
        this.pos++;
        const at = this.pos;
        this.postfix(this.primaryForDecorator(), at);
      }
      this.decorators = true;
      return;
    }
    const ts = this.shared.ctx.typescript;
    const n1 = this.peek(1);
    const sameLineName = n1?.type === 'name' && !n1.nlBefore;
    if (t.type === 'name') {
      switch (t.value) {
        case 'import':
          if (this.is('(', 1) || this.is('.', 1)) break;
          return this.importDeclaration();
        case 'export':
          return this.exportDeclaration();
        case 'const':
          if (ts && this.is('enum', 1)) return this.enumDeclaration(1);
          return void this.variableDeclaration('const');
        case 'let':
        case 'var':
          if (n1 && (n1.type === 'name' || this.is('[', 1) || this.is('{', 1))) return void this.variableDeclaration(t.value);
          break;
        case 'function':
          return void this.declareFunctionOrClass('function');
        case 'async':
          if (this.is('function', 1) && !n1!.nlBefore) return void this.declareFunctionOrClass('function');
          break;
        case 'class':
          return void this.declareFunctionOrClass('class');
        case 'abstract':
          if (ts && this.is('class', 1)) {
            this.pos++;
            return void this.declareFunctionOrClass('class');
          }
          break;
        case 'type':
        case 'declare':
          if (ts && sameLineName) return this.skipStatement();
          break;
        case 'interface':
          if (ts && sameLineName) {
            while (!this.is('{')) this.pos++;
            return this.skipGroup();
          }
          break;
        case 'enum':
          if (ts && sameLineName) return this.enumDeclaration(0);
          break;
        case 'namespace':
        case 'module':
          if (t.value === 'module' && this.is('.', 1) && this.peek(2)?.value === 'exports') return this.moduleExports();
          if (ts && (sameLineName || n1?.type === 'string')) {
            while (!this.is('{')) this.pos++;
            return this.skipGroup();
          }
          break;
        case 'exports':
          if (this.is('.', 1)) return this.namedCjsExports();
          break;
        case 'Object':
          if (this.esModuleMarker()) return;
          break;
      }
    }
    this.skipStatement();
  }

  private primaryForDecorator(): Value {
    const t = this.next();
    return t.type === 'name' ? this.identifier(t) : opaque('a decorator');
  }

  /** Skips one statement of a kind the reader does not evaluate. */
  skipStatement(): void {
    const t = this.peek()!;
    const word = t.type === 'name' ? t.value : undefined;
    if (t.type === 'punct' && t.value === '{') return this.skipGroup();
    if (word && ['if', 'for', 'while', 'with', 'switch'].includes(word)) {
      this.pos++;
      if (this.is('await')) this.pos++;
      this.skipGroup();
      if (word === 'switch') return this.skipGroup();
      this.skipStatement();
      if (word === 'if' && this.is('else')) {
        this.pos++;
        this.skipStatement();
      }
      return;
    }
    if (word === 'do') {
      this.pos++;
      this.skipStatement();
      this.expect('while');
      this.skipGroup();
      if (this.is(';')) this.pos++;
      return;
    }
    if (word === 'try') {
      this.pos++;
      this.skipGroup();
      if (this.is('catch')) {
        this.pos++;
        if (this.is('(')) this.skipGroup();
        this.skipGroup();
      }
      if (this.is('finally')) {
        this.pos++;
        this.skipGroup();
      }
      return;
    }
    if (word === 'function' || (word === 'async' && this.is('function', 1))) return void this.functionValue();
    if (word === 'class') return void this.classValue();
    let prev: Token | undefined;
    while (!this.done) {
      const c = this.peek()!;
      if (prev && c.nlBefore && ((c.type === 'name' && STATEMENT_WORDS.has(c.value) && endsOperand(prev)) || (endsOperand(prev) && beginsOperand(c)))) return;
      if (c.type === 'punct' && c.value === ';') {
        this.pos++;
        return;
      }
      if (c.type === 'punct' && [')', ']', '}'].includes(c.value)) throw new StaticSyntaxError(`unbalanced "${c.value}" at offset ${c.start}`);
      if (c.type === 'punct' && ['(', '[', '{'].includes(c.value)) this.skipGroup();
      else this.pos++;
      prev = this.tokens[this.pos - 1];
    }
  }

  protected define(tok: Token, kind: Binding['kind'], value: Value): Binding {
    const b: Binding = { name: tok.value, kind, declStart: tok.start, value };
    this.shared.bindings.set(tok.value, b);
    return b;
  }

  /** `const a = …, { b, c: d = 1 } = …` — returns the names it binds. */
  protected variableDeclaration(kind: 'const' | 'let' | 'var'): Token[] {
    this.pos++;
    const names: Token[] = [];
    for (;;) {
      this.shared.statementStart = this.peek()!.start;
      if (this.is('{') || this.is('[')) {
        const pattern = this.pos;
        this.skipGroup();
        if (this.is(':')) {
          this.pos++;
          this.skipType(new Set(['=', ',', ';']));
        }
        this.expect('=');
        const init = this.assignment();
        const after = this.pos;
        this.pos = pattern;
        this.bindPattern(init, kind, names);
        this.pos = after;
      } else {
        const name = this.next();
        if (name.type !== 'name') throw new StaticSyntaxError(`expected a name at offset ${name.start}`);
        if (this.is('!')) this.pos++;
        if (this.is(':')) {
          this.pos++;
          this.skipType(new Set(['=', ',', ';']));
        }
        const init = this.is('=') ? (this.pos++, this.assignment()) : ({ k: 'undef' } as Value);
        this.define(name, kind, init);
        names.push(name);
      }
      if (!this.is(',')) break;
      this.pos++;
    }
    this.semicolon();
    return names;
  }

  private withDefault(v: Value): Value {
    if (!this.is('=')) return v;
    this.pos++;
    const d = this.assignment();
    if (v.k === 'undef') return tag(d, v.deps);
    return v.k === 'opaque' || v.k === 'cond' ? opaque('a destructuring default') : v;
  }

  private bindPattern(init: Value, kind: Binding['kind'], names: Token[]): void {
    const open = this.next().value;
    let index = 0;
    while (!this.is(open === '{' ? '}' : ']')) {
      if (this.is(',')) {
        this.pos++;
        index++;
        continue;
      }
      if (this.is('...')) {
        this.pos++;
        if (this.is('{') || this.is('[')) this.bindPattern(opaque('a rest element'), kind, names);
        else names.push(this.defineName(kind, opaque('a rest element')));
      } else if (open === '[') {
        const v = member(init, String(index));
        if (this.is('{') || this.is('[')) this.bindPattern(this.withDefault(v), kind, names);
        else {
          const name = this.next();
          this.define(name, kind, this.withDefault(v));
          names.push(name);
        }
      } else {
        const keyToken = this.peek()!;
        const key = this.propertyKeyText();
        const v = key === undefined ? opaque('a computed key') : member(init, key);
        if (this.is(':')) {
          this.pos++;
          if (this.is('{') || this.is('[')) {
            const at = this.pos;
            this.skipGroup();
            const d = this.is('=');
            this.pos = at;
            this.bindPattern(d ? opaque('a destructuring default') : v, kind, names);
            if (d) {
              this.pos++;
              this.assignment();
            }
          } else {
            const name = this.next();
            this.define(name, kind, this.withDefault(v));
            names.push(name);
          }
        } else {
          this.define(keyToken, kind, this.withDefault(v));
          names.push(keyToken);
        }
      }
      index++;
      if (!this.is('}') && !this.is(']')) this.expect(',');
    }
    this.pos++;
  }

  private defineName(kind: Binding['kind'], v: Value): Token {
    const name = this.next();
    this.define(name, kind, v);
    return name;
  }

  private propertyKeyText(): string | undefined {
    const t = this.next();
    if (t.type === 'name' || t.type === 'string') return t.value;
    if (t.type === 'number') return String(Number(t.value));
    if (t.value === '[') {
      this.pos--;
      this.skipGroup();
    }
    return undefined;
  }

  /** `function f…` / `class C…` as a declaration: binds its name; returns [name token, value]. */
  protected declareFunctionOrClass(kind: 'function' | 'class'): [Token | undefined, Value] {
    const from = this.pos;
    const v = kind === 'class' ? this.classValue() : this.functionValue();
    const nameToken = this.tokens.slice(from).find((t) => t.type === 'name' && !['async', 'function', 'class'].includes(t.value));
    if (v.k === 'fn' && v.name && nameToken) {
      this.define(nameToken, kind, v);
      return [nameToken, v];
    }
    return [undefined, v];
  }

  protected enumDeclaration(offset: number): void {
    this.pos += offset + 1;
    this.define(this.next(), 'enum', opaque('an enum'));
    this.skipGroup();
  }
}
