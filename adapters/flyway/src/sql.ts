// The SQL Flyway would run from a file: placeholders replaced first (over the whole text, comments
// included, as PlaceholderReplacingReader does), then split into statements the way Flyway's
// PostgreSQL and SQLite parsers split them (strings, comments, dollar quotes, BEGIN … END blocks),
// with the 1-based line of each statement and whether Flyway could run it in a transaction.

export type Dialect = 'postgres' | 'sqlite';

export interface PlaceholderSyntax {
  prefix: string;
  suffix: string;
  separator: string;
}

export interface Expansion {
  text: string;
  /** Flyway's own refusal for the first placeholder without a value, if any. */
  error?: string;
  /** Placeholders left in the text because their value is only known at run time. */
  deferred: string[];
}

/**
 * Replace `${name}` (case-insensitive names). Names in `deferred` are left as they are (their value
 * comes from the database connection); any other unknown name is an error, in Flyway's words.
 */
export function expandPlaceholders(text: string, values: Record<string, string>, syntax: PlaceholderSyntax, deferred: ReadonlySet<string> = new Set()): Expansion {
  const lower = new Map(Object.entries(values).map(([k, v]) => [k.toLowerCase(), v]));
  const { prefix, suffix } = syntax;
  let out = '';
  let i = 0;
  let error: string | undefined;
  const left = new Set<string>();
  while (i < text.length) {
    const at = text.indexOf(prefix, i);
    if (at < 0) {
      out += text.slice(i);
      break;
    }
    out += text.slice(i, at);
    const end = text.indexOf(suffix, at + prefix.length);
    const name = end < 0 ? text.slice(at + prefix.length) : text.slice(at + prefix.length, end);
    const whole = end < 0 ? text.slice(at) : text.slice(at, end + suffix.length);
    i = end < 0 ? text.length : end + suffix.length;
    const value = lower.get(name.toLowerCase());
    if (value !== undefined) {
      out += value;
      continue;
    }
    out += whole;
    if (deferred.has(name.toLowerCase())) {
      left.add(name);
      continue;
    }
    error ??= name.toLowerCase().startsWith(`flyway${syntax.separator}`)
      ? `Failed to populate value for default placeholder: ${whole}`
      : `No value provided for placeholder: ${whole}.  Check your configuration!`;
  }
  return { text: out, deferred: [...left], ...(error ? { error } : {}) };
}

// ---- statement splitting ---------------------------------------------------------------------

export interface SqlStatement {
  /** From the first non-comment token to the delimiter (excluded). */
  sql: string;
  /** 1-based line of the first non-comment token. */
  line: number;
  /** false for statements Flyway runs outside a transaction (CREATE INDEX CONCURRENTLY …). */
  transactional: boolean;
  /** PostgreSQL COPY … FROM STDIN: the data lines that follow the statement. */
  copyData?: string;
}

const PG_NON_TRANSACTIONAL = [
  /^(CREATE|DROP) (DATABASE|TABLESPACE|SUBSCRIPTION)$/,
  /^ALTER SYSTEM$/,
  /^(CREATE|DROP)( UNIQUE)? INDEX CONCURRENTLY$/,
  /^REINDEX( VERBOSE)? (SCHEMA|DATABASE|SYSTEM)$/,
  /^VACUUM$/,
  /^DISCARD ALL$/,
];
const SQLITE_NON_TRANSACTIONAL = [/^PRAGMA FOREIGN_KEYS$/];
/** Flyway looks at the first keywords of a statement only (Parser.getTransactionalDetectionCutoff). */
const DETECTION_KEYWORDS = 10;

const isWordStart = (c: string) => /[A-Za-z_\u0080-\uffff]/.test(c);
const isWordChar = (c: string) => /[A-Za-z0-9_$\u0080-\uffff]/.test(c);

