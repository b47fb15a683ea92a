// A small TOML reader for Flyway configuration files (flyway.toml, flyway.user.toml). It covers what
// those files use: tables, dotted and quoted keys, strings (basic, literal, multi-line), numbers,
// booleans, arrays and inline tables. Dates are kept as strings; arrays of tables are rejected.
// No npm TOML parser is available to this package, and Flyway's own parser lives in the JVM.

export type TomlValue = string | number | boolean | TomlValue[] | TomlTable;
export interface TomlTable {
  [key: string]: TomlValue;
}

export class TomlError extends Error {
  constructor(
    message: string,
    readonly line: number,
  ) {
    super(`line ${line}: ${message}`);
  }
}

const isTable = (v: TomlValue | undefined): v is TomlTable => typeof v === 'object' && v !== null && !Array.isArray(v);

class Reader {
  pos = 0;
  constructor(readonly text: string) {}
  get line(): number {
    return this.text.slice(0, this.pos).split('\n').length;
  }
  peek(n = 0): string {
    return this.text[this.pos + n] ?? '';
  }
  startsWith(s: string): boolean {
    return this.text.startsWith(s, this.pos);
  }
  fail(message: string): never {
    throw new TomlError(message, this.line);
  }
  skipSpaces(): void {
    while (this.peek() === ' ' || this.peek() === '\t') this.pos++;
  }
  /** Whitespace, newlines and comments (inside arrays). */
  skipBlank(): void {
    for (;;) {
      this.skipSpaces();
      if (this.peek() === '#') while (this.pos < this.text.length && this.peek() !== '\n') this.pos++;
      if (this.peek() === '\n' || this.peek() === '\r') this.pos++;
      else return;
    }
  }
  endOfLine(): void {
    this.skipSpaces();
    if (this.peek() === '#') while (this.pos < this.text.length && this.peek() !== '\n') this.pos++;
    if (this.peek() === '\r') this.pos++;
    if (this.pos < this.text.length && this.peek() !== '\n') this.fail(`unexpected "${this.peek()}" after a value`);
    this.pos++;
  }
}

const ESCAPES: Record<string, string> = { b: '\b', t: '\t', n: '\n', f: '\f', r: '\r', '"': '"', '\\': '\\' };

function basicString(r: Reader, multiline: boolean): string {
  const close = multiline ? '"""' : '"';
  r.pos += close.length;
  if (multiline && r.peek() === '\n') r.pos++;
  else if (multiline && r.startsWith('\r\n')) r.pos += 2;
  let out = '';
  for (;;) {
    if (r.pos >= r.text.length) r.fail('unterminated string');
    if (r.startsWith(close) && !(multiline && r.startsWith('""""'))) {
      r.pos += close.length;
      return out;
    }
    const c = r.peek();
    if (!multiline && c === '\n') r.fail('newline in a string');
    if (c === '\\') {
      const e = r.peek(1);
      if (multiline && /[ \t\r\n]/.test(e)) {
        r.pos++; // line-ending backslash: trim whitespace up to the next non-blank
        while (/[ \t\r\n]/.test(r.peek())) r.pos++;
        continue;
      }
      if (e === 'u' || e === 'U') {
        const len = e === 'u' ? 4 : 8;
        const hex = r.text.slice(r.pos + 2, r.pos + 2 + len);
        if (!/^[0-9a-fA-F]+$/.test(hex) || hex.length !== len) r.fail('bad unicode escape');
        out += String.fromCodePoint(parseInt(hex, 16));
        r.pos += 2 + len;
        continue;
      }
      const mapped = ESCAPES[e];
      if (mapped === undefined) r.fail(`bad escape \\${e}`);
      out += mapped;
      r.pos += 2;
      continue;
    }
    out += c;
    r.pos++;
  }
}

function literalString(r: Reader, multiline: boolean): string {
  const close = multiline ? "'''" : "'";
  r.pos += close.length;
  if (multiline && r.peek() === '\n') r.pos++;
  const end = r.text.indexOf(close, r.pos);
  if (end < 0) r.fail('unterminated string');
  const s = r.text.slice(r.pos, end);
  if (!multiline && s.includes('\n')) r.fail('newline in a string');
  r.pos = end + close.length;
  return s;
}

function key(r: Reader): string[] {
  const parts: string[] = [];
  for (;;) {
    r.skipSpaces();
    if (r.peek() === '"') parts.push(basicString(r, false));
    else if (r.peek() === "'") parts.push(literalString(r, false));
    else {
      const m = /^[A-Za-z0-9_-]+/.exec(r.text.slice(r.pos));
      if (!m) r.fail('expected a key');
      parts.push(m[0]);
      r.pos += m[0].length;
    }
    r.skipSpaces();
    if (r.peek() !== '.') return parts;
    r.pos++;
  }
}

