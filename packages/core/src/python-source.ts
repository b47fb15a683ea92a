// A small, strict reader of Python source for the fast status path: tokens, statements (logical
// lines with their indentation) and literal values. It never guesses: whatever it cannot read
// exactly throws PySourceError, and callers turn that into "cannot be exact" (OPERATION.UNSUPPORTED).
// Shared by the Alembic and Django adapters (import from @metamig/core/python-source). Pure.

export type PyTok =
  | { t: 'name'; v: string }
  | { t: 'num'; v: string }
  /** `v` is the decoded text; null for f-/t-strings, bytes and escapes this reader does not decode. */
  | { t: 'str'; v: string | null }
  | { t: 'op'; v: string };

export interface PyStatement {
  /** Indentation column of the statement (a compound statement's inline body counts one deeper). */
  indent: number;
  /** 1-based line where the statement starts. */
  line: number;
  toks: PyTok[];
}

export class PySourceError extends Error {}

const OPS = ['**=', '//=', '>>=', '<<=', '...', '->', ':=', '==', '!=', '<=', '>=', '+=', '-=', '*=', '/=', '%=', '&=', '|=', '^=', '@=', '**', '//', '<<', '>>'];
const SINGLE_OPS = '()[]{},:;.=+-*/%&|^~<>@!';
const STRING_PREFIX = /^(?:[rRuUbBfFtT]|[rR][bBfFtT]|[bBfFtT][rR])$/;
const COMPOUND = new Set(['if', 'elif', 'else', 'for', 'while', 'try', 'except', 'finally', 'with', 'def', 'class', 'async']);
export const AUGMENTED = new Set(['+=', '-=', '*=', '/=', '//=', '%=', '**=', '>>=', '<<=', '&=', '|=', '^=', '@=']);

