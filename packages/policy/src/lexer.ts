// A small SQL lexer for the two things the real parser does not give us: comments (waivers live in
// them) and statement boundaries when the text does not parse as a whole (so one bad statement does
// not stop the others from being linted). It understands '…' (with '' and E'\…' escapes), "…",
// $tag$…$tag$, -- and nested /* */ comments. Offsets are JavaScript string indices.

export interface Segment {
  start: number;
  /** Exclusive; the `;` itself is not included. */
  end: number;
}

export interface Comment {
  start: number;
  end: number;
  /** The comment body, without the comment markers. */
  body: string;
}

export interface Lexed {
  segments: Segment[];
  comments: Comment[];
}

const isIdentStart = (c: number) => (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95 || c >= 128;
const isIdentChar = (c: number) => isIdentStart(c) || (c >= 48 && c <= 57);

export function lexSql(text: string): Lexed {
  const segments: Segment[] = [];
  const comments: Comment[] = [];
  const n = text.length;
  let segStart = 0;
  let i = 0;
  while (i < n) {
    const c = text.charCodeAt(i);
    if (c === 39 /* ' */) {
      const escapes = i > 0 && (text[i - 1] === 'E' || text[i - 1] === 'e') && (i < 2 || !isIdentChar(text.charCodeAt(i - 2)));
      i++;
      while (i < n) {
        const d = text.charCodeAt(i);
        if (escapes && d === 92 /* \ */) i += 2;
        else if (d === 39) {
          if (text.charCodeAt(i + 1) === 39) i += 2;
          else break;
        } else i++;
      }
      i++;
    } else if (c === 34 /* " */) {
      i++;
      while (i < n) {
        if (text.charCodeAt(i) === 34) {
          if (text.charCodeAt(i + 1) === 34) i += 2;
          else break;
        } else i++;
      }
      i++;
    } else if (c === 45 /* - */ && text.charCodeAt(i + 1) === 45) {
      let end = text.indexOf('\n', i);
      if (end < 0) end = n;
      comments.push({ start: i, end, body: text.slice(i + 2, end).replace(/\r$/, '') });
      i = end;
    } else if (c === 47 /* / */ && text.charCodeAt(i + 1) === 42 /* * */) {
      const start = i;
      let depth = 1;
      i += 2;
      while (i < n && depth > 0) {
        if (text.charCodeAt(i) === 47 && text.charCodeAt(i + 1) === 42) {
          depth++;
          i += 2;
        } else if (text.charCodeAt(i) === 42 && text.charCodeAt(i + 1) === 47) {
          depth--;
          i += 2;
        } else i++;
      }
      comments.push({ start, end: i, body: text.slice(start + 2, Math.max(start + 2, i - 2)) });
    } else if (c === 36 /* $ */ && (i === 0 || !isIdentChar(text.charCodeAt(i - 1)))) {
      // $tag$ … $tag$ (a tag never starts with a digit, so $1 parameters are not quotes)
      let j = i + 1;
      if (j < n && isIdentStart(text.charCodeAt(j))) while (j < n && isIdentChar(text.charCodeAt(j))) j++;
      if (text.charCodeAt(j) === 36) {
        const tag = text.slice(i, j + 1);
        const close = text.indexOf(tag, j + 1);
        i = close < 0 ? n : close + tag.length;
      } else i++;
    } else if (c === 59 /* ; */) {
      segments.push({ start: segStart, end: i });
      segStart = ++i;
    } else i++;
  }
  if (segStart < n) segments.push({ start: segStart, end: n });
  return { segments, comments };
}

/** True when the range holds only whitespace and comments. */
export function isBlank(text: string, seg: Segment, comments: readonly Comment[]): boolean {
  let i = seg.start;
  let k = 0;
  while (k < comments.length && comments[k]!.end <= i) k++;
  while (i < seg.end) {
    const c = text.charCodeAt(i);
    if (c === 32 || c === 9 || c === 10 || c === 13 || c === 12) {
      i++;
      continue;
    }
    const cm = comments[k];
    if (cm && cm.start === i) {
      i = cm.end;
      k++;
      continue;
    }
    return false;
  }
  return true;
}