/** Split a (placeholder-expanded) script into statements as Flyway's parser for `dialect` does. */
export function splitSql(text: string, dialect: Dialect): SqlStatement[] {
  const out: SqlStatement[] = [];
  const n = text.length;
  let i = 0;
  let line = 1;
  let start = -1;
  let startLine = 0;
  let parens = 0;
  const blocks: string[] = [];
  let prevWord = '';
  let words: string[] = [];
  let transactional: boolean | undefined;
  const nonTx = dialect === 'postgres' ? PG_NON_TRANSACTIONAL : SQLITE_NON_TRANSACTIONAL;

  const advanceTo = (j: number) => {
    for (let k = i; k < j && k < n; k++) if (text[k] === '\n') line++;
    i = Math.min(j, n);
  };
  const emit = (endPos: number) => {
    if (start < 0) return;
    const sql = text.slice(start, endPos).trim();
    if (sql) out.push({ sql, line: startLine, transactional: transactional ?? true });
    start = -1;
    parens = 0;
    blocks.length = 0;
    prevWord = '';
    words = [];
    transactional = undefined;
  };
  const word = (w: string) => {
    const up = w.toUpperCase();
    if (parens === 0 && transactional === undefined && words.length < DETECTION_KEYWORDS) {
      words.push(up);
      const simplified = words.join(' ');
      if (nonTx.some((re) => re.test(simplified))) transactional = false;
    }
    if (dialect === 'sqlite') {
      if (up === 'BEGIN' || up === 'CASE') blocks.push(up);
      else if (up === 'END' && blocks.length) blocks.pop();
    } else {
      if (up === 'ATOMIC' && prevWord === 'BEGIN') blocks.push('ATOMIC');
      else if (up === 'CASE' && blocks.length) blocks.push('CASE');
      else if (up === 'END' && blocks.length) blocks.pop();
    }
    prevWord = up;
  };

  while (i < n) {
    const c = text[i]!;
    if (c === '\n' || c === ' ' || c === '\t' || c === '\r' || c === '\f') {
      advanceTo(i + 1);
      continue;
    }
    if (c === '-' && text[i + 1] === '-') {
      const eol = text.indexOf('\n', i);
      advanceTo(eol < 0 ? n : eol);
      continue;
    }
    if (c === '/' && text[i + 1] === '*') {
      let depth = 0;
      let j = i;
      while (j < n) {
        if (text[j] === '/' && text[j + 1] === '*') {
          depth++;
          j += 2;
          if (dialect === 'sqlite' && depth > 1) depth = 1; // SQLite comments do not nest
        } else if (text[j] === '*' && text[j + 1] === '/') {
          depth--;
          j += 2;
          if (depth === 0) break;
        } else j++;
      }
      advanceTo(j);
      continue;
    }
    if (start < 0) {
      start = i;
      startLine = line;
    }
    if (c === "'") {
      // PostgreSQL E'…' strings take backslash escapes.
      const escaped = dialect === 'postgres' && i > 0 && /[eE]/.test(text[i - 1]!) && !(i > 1 && isWordChar(text[i - 2]!));
      let j = i + 1;
      while (j < n) {
        if (escaped && text[j] === '\\') j += 2;
        else if (text[j] === "'" && text[j + 1] === "'") j += 2;
        else if (text[j] === "'") break;
        else j++;
      }
      advanceTo(j + 1);
      continue;
    }
    if (c === '"' || (dialect === 'sqlite' && (c === '`' || c === '['))) {
      const close = c === '[' ? ']' : c;
      let j = i + 1;
      while (j < n && !(text[j] === close && text[j + 1] !== close)) j += text[j] === close ? 2 : 1;
      advanceTo(j + 1);
      continue;
    }
    if (dialect === 'postgres' && c === '$' && !(i > 0 && isWordChar(text[i - 1]!))) {
      const tag = /^\$([A-Za-z_\u0080-\uffff][A-Za-z0-9_\u0080-\uffff]*)?\$/.exec(text.slice(i, i + 64));
      if (tag) {
        const close = text.indexOf(tag[0], i + tag[0].length);
        advanceTo(close < 0 ? n : close + tag[0].length);
        continue;
      }
    }
    if (c === '(') parens++;
    else if (c === ')') parens = Math.max(0, parens - 1);
    if (c === ';' && parens === 0 && blocks.length === 0) {
      const isCopy = dialect === 'postgres' && /^COPY\b[\s\S]*\bFROM\s+STDIN\b/i.test(text.slice(start, i));
      emit(i);
      advanceTo(i + 1);
      if (isCopy) {
        // COPY … FROM STDIN: the data follows on the next lines, up to a line with "\."
        const eol = text.indexOf('\n', i);
        const dataStart = eol < 0 ? n : eol + 1;
        const endMark = /^\\\.\s*$/m.exec(text.slice(dataStart));
        const dataEnd = endMark ? dataStart + endMark.index : n;
        out[out.length - 1]!.copyData = text.slice(dataStart, dataEnd);
        advanceTo(endMark ? dataEnd + endMark[0].length : n);
      }
      continue;
    }
    if (isWordStart(c)) {
      let j = i + 1;
      while (j < n && isWordChar(text[j]!)) j++;
      word(text.slice(i, j));
      advanceTo(j);
      continue;
    }
    advanceTo(i + 1);
  }
  emit(n);
  return out;
}

/** Whether Flyway runs a whole script in a transaction (ParserSqlScript.executeInTransaction). */
export function scriptTransactional(statements: SqlStatement[], override: boolean | undefined, executeInTransaction: boolean): boolean {
  if (override !== undefined) return override;
  return executeInTransaction && statements.every((s) => s.transactional);
}

/** Flyway refuses a script that mixes both kinds unless `mixed` (or an explicit executeInTransaction). */
export function mixedStatementProblem(statements: SqlStatement[], mixed: boolean, override: boolean | undefined): string | undefined {
  if (mixed || override !== undefined) return undefined;
  const nonTx = statements.find((s) => !s.transactional);
  if (!nonTx || statements.every((s) => !s.transactional)) return undefined;
  return `Detected both transactional and non-transactional statements within the same migration (even though mixed is false). Offending statement found at line ${nonTx.line}: ${nonTx.sql} [non-transactional]`;
}