const SIMPLE_ESCAPES: Record<string, string> = { '\\': '\\', "'": "'", '"': '"', a: '\x07', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t', v: '\v' };

/** Python's escape sequences of a non-raw str literal; null when one cannot be decoded here (\N{…}). */
function decodeEscapes(body: string): string | null {
  let out = '';
  for (let i = 0; i < body.length; i++) {
    const c = body[i]!;
    if (c !== '\\') {
      out += c;
      continue;
    }
    const n = body[++i];
    if (n === undefined) return null;
    if (n === '\n') continue;
    if (n in SIMPLE_ESCAPES) out += SIMPLE_ESCAPES[n];
    else if (/[0-7]/.test(n)) {
      const oct = /^[0-7]{1,3}/.exec(body.slice(i))![0];
      out += String.fromCodePoint(parseInt(oct, 8));
      i += oct.length - 1;
    } else if (n === 'x' || n === 'u' || n === 'U') {
      const len = n === 'x' ? 2 : n === 'u' ? 4 : 8;
      const hex = body.slice(i + 1, i + 1 + len);
      if (!new RegExp(`^[0-9a-fA-F]{${len}}$`).test(hex)) return null;
      out += String.fromCodePoint(parseInt(hex, 16));
      i += len;
    } else if (n === 'N') return null;
    else out += `\\${n}`; // unknown escapes stay as written
  }
  return out;
}

/** Split source into statements. Throws PySourceError on what a Python tokenizer would reject. */
export function pyStatements(source: string): PyStatement[] {
  const src = source.replace(/^\uFEFF/, '').replace(/\r\n?/g, '\n');
  const cookie = /^[ \t\f]*#.*?coding[:=][ \t]*([-\w.]+)/m.exec(src.split('\n').slice(0, 2).join('\n'));
  if (cookie && !/^utf[-_]?8$/i.test(cookie[1]!)) throw new PySourceError(`source encoding ${cookie[1]} is not UTF-8`);
  const out: PyStatement[] = [];
  let toks: PyTok[] = [];
  let indent = 0;
  let line = 1;
  let startLine = 1;
  let depth = 0;
  let atLineStart = true;
  const end = () => {
    if (toks.length) out.push(...splitInlineBody({ indent, line: startLine, toks }));
    toks = [];
  };
  let i = 0;
  while (i < src.length) {
    if (atLineStart && depth === 0) {
      let col = 0;
      let j = i;
      for (; j < src.length; j++) {
        const c = src[j];
        if (c === ' ') col++;
        else if (c === '\t') col = col + 8 - (col % 8);
        else if (c === '\f') col = 0;
        else break;
      }
      i = j;
      atLineStart = false;
      if (src[i] === '\n' || src[i] === '#' || i >= src.length) {
        // blank or comment-only line: no statement starts here
      } else if (!toks.length) {
        indent = col;
        startLine = line;
      }
      continue;
    }
    const c = src[i]!;
    if (c === '\n') {
      line++;
      i++;
      if (depth === 0) {
        end();
        atLineStart = true;
      }
      continue;
    }
    if (c === ' ' || c === '\t' || c === '\f') {
      i++;
      continue;
    }
    if (c === '#') {
      while (i < src.length && src[i] !== '\n') i++;
      continue;
    }
    if (c === '\\' && src[i + 1] === '\n') {
      i += 2;
      line++;
      continue;
    }
    if (!toks.length && depth === 0) startLine = line;
    const word = /^[A-Za-z_\u0080-\uFFFF][\w\u0080-\uFFFF]*/.exec(src.slice(i, i + 256));
    const quoteAt = word && STRING_PREFIX.test(word[0]) && /['"]/.test(src[i + word[0].length] ?? '') ? i + word[0].length : /['"]/.test(c) ? i : -1;
    if (quoteAt >= 0) {
      const prefix = src.slice(i, quoteAt).toLowerCase();
      const q = src.startsWith(src[quoteAt]!.repeat(3), quoteAt) ? src[quoteAt]!.repeat(3) : src[quoteAt]!;
      let j = quoteAt + q.length;
      for (;;) {
        if (j >= src.length) throw new PySourceError(`unterminated string on line ${line}`);
        const d = src[j]!;
        if (d === '\\') {
          if (src[j + 1] === '\n') line++;
          j += 2;
          continue;
        }
        if (src.startsWith(q, j)) break;
        if (d === '\n') {
          if (q.length === 1) throw new PySourceError(`unterminated string on line ${line}`);
          line++;
        }
        j++;
      }
      const body = src.slice(quoteAt + q.length, j);
      const value = /[bft]/.test(prefix) ? null : prefix.includes('r') ? body : decodeEscapes(body);
      toks.push({ t: 'str', v: value });
      i = j + q.length;
      continue;
    }
    if (word) {
      toks.push({ t: 'name', v: word[0] });
      i += word[0].length;
      continue;
    }
    const num = /^(?:0[xXoObB][\da-fA-F_]+|(?:\d[\d_]*\.?[\d_]*|\.\d[\d_]*)(?:[eE][+-]?\d[\d_]*)?[jJ]?)/.exec(src.slice(i, i + 128));
    if (num && /[\d.]/.test(c) && num[0] !== '.') {
      toks.push({ t: 'num', v: num[0] });
      i += num[0].length;
      continue;
    }
    const op = OPS.find((o) => src.startsWith(o, i)) ?? (SINGLE_OPS.includes(c) ? c : undefined);
    if (!op) throw new PySourceError(`unexpected character ${JSON.stringify(c)} on line ${line}`);
    i += op.length;
    if ('([{'.includes(op)) depth++;
    else if (')]}'.includes(op)) {
      if (--depth < 0) throw new PySourceError(`unbalanced ${op} on line ${line}`);
    } else if (op === ';' && depth === 0) {
      end();
      startLine = line;
      continue;
    }
    toks.push({ t: 'op', v: op });
  }
  if (depth !== 0) throw new PySourceError('unbalanced brackets at end of file');
  end();
  return out;
}

/** `if x: y = 1` → the header `if x:` and its body `y = 1`, one level deeper. */
function splitInlineBody(st: PyStatement): PyStatement[] {
  const first = st.toks[0];
  if (!first || first.t !== 'name' || !COMPOUND.has(first.v)) return [st];
  let depth = 0;
  for (let k = 0; k < st.toks.length; k++) {
    const tok = st.toks[k]!;
    if (tok.t !== 'op') continue;
    if ('([{'.includes(tok.v)) depth++;
    else if (')]}'.includes(tok.v)) depth--;
    else if (tok.v === ':' && depth === 0) {
      const body = st.toks.slice(k + 1);
      const header = { ...st, toks: st.toks.slice(0, k + 1) };
      return body.length ? [header, ...splitInlineBody({ indent: st.indent + 1, line: st.line, toks: body })] : [header];
    }
  }
  return [st];
}

// ---- literal values --------------------------------------------------------------------------------

export type PyValue =
  | string
  | number
  | boolean
  | null
  | { tuple: PyValue[] }
  | { list: PyValue[] }
  | { name: string }
  | { call: string; args: PyValue[] };

const isOp = (tok: PyTok | undefined, v: string) => tok?.t === 'op' && tok.v === v;

/**
 * The value of `toks` as a literal: str (implicit concatenation), numbers, None/True/False, tuples,
 * lists, dotted names and calls of dotted names with positional arguments. Anything else throws.
 */
export function pyLiteral(toks: readonly PyTok[]): PyValue {
  let k = 0;
  const fail = (what: string): never => {
    throw new PySourceError(`not a literal: ${what}`);
  };
  const expr = (): PyValue => {
    const tok = toks[k];
    if (!tok) return fail('unexpected end');
    if (tok.t === 'str') {
      let s = '';
      while (toks[k]?.t === 'str') {
        const v = (toks[k] as { v: string | null }).v;
        if (v === null) fail('f-string, bytes or an undecodable escape');
        s += v;
        k++;
      }
      return s;
    }
    if (tok.t === 'num') {
      k++;
      return /^\d+$/.test(tok.v) ? Number(tok.v) : fail(`number ${tok.v}`);
    }
    if (tok.t === 'name') {
      k++;
      if (tok.v === 'None') return null;
      if (tok.v === 'True') return true;
      if (tok.v === 'False') return false;
      let name = tok.v;
      while (isOp(toks[k], '.') && toks[k + 1]?.t === 'name') {
        name += `.${(toks[k + 1] as { v: string }).v}`;
        k += 2;
      }
      if (!isOp(toks[k], '(')) return { name };
      k++;
      return { call: name, args: sequence(')') };
    }
    if (isOp(tok, '(') || isOp(tok, '[')) {
      k++;
      const close = tok.v === '(' ? ')' : ']';
      const start = k;
      const items = sequence(close);
      if (close === ']') return { list: items };
      // `(x)` is x; `(x,)` and `()` are tuples
      const single = items.length === 1 && !isOp(toks[k - 2], ',') && k - start > 1;
      return single ? items[0]! : { tuple: items };
    }
    return fail(`token ${tok.v}`);
  };
  const sequence = (close: string): PyValue[] => {
    const items: PyValue[] = [];
    while (!isOp(toks[k], close)) {
      if (toks[k]?.t === 'name' && isOp(toks[k + 1], '=')) fail('keyword argument');
      if (isOp(toks[k], '*') || isOp(toks[k], '**')) fail('unpacking');
      items.push(expr());
      if (isOp(toks[k], ',')) k++;
      else if (!isOp(toks[k], close)) fail(`expected ${close}`);
    }
    k++;
    return items;
  };
  const first = expr();
  if (k === toks.length) return first;
  if (!isOp(toks[k], ',')) return fail(`unexpected ${toks[k]!.v}`);
  // a bare tuple: `x = 'a', 'b'`
  const items = [first];
  while (isOp(toks[k], ',')) {
    k++;
    if (k < toks.length) items.push(expr());
  }
  if (k !== toks.length) fail(`unexpected ${toks[k]!.v}`);
  return { tuple: items };
}

/** The module (or class body) docstring: a first statement made only of plain str literals. */
export function pyDocstring(statements: readonly PyStatement[]): string | undefined {
  const first = statements[0];
  if (!first || !first.toks.every((t) => t.t === 'str')) return undefined;
  if (first.toks.some((t) => t.v === null)) return undefined; // an f-string is no docstring; bytes neither
  return first.toks.map((t) => t.v).join('');
}

/** `NAME = value` or `NAME: annotation = value` → the name and the value's tokens. */
export function pyAssignment(st: PyStatement): { target: string; value: PyTok[] } | undefined {
  const [name, next] = st.toks;
  if (name?.t !== 'name') return undefined;
  if (isOp(next, '=')) {
    const value = st.toks.slice(2);
    return value.some((t) => isOp(t, '=')) && !hasOnlyNestedEquals(value) ? undefined : { target: name.v, value };
  }
  if (!isOp(next, ':')) return undefined;
  let depth = 0;
  for (let k = 2; k < st.toks.length; k++) {
    const tok = st.toks[k]!;
    if (tok.t !== 'op') continue;
    if ('([{'.includes(tok.v)) depth++;
    else if (')]}'.includes(tok.v)) depth--;
    else if (tok.v === '=' && depth === 0) return { target: name.v, value: st.toks.slice(k + 1) };
  }
  return undefined; // a bare annotation binds nothing
}

/** `=` inside brackets are keyword arguments, not a chained assignment. */
function hasOnlyNestedEquals(toks: readonly PyTok[]): boolean {
  let depth = 0;
  for (const tok of toks) {
    if (tok.t !== 'op') continue;
    if ('([{'.includes(tok.v)) depth++;
    else if (')]}'.includes(tok.v)) depth--;
    else if (tok.v === '=' && depth === 0) return false;
  }
  return true;
}

/**
 * Does the statement possibly bind `name` (assignment, augmented assignment, walrus, import, for,
 * with/except … as, del, global)? Conservative: a subscript or attribute target that merely
 * mentions `name` also counts. `name` after a `.` (an attribute) or as a keyword argument does not.
 */
export function pyMayBind(st: PyStatement, name: string): boolean {
  const toks = st.toks;
  let depth = 0;
  let assignAt = -1;
  for (let k = 0; k < toks.length; k++) {
    const tok = toks[k]!;
    if (tok.t !== 'op') continue;
    if ('([{'.includes(tok.v)) depth++;
    else if (')]}'.includes(tok.v)) depth--;
    else if (depth === 0 && (tok.v === '=' || AUGMENTED.has(tok.v)) && assignAt < 0) assignAt = k;
  }
  depth = 0;
  for (let k = 0; k < toks.length; k++) {
    const tok = toks[k]!;
    if (tok.t === 'op') {
      if ('([{'.includes(tok.v)) depth++;
      else if (')]}'.includes(tok.v)) depth--;
      continue;
    }
    if (tok.t !== 'name' || tok.v !== name || isOp(toks[k - 1], '.')) continue;
    const prev = toks[k - 1];
    const next = toks[k + 1];
    if (depth > 0 && isOp(next, '=')) continue; // keyword argument / parameter default
    if (prev?.t === 'name' && ['as', 'import', 'for', 'global', 'nonlocal', 'del'].includes(prev.v)) return true;
    if (isOp(next, ':=')) return true;
    if (k === 0 && isOp(next, ':')) return true;
    if (assignAt >= 0 && k < assignAt) return true;
    if (prev?.t === 'name' && (prev.v === 'def' || prev.v === 'class')) return true;
    if (isOp(prev, ',') && toks.some((t) => t.t === 'name' && (t.v === 'import' || t.v === 'for' || t.v === 'global' || t.v === 'del'))) return true;
  }
  return false;
}

/** `from x import *` anywhere: it can bind any name. */
export const pyHasStarImport = (statements: readonly PyStatement[]): boolean =>
  statements.some((st) => st.toks[0]?.t === 'name' && st.toks[0].v === 'from' && st.toks.some((t, k) => isOp(t, '*') && st.toks[k - 1]?.t === 'name' && st.toks[k - 1]!.v === 'import'));

/** Python's str ordering (code points), for sorted() of names and (app, name) keys. */
export function pyCompare(a: string, b: string): number {
  const x = [...a];
  const y = [...b];
  for (let k = 0; k < Math.min(x.length, y.length); k++) {
    const d = x[k]!.codePointAt(0)! - y[k]!.codePointAt(0)!;
    if (d) return d;
  }
  return x.length - y.length;
}
