// A JavaScript/TypeScript tokenizer for reading configuration files without running them (the fast
// status path). It only has to be exact about where tokens start and end — strings, comments,
// templates and regular expressions — so that the reader never mistakes code inside them for code.
// Shared by the Knex and TypeORM adapters (import from @metamig/core/js-source).

export type TokenType = 'name' | 'string' | 'number' | 'template' | 'regex' | 'punct' | 'private';

export interface Token {
  type: TokenType;
  /** Identifier, punctuator, number text, or the cooked value of a string. */
  value: string;
  /** Offset in the source. */
  start: number;
  end: number;
  /** A line break between the previous token and this one (automatic semicolon insertion). */
  nlBefore: boolean;
  /** Templates: the cooked text around each `${…}` (undefined when an escape is invalid). */
  parts?: (string | undefined)[];
  /** Templates: the tokens inside each `${…}`. */
  exprs?: Token[][];
}

export class StaticSyntaxError extends Error {}

/** Opening brackets and what closes them. */
export const OPEN: Record<string, string> = { '(': ')', '[': ']', '{': '}' };

const PUNCTUATORS = [
  '>>>=', '...', '===', '!==', '**=', '<<=', '>>=', '>>>', '&&=', '||=', '??=',
  '=>', '==', '!=', '<=', '>=', '&&', '||', '??', '?.', '++', '--', '+=', '-=', '*=', '/=', '%=', '&=', '|=', '^=', '**', '<<', '>>',
  '{', '}', '(', ')', '[', ']', ';', ',', '<', '>', '+', '-', '*', '/', '%', '&', '|', '^', '!', '~', '?', ':', '=', '.', '@', '#',
];
/** After these keywords a `/` starts a regular expression, not a division. */
const REGEX_AFTER_NAME = new Set(['return', 'typeof', 'instanceof', 'in', 'of', 'new', 'delete', 'void', 'throw', 'case', 'do', 'else', 'yield', 'await']);

const isIdStart = (c: string) => /[\p{ID_Start}$_]/u.test(c);
const isIdPart = (c: string) => /[\p{ID_Continue}$\u200c\u200d]/u.test(c);
const isLineBreak = (c: string) => c === '\n' || c === '\r' || c === '\u2028' || c === '\u2029';

function regexAllowed(prev: Token | undefined): boolean {
  if (!prev) return true;
  if (prev.type === 'punct') return ![')', ']', '}'].includes(prev.value);
  if (prev.type === 'name') return REGEX_AFTER_NAME.has(prev.value);
  return false;
}

/** The cooked value of an escape sequence starting after the backslash at `i`; returns [text, next index]. */
function escape(src: string, i: number): [string | undefined, number] {
  const c = src[i];
  if (c === undefined) throw new StaticSyntaxError('unterminated escape');
  const simple: Record<string, string> = { n: '\n', t: '\t', r: '\r', b: '\b', f: '\f', v: '\v', '0': '\0' };
  if (c === '0' && /[0-9]/.test(src[i + 1] ?? '')) return [undefined, i + 1]; // legacy octal: refuse to guess
  if (c in simple) return [simple[c], i + 1];
  if (c === '\r') return ['', src[i + 1] === '\n' ? i + 2 : i + 1]; // line continuation
  if (isLineBreak(c)) return ['', i + 1];
  if (c === 'x') {
    const hex = src.slice(i + 1, i + 3);
    return /^[0-9a-fA-F]{2}$/.test(hex) ? [String.fromCharCode(parseInt(hex, 16)), i + 3] : [undefined, i + 1];
  }
  if (c === 'u') {
    if (src[i + 1] === '{') {
      const close = src.indexOf('}', i + 2);
      const hex = close < 0 ? '' : src.slice(i + 2, close);
      return /^[0-9a-fA-F]{1,6}$/.test(hex) && parseInt(hex, 16) <= 0x10ffff ? [String.fromCodePoint(parseInt(hex, 16)), close + 1] : [undefined, i + 1];
    }
    const hex = src.slice(i + 1, i + 5);
    return /^[0-9a-fA-F]{4}$/.test(hex) ? [String.fromCharCode(parseInt(hex, 16)), i + 5] : [undefined, i + 1];
  }
  if (/[1-9]/.test(c)) return [undefined, i + 1];
  return [c, i + 1];
}

function readString(src: string, i: number, quote: string): [string | undefined, number] {
  let out: string | undefined = '';
  for (let j = i + 1; j < src.length; ) {
    const c = src[j]!;
    if (c === quote) return [out, j + 1];
    if (c === '\\') {
      const [text, next] = escape(src, j + 1);
      out = out === undefined || text === undefined ? undefined : out + text;
      j = next;
    } else if (c === '\n' || c === '\r') {
      break;
    } else {
      if (out !== undefined) out += c;
      j++;
    }
  }
  throw new StaticSyntaxError(`unterminated string at offset ${i}`);
}

function readRegex(src: string, i: number): number {
  let inClass = false;
  for (let j = i + 1; j < src.length; j++) {
    const c = src[j]!;
    if (isLineBreak(c)) break;
    if (c === '\\') j++;
    else if (c === '[') inClass = true;
    else if (c === ']') inClass = false;
    else if (c === '/' && !inClass) {
      let k = j + 1;
      while (k < src.length && isIdPart(src[k]!)) k++;
      return k;
    }
  }
  throw new StaticSyntaxError(`unterminated regular expression at offset ${i}`);
}

