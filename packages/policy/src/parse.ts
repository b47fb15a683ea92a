// Parsing with the real PostgreSQL parser (libpg_query compiled to WASM): statements with their text
// and positions. libpg_query reports UTF-8 byte offsets (and omits `stmt_location` for a statement at
// offset 0, and `stmt_len` for the last one); everything here is converted to JavaScript string
// indices. Text that does not parse is split on `;` and each piece parsed alone, so a syntax error
// becomes one diagnostic and the other statements are still linted.
import { loadModule, parseSync, type Node } from 'libpg-query';
import { type Comment, isBlank, lexSql, type Segment } from './lexer.js';
import type { NodeType } from './types.js';

let loading: Promise<void> | undefined;
let loaded = false;

/** Load the WASM parser once per process. Every async entry point awaits it. */
export function loadParser(): Promise<void> {
  if (!loading) loading = loadModule().then(() => void (loaded = true));
  return loading;
}

export function parserLoaded(): boolean {
  return loaded;
}

export interface ParsedStatement {
  node: Node;
  type: NodeType;
  /** String indices in the parsed text; `end` is exclusive and excludes the `;`. */
  start: number;
  end: number;
  sql: string;
}

export interface SyntaxIssue {
  message: string;
  /** String index of the error in the parsed text. */
  offset: number;
  /** The statement (as split on `;`) that failed. */
  start: number;
  end: number;
  sql: string;
}

export interface ParsedSql {
  statements: ParsedStatement[];
  errors: SyntaxIssue[];
  /** Present when the text was lexed (a parse error, or comments were asked for). */
  comments?: Comment[];
}

function typeOf(node: Node): NodeType {
  for (const k in node) return k as NodeType;
  throw new Error('empty parse node');
}

/** Maps libpg_query byte offsets to string indices (identity for ASCII text). */
function byteMapper(text: string): (byte: number) => number {
  if (Buffer.byteLength(text, 'utf8') === text.length) return (b) => b;
  const map: number[] = [];
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    // UTF-8 length of this UTF-16 unit: a surrogate pair is 4 bytes, all counted on its first unit.
    const bytes = c < 0x80 ? 1 : c < 0x800 ? 2 : c >= 0xd800 && c <= 0xdbff ? 4 : c >= 0xdc00 && c <= 0xdfff ? 0 : 3;
    for (let b = 0; b < bytes; b++) map.push(i);
  }
  map.push(text.length);
  return (b) => map[Math.min(b, map.length - 1)]!;
}

/** libpg_query's cursor position counts code points; convert to a string index. */
function codePointIndex(text: string, cp: number): number {
  let i = 0;
  for (let k = 0; k < cp && i < text.length; k++) {
    const c = text.charCodeAt(i);
    i += c >= 0xd800 && c <= 0xdbff ? 2 : 1;
  }
  return i;
}

function trimEnd(text: string, start: number, end: number): number {
  while (end > start && /\s/.test(text[end - 1]!)) end--;
  return end;
}

function trimStart(text: string, start: number, end: number): number {
  while (start < end && /\s/.test(text[start]!)) start++;
  return start;
}

interface ParserError {
  message: string;
  sqlDetails?: { cursorPosition: number };
}

function parseWhole(text: string): ParsedStatement[] {
  const result = parseSync(text);
  const toIndex = byteMapper(text);
  const out: ParsedStatement[] = [];
  for (const raw of result.stmts ?? []) {
    if (!raw.stmt) continue;
    const b0 = raw.stmt_location ?? 0;
    const start = toIndex(b0);
    const end = trimEnd(text, start, raw.stmt_len ? toIndex(b0 + raw.stmt_len) : text.length);
    out.push({ node: raw.stmt, type: typeOf(raw.stmt), start, end, sql: text.slice(start, end) });
  }
  return out;
}

/** Statements per parser call for large texts: small parse trees die young (much less GC work). */
const CHUNK = 256;
const LARGE = 64 * 1024;

export type ParsedItem = ParsedStatement | SyntaxIssue;
export const isSyntaxIssue = (x: ParsedItem): x is SyntaxIssue => 'message' in x;

export interface SqlStream {
  /** Comments of the text, when asked for (or when the text had to be lexed anyway). */
  comments: Comment[] | undefined;
  /** Statements and syntax errors in text order. Parse trees are produced chunk by chunk. */
  items: Iterable<ParsedItem>;
}

const shift = (s: ParsedStatement, by: number): ParsedStatement => (by ? { ...s, start: s.start + by, end: s.end + by } : s);

function issue(text: string, seg: Segment, piece: string, err: ParserError): SyntaxIssue {
  const start = trimStart(text, seg.start, seg.end);
  const end = trimEnd(text, start, seg.end);
  return { message: err.message, offset: seg.start + codePointIndex(piece, err.sqlDetails!.cursorPosition), start, end, sql: text.slice(start, end) };
}