function value(r: Reader): TomlValue {
  r.skipSpaces();
  if (r.startsWith('"""')) return basicString(r, true);
  if (r.startsWith("'''")) return literalString(r, true);
  if (r.peek() === '"') return basicString(r, false);
  if (r.peek() === "'") return literalString(r, false);
  if (r.peek() === '[') {
    r.pos++;
    const items: TomlValue[] = [];
    for (;;) {
      r.skipBlank();
      if (r.peek() === ']') {
        r.pos++;
        return items;
      }
      items.push(value(r));
      r.skipBlank();
      if (r.peek() === ',') r.pos++;
      else if (r.peek() !== ']') r.fail('expected "," or "]" in an array');
    }
  }
  if (r.peek() === '{') {
    r.pos++;
    const table: TomlTable = {};
    r.skipSpaces();
    if (r.peek() === '}') {
      r.pos++;
      return table;
    }
    for (;;) {
      const k = key(r);
      if (r.peek() !== '=') r.fail('expected "=" in an inline table');
      r.pos++;
      assign(r, table, k, value(r));
      r.skipSpaces();
      if (r.peek() === '}') {
        r.pos++;
        return table;
      }
      if (r.peek() !== ',') r.fail('expected "," or "}" in an inline table');
      r.pos++;
    }
  }
  const m = /^[^\s,\]}#]+/.exec(r.text.slice(r.pos));
  if (!m) r.fail('expected a value');
  r.pos += m[0].length;
  const raw = m[0];
  if (raw === 'true') return true;
  if (raw === 'false') return false;
  if (/^[+-]?(\d[\d_]*|0x[0-9a-fA-F_]+|0o[0-7_]+|0b[01_]+)$/.test(raw)) return Number(raw.replace(/_/g, ''));
  if (/^[+-]?(\d[\d_]*)(\.\d[\d_]*)?([eE][+-]?\d+)?$/.test(raw) || /^[+-]?(inf|nan)$/.test(raw)) return Number(raw.replace(/_/g, ''));
  if (/^\d{4}-\d{2}-\d{2}/.test(raw) || /^\d{2}:\d{2}/.test(raw)) {
    // A date-time: "1979-05-27 07:32:00" has a space; take the time part too.
    const time = /^ \d{2}:\d{2}[^\s,\]}#]*/.exec(r.text.slice(r.pos));
    if (time) r.pos += time[0].length;
    return raw + (time ? time[0] : '');
  }
  return r.fail(`unsupported value "${raw}"`);
}

function tableAt(r: Reader, root: TomlTable, path: string[]): TomlTable {
  let t = root;
  for (const p of path) {
    const next = t[p];
    if (next === undefined) t = t[p] = {};
    else if (isTable(next)) t = next;
    else r.fail(`"${path.join('.')}" is already a value, not a table`);
  }
  return t;
}

function assign(r: Reader, table: TomlTable, path: string[], v: TomlValue): void {
  const parent = tableAt(r, table, path.slice(0, -1));
  const last = path[path.length - 1]!;
  if (parent[last] !== undefined) r.fail(`duplicate key "${path.join('.')}"`);
  parent[last] = v;
}

export function parseToml(text: string): TomlTable {
  const r = new Reader(text.replace(/^\uFEFF/, ''));
  const root: TomlTable = {};
  let current = root;
  while (r.pos < r.text.length) {
    r.skipBlank();
    if (r.pos >= r.text.length) break;
    if (r.startsWith('[[')) r.fail('arrays of tables are not used by Flyway configuration');
    if (r.peek() === '[') {
      r.pos++;
      const path = key(r);
      if (r.peek() !== ']') r.fail('expected "]"');
      r.pos++;
      current = tableAt(r, root, path);
      r.endOfLine();
      continue;
    }
    const k = key(r);
    if (r.peek() !== '=') r.fail('expected "="');
    r.pos++;
    assign(r, current, k, value(r));
    if (r.pos < r.text.length) r.endOfLine();
  }
  return root;
}

/** Deep merge: later tables override earlier keys; arrays and scalars are replaced. */
export function mergeToml(base: TomlTable, over: TomlTable): TomlTable {
  const out: TomlTable = { ...base };
  for (const [k, v] of Object.entries(over)) {
    const prev = out[k];
    out[k] = isTable(prev) && isTable(v) ? mergeToml(prev, v) : v;
  }
  return out;
}

export function tomlTable(v: TomlValue | undefined): TomlTable | undefined {
  return isTable(v) ? v : undefined;
}