function readNumber(src: string, i: number): number {
  const m = /^(?:0[xX][0-9a-fA-F_]+n?|0[oO][0-7_]+n?|0[bB][01_]+n?|(?:\d[\d_]*\.?[\d_]*|\.\d[\d_]*)(?:[eE][+-]?\d[\d_]*)?n?)/.exec(src.slice(i, i + 400));
  if (!m) throw new StaticSyntaxError(`bad number at offset ${i}`);
  return i + m[0].length;
}

interface Scan {
  tokens: Token[];
  end: number;
}

/** Tokens from `start`; with `untilBrace`, stops at the `}` that closes a template substitution. */
function scan(src: string, start: number, untilBrace: boolean): Scan {
  const tokens: Token[] = [];
  let i = start;
  let nl = false;
  let depth = 0;
  const push = (t: Omit<Token, 'nlBefore'>) => {
    tokens.push({ ...t, nlBefore: nl });
    nl = false;
  };
  if (start === 0 && src.startsWith('#!')) while (i < src.length && !isLineBreak(src[i]!)) i++;
  while (i < src.length) {
    const c = src[i]!;
    if (isLineBreak(c)) {
      nl = true;
      i++;
    } else if (/\s/.test(c) || c === '\ufeff') {
      i++;
    } else if (c === '/' && src[i + 1] === '/') {
      while (i < src.length && !isLineBreak(src[i]!)) i++;
    } else if (c === '/' && src[i + 1] === '*') {
      const close = src.indexOf('*/', i + 2);
      if (close < 0) throw new StaticSyntaxError(`unterminated comment at offset ${i}`);
      if (/[\n\r\u2028\u2029]/.test(src.slice(i, close))) nl = true;
      i = close + 2;
    } else if (c === '"' || c === "'") {
      const [value, next] = readString(src, i, c);
      if (value === undefined) throw new StaticSyntaxError(`a string with an escape this reader does not interpret, at offset ${i}`);
      push({ type: 'string', value, start: i, end: next });
      i = next;
    } else if (c === '`') {
      const parts: (string | undefined)[] = [];
      const exprs: Token[][] = [];
      let text: string | undefined = '';
      let j = i + 1;
      for (;;) {
        if (j >= src.length) throw new StaticSyntaxError(`unterminated template at offset ${i}`);
        const d = src[j]!;
        if (d === '`') {
          parts.push(text);
          j++;
          break;
        }
        if (d === '\\') {
          const [t, next] = escape(src, j + 1);
          text = text === undefined || t === undefined ? undefined : text + t;
          j = next;
        } else if (d === '$' && src[j + 1] === '{') {
          parts.push(text);
          text = '';
          const inner = scan(src, j + 2, true);
          exprs.push(inner.tokens);
          j = inner.end + 1;
        } else {
          if (text !== undefined) text += d === '\r' ? '\n' : d;
          j += d === '\r' && src[j + 1] === '\n' ? 2 : 1;
        }
      }
      push({ type: 'template', value: parts.join('${…}'), start: i, end: j, parts, exprs });
      i = j;
    } else if (/[0-9]/.test(c) || (c === '.' && /[0-9]/.test(src[i + 1] ?? ''))) {
      const next = readNumber(src, i);
      push({ type: 'number', value: src.slice(i, next), start: i, end: next });
      i = next;
    } else if (isIdStart(c) || c === '\\') {
      let j = i;
      while (j < src.length && (isIdPart(src[j]!) || src[j] === '\\')) {
        if (src[j] === '\\') throw new StaticSyntaxError(`an escaped identifier at offset ${i}`);
        j++;
      }
      push({ type: 'name', value: src.slice(i, j), start: i, end: j });
      i = j;
    } else if (c === '#' && isIdStart(src[i + 1] ?? '')) {
      let j = i + 1;
      while (j < src.length && isIdPart(src[j]!)) j++;
      push({ type: 'private', value: src.slice(i, j), start: i, end: j });
      i = j;
    } else if (c === '/' && regexAllowed(tokens[tokens.length - 1])) {
      const next = readRegex(src, i);
      push({ type: 'regex', value: src.slice(i, next), start: i, end: next });
      i = next;
    } else {
      if (untilBrace && c === '}' && depth === 0) return { tokens, end: i };
      let p = PUNCTUATORS.find((x) => src.startsWith(x, i));
      if (!p) throw new StaticSyntaxError(`unexpected character ${JSON.stringify(c)} at offset ${i}`);
      if (p === '?.' && /[0-9]/.test(src[i + 2] ?? '')) p = '?'; // a ? .5 : 1
      if (p === '{') depth++;
      if (p === '}') depth--;
      push({ type: 'punct', value: p, start: i, end: i + p.length });
      i += p.length;
    }
  }
  if (untilBrace) throw new StaticSyntaxError(`unterminated template substitution at offset ${start}`);
  return { tokens, end: i };
}

export function tokenize(src: string): Token[] {
  return scan(src, 0, false).tokens;
}

/** Every identifier token, including those inside template substitutions. */
export function allNames(tokens: Token[]): Token[] {
  const out: Token[] = [];
  for (const t of tokens) {
    if (t.type === 'name') out.push(t);
    else if (t.type === 'template') for (const e of t.exprs ?? []) out.push(...allNames(e));
  }
  return out;
}