function tryParse(piece: string): ParsedStatement[] | ParserError {
  try {
    return parseWhole(piece);
  } catch (e) {
    const err = e as ParserError;
    if (!err.sqlDetails) throw e;
    return err;
  }
}

/** Parse `;`-separated segments, CHUNK at a time; a chunk that fails is parsed segment by segment. */
function* fromSegments(text: string, live: Segment[]): Generator<ParsedItem> {
  // Keep the `;` so the parser's message matches what PostgreSQL says about the whole text.
  const endOf = (seg: Segment) => (text[seg.end] === ';' ? seg.end + 1 : seg.end);
  let i = 0;
  while (i < live.length) {
    const j = Math.min(i + CHUNK, live.length);
    const from = live[i]!.start;
    const chunk = tryParse(text.slice(from, endOf(live[j - 1]!)));
    if (Array.isArray(chunk)) {
      for (const s of chunk) yield shift(s, from);
      i = j;
      continue;
    }
    let k = i;
    while (k < j) {
      const seg = live[k]!;
      const piece = text.slice(seg.start, endOf(seg));
      const one = tryParse(piece);
      if (Array.isArray(one)) {
        for (const s of one) yield shift(s, seg.start);
        k++;
        continue;
      }
      // `BEGIN ATOMIC … END` bodies hold semicolons the splitter cannot know about: join segments.
      let joined = false;
      if (/begin\s+atomic/i.test(piece)) {
        for (let m = k + 1; m < Math.min(live.length, k + 64) && !joined; m++) {
          const longer = tryParse(text.slice(seg.start, endOf(live[m]!)));
          if (Array.isArray(longer)) {
            for (const s of longer) yield shift(s, seg.start);
            k = m + 1;
            joined = true;
          }
        }
      }
      if (!joined) {
        yield issue(text, seg, piece, one);
        k++;
      }
    }
    i = k;
  }
}

/** The lexed (exact) path for `text` from `from` on. */
function* lexedFrom(text: string, from: number): Generator<ParsedItem> {
  const rest = text.slice(from);
  const { segments, comments } = lexSql(rest);
  const live = segments.filter((seg) => !isBlank(rest, seg, comments)).map((seg) => ({ start: seg.start + from, end: seg.end + from }));
  yield* fromSegments(text, live);
}

/**
 * Large texts that parse: cut at `;` + newline every CHUNK statements without lexing. A cut inside
 * a string, a quoted identifier, a dollar-quoted body or a comment leaves an unterminated token, so
 * that chunk fails to parse — and from there on the exact lexer splits the rest.
 */
function* fastChunks(text: string): Generator<ParsedItem> {
  let from = 0;
  while (from < text.length) {
    let cut = from;
    for (let n = 0; n < CHUNK; n++) {
      const next = text.indexOf(';\n', cut);
      if (next < 0) {
        cut = text.length;
        break;
      }
      cut = next + 2;
    }
    const piece = text.slice(from, cut);
    if (piece.trim() === '') return;
    const parsed = tryParse(piece);
    if (!Array.isArray(parsed)) {
      yield* lexedFrom(text, from);
      return;
    }
    for (const s of parsed) yield shift(s, from);
    from = cut;
  }
}

/**
 * Parse SQL text into statements, lazily. Never throws for bad SQL: syntax errors come back as
 * items with the parser's message and position, and the other statements are still produced.
 */
export function streamSql(text: string, withComments = false): SqlStream {
  if (!loaded) throw new Error('The SQL parser is not loaded: await loadParser() first.');
  if (text.trim() === '') return { comments: withComments ? [] : undefined, items: [] };
  if (text.length < LARGE) {
    const whole = tryParse(text);
    if (Array.isArray(whole)) return { comments: withComments ? lexSql(text).comments : undefined, items: whole };
  }
  if (withComments || text.length < LARGE) {
    const { segments, comments } = lexSql(text);
    return { comments, items: fromSegments(text, segments.filter((seg) => !isBlank(text, seg, comments))) };
  }
  return { comments: undefined, items: fastChunks(text) };
}

/** Parse all of a text at once (tests, small inputs). */
export function parseSql(text: string, withComments = false): ParsedSql {
  const stream = streamSql(text, withComments);
  const statements: ParsedStatement[] = [];
  const errors: SyntaxIssue[] = [];
  for (const item of stream.items) {
    if (isSyntaxIssue(item)) errors.push(item);
    else statements.push(item);
  }
  return withComments ? { statements, errors, comments: stream.comments ?? [] } : { statements, errors };
}

/** 1-based line/column of string indices, computed once per text. */
export class LineIndex {
  private readonly starts: number[] = [0];
  constructor(text: string) {
    for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) this.starts.push(i + 1);
  }

  position(offset: number): { line: number; column: number } {
    let lo = 0;
    let hi = this.starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.starts[mid]! <= offset) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo + 1, column: offset - this.starts[lo]! + 1 };
  }
}
