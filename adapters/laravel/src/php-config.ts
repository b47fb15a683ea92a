// Laravel's config files are PHP. The fast status path reads the few settings it needs from their
// text, never running them: literals and `env('NAME', default)` are understood, anything else is
// kept as code (and the caller refuses to guess). Pure.

export type PhpValue =
  | { kind: 'string'; value: string }
  | { kind: 'number'; value: number }
  | { kind: 'bool'; value: boolean }
  | { kind: 'null' }
  | { kind: 'env'; name: string; default?: PhpValue }
  | { kind: 'array'; entries: { key?: PhpValue; value: PhpValue }[] }
  | { kind: 'code'; text: string };

interface Token {
  t: 'str' | 'num' | 'id' | 'var' | 'op';
  v: string;
  start: number;
  end: number;
  /** A double-quoted string with `$` interpolation: code, not a literal. */
  interpolated?: boolean;
}

const ESCAPES: Record<string, string> = { n: '\n', t: '\t', r: '\r', v: '\v', e: '\x1b', f: '\f', '\\': '\\', $: '$', '"': '"', '0': '\0' };

function tokenize(src: string): Token[] {
  const out: Token[] = [];
  let i = src.startsWith('<?php') ? 5 : 0;
  while (i < src.length) {
    const c = src[i]!;
    if (/\s/.test(c)) {
      i++;
    } else if (c === '/' && src[i + 1] === '/') {
      while (i < src.length && src[i] !== '\n') i++;
    } else if (c === '#' && src[i + 1] !== '[') {
      while (i < src.length && src[i] !== '\n') i++;
    } else if (c === '/' && src[i + 1] === '*') {
      const end = src.indexOf('*/', i + 2);
      i = end < 0 ? src.length : end + 2;
    } else if (c === "'") {
      let v = '';
      let j = i + 1;
      for (; j < src.length && src[j] !== "'"; j++) {
        if (src[j] === '\\' && (src[j + 1] === "'" || src[j + 1] === '\\')) j++;
        v += src[j];
      }
      out.push({ t: 'str', v, start: i, end: j + 1 });
      i = j + 1;
    } else if (c === '"') {
      let v = '';
      let interpolated = false;
      let j = i + 1;
      for (; j < src.length && src[j] !== '"'; j++) {
        if (src[j] === '\\' && j + 1 < src.length) {
          const e = src[j + 1]!;
          v += ESCAPES[e] ?? `\\${e}`;
          j++;
        } else {
          if (src[j] === '$' && /[A-Za-z_{]/.test(src[j + 1] ?? '')) interpolated = true;
          v += src[j];
        }
      }
      out.push({ t: 'str', v, start: i, end: j + 1, ...(interpolated ? { interpolated } : {}) });
      i = j + 1;
    } else if (/[0-9]/.test(c)) {
      const m = /^[0-9][0-9_.]*/.exec(src.slice(i))![0];
      out.push({ t: 'num', v: m, start: i, end: i + m.length });
      i += m.length;
    } else if (/[A-Za-z_\\]/.test(c)) {
      const m = /^[A-Za-z_\\][\w\\]*/.exec(src.slice(i))![0];
      out.push({ t: 'id', v: m, start: i, end: i + m.length });
      i += m.length;
    } else if (c === '$') {
      const m = /^\$\w*/.exec(src.slice(i))![0];
      out.push({ t: 'var', v: m, start: i, end: i + m.length });
      i += m.length;
    } else {
      const two = src.slice(i, i + 2);
      const v = two === '=>' || two === '::' || two === '->' || two === '??' ? two : c;
      out.push({ t: 'op', v, start: i, end: i + v.length });
      i += v.length;
    }
  }
  return out;
}

const OPEN: Record<string, string> = { '(': ')', '[': ']', '{': '}' };

class Parser {
  i = 0;
  constructor(
    private readonly src: string,
    private readonly toks: Token[],
  ) {}

  private peek(k = 0): Token | undefined {
    return this.toks[this.i + k];
  }
  private isOp(v: string, k = 0): boolean {
    const t = this.peek(k);
    return t?.t === 'op' && t.v === v;
  }

  /** Skip one balanced token run: a bracket group, or a single token. */
  private skipOne(): void {
    const t = this.toks[this.i++];
    if (t?.t !== 'op' || !OPEN[t.v]) return;
    const close = OPEN[t.v]!;
    while (this.i < this.toks.length && !this.isOp(close)) this.skipOne();
    this.i++;
  }

  /** An expression up to `,` `]` `)` `;` `=>` at this level. */
  expr(): PhpValue {
    const start = this.i;
    const value = this.primary();
    if (this.atEnd()) return value;
    // More follows (an operator, a method call …): the whole expression is code.
    this.i = start;
    while (this.i < this.toks.length && !this.atEnd()) this.skipOne();
    return this.code(start);
  }

  private atEnd(): boolean {
    const t = this.peek();
    return !t || (t.t === 'op' && [',', ']', ')', ';', '=>'].includes(t.v));
  }

  private code(from: number): PhpValue {
    const a = this.toks[from];
    const b = this.toks[this.i - 1];
    return { kind: 'code', text: a && b ? this.src.slice(a.start, b.end) : '' };
  }

  private primary(): PhpValue {
    const start = this.i;
    const t = this.peek();
    if (!t) return { kind: 'code', text: '' };
    if (t.t === 'str') {
      this.i++;
      return t.interpolated ? this.code(start) : { kind: 'string', value: t.v };
    }
    if (t.t === 'num') {
      this.i++;
      const n = Number(t.v.replace(/_/g, ''));
      return Number.isFinite(n) ? { kind: 'number', value: n } : this.code(start);
    }
    if (t.t === 'op' && t.v === '-' && this.peek(1)?.t === 'num') {
      this.i += 2;
      return { kind: 'number', value: -Number(this.peek(-1)!.v.replace(/_/g, '')) };
    }
    if (t.t === 'op' && t.v === '[') {
      this.i++;
      return this.arrayUntil(']', start);
    }
    if (t.t === 'id') {
      const lower = t.v.toLowerCase();
      if (lower === 'array' && this.isOp('(', 1)) {
        this.i += 2;
        return this.arrayUntil(')', start);
      }
      if (lower === 'true' || lower === 'false') {
        this.i++;
        return { kind: 'bool', value: lower === 'true' };
      }
      if (lower === 'null') {
        this.i++;
        return { kind: 'null' };
      }
      if ((lower === 'env' || lower === '\\env') && this.isOp('(', 1)) {
        this.i += 2;
        const name = this.peek();
        if (name?.t === 'str' && !name.interpolated) {
          this.i++;
          if (this.isOp(')')) {
            this.i++;
            return { kind: 'env', name: name.v };
          }
          if (this.isOp(',')) {
            this.i++;
            const def = this.expr();
            if (this.isOp(',')) this.i++; // trailing comma
            if (this.isOp(')')) {
              this.i++;
              return { kind: 'env', name: name.v, default: def };
            }
          }
        }
        this.i = start;
      }
    }
    this.skipOne();
    return this.code(start);
  }

  private arrayUntil(close: string, start: number): PhpValue {
    const entries: { key?: PhpValue; value: PhpValue }[] = [];
    while (this.i < this.toks.length && !this.isOp(close)) {
      const first = this.expr();
      if (this.isOp('=>')) {
        this.i++;
        entries.push({ key: first, value: this.expr() });
      } else {
        entries.push({ value: first });
      }
      if (this.isOp(',')) this.i++;
      else if (!this.isOp(close)) {
        // Something this reader does not understand (spread, a stray token): the array is code.
        while (this.i < this.toks.length && !this.isOp(close)) this.skipOne();
        this.i++;
        return this.code(start);
      }
    }
    this.i++;
    return { kind: 'array', entries };
  }
}

/** The value of the file's top-level `return …;` (config files return one array), or undefined. */
export function parsePhpReturn(src: string): PhpValue | undefined {
  const toks = tokenize(src);
  let depth = 0;
  for (let k = 0; k < toks.length; k++) {
    const t = toks[k]!;
    if (t.t === 'op' && OPEN[t.v]) depth++;
    else if (t.t === 'op' && (t.v === ')' || t.v === ']' || t.v === '}')) depth--;
    else if (depth === 0 && t.t === 'id' && t.v.toLowerCase() === 'return') {
      const p = new Parser(src, toks);
      p.i = k + 1;
      return p.expr();
    }
  }
  return undefined;
}

/** `config['a']['b']`: the value, or undefined when a level is missing; 'code' when a level is not an array literal. */
export function lookup(v: PhpValue | undefined, path: string[]): PhpValue | undefined {
  let cur = v;
  for (const key of path) {
    if (!cur) return undefined;
    if (cur.kind !== 'array') return { kind: 'code', text: `(not an array where ${path.join('.')} is read)` };
    let found: PhpValue | undefined;
    for (const e of cur.entries) {
      if (!e.key) continue;
      if (e.key.kind === 'code') return { kind: 'code', text: `(a computed key next to ${key})` };
      const k = e.key.kind === 'string' ? e.key.value : e.key.kind === 'number' ? String(e.key.value) : undefined;
      if (k === key) found = e.value; // PHP: the last one wins
    }
    cur = found;
  }
  return cur;
}

/** The class names a value lists (`Foo\Bar::class`, 'Foo\Bar'), with `use` aliases of the file resolved. */
export function classNamesIn(text: string, uses: Map<string, string>): string[] {
  const names: string[] = [];
  for (const m of text.matchAll(/(\\?[A-Za-z_][\w\\]*)\s*::\s*class\b|(['"])(\\?[A-Z][\w]*(?:\\\\?[A-Za-z_]\w*)+)\2/g)) {
    const raw = (m[1] ?? m[3]!).replace(/\\\\/g, '\\');
    names.push(resolveName(raw, uses, undefined));
  }
  return names;
}

/** `use A\B;` / `use A\B as C;` at the top of a file (imports, not traits). */
export function importsOf(header: string): Map<string, string> {
  const uses = new Map<string, string>();
  for (const m of header.matchAll(/^\s*use\s+([^;]+);/gm)) {
    for (const part of m[1]!.split(',')) {
      const pm = /^\s*\\?([\w\\]+)(?:\s+as\s+(\w+))?\s*$/i.exec(part);
      if (!pm) continue;
      const full = pm[1]!;
      uses.set(pm[2] ?? full.split('\\').pop()!, full);
    }
  }
  return uses;
}

/** A class name as PHP resolves it in a file with these imports and namespace. */
export function resolveName(raw: string, uses: Map<string, string>, namespace: string | undefined): string {
  if (raw.startsWith('\\')) return raw.slice(1);
  const [first, ...rest] = raw.split('\\');
  const imported = uses.get(first!);
  if (imported) return [imported, ...rest].join('\\');
  return namespace ? `${namespace}\\${raw}` : raw;
}
