// Prisma migrations are plain SQL files. This splits one into statements with their 1-based line
// (quotes, "identifiers", $tag$ bodies, comments and SQLite trigger bodies respected) and says
// which statements change data rather than schema: a schema diff cannot generate their reverse.

export interface SqlStatement {
  sql: string;
  /** 1-based line of the statement's first token. */
  line: number;
}

const TRIGGER_START = /^create\s+(?:temp\s+|temporary\s+)?trigger\b/i;

export function splitStatements(text: string): SqlStatement[] {
  const out: SqlStatement[] = [];
  let buf = '';
  let startLine = 0; // 0 = no token yet
  let line = 1;
  let i = 0;
  const push = () => {
    const sql = buf.trim();
    if (sql && startLine) out.push({ sql, line: startLine });
    buf = '';
    startLine = 0;
  };
  const take = (s: string) => {
    buf += s;
    for (const c of s) if (c === '\n') line++;
  };
  while (i < text.length) {
    const c = text[i]!;
    const rest = text.slice(i);
    if (c === '-' && text[i + 1] === '-') {
      const end = text.indexOf('\n', i);
      const comment = end < 0 ? rest : text.slice(i, end);
      if (startLine) buf += comment; // comments inside a statement stay; leading ones are dropped
      i += comment.length;
      continue;
    }
    if (c === '/' && text[i + 1] === '*') {
      const end = text.indexOf('*/', i + 2);
      const comment = end < 0 ? rest : text.slice(i, end + 2);
      if (startLine) take(comment);
      else for (const ch of comment) if (ch === '\n') line++;
      i += comment.length;
      continue;
    }
    if (/\s/.test(c)) {
      if (startLine) take(c);
      else if (c === '\n') line++;
      i++;
      continue;
    }
    if (!startLine) startLine = line;
    if (c === "'" || c === '"' || c === '`') {
      let j = i + 1;
      while (j < text.length) {
        if (text[j] === c && text[j + 1] === c) j += 2;
        else if (text[j] === c) break;
        else j++;
      }
      take(text.slice(i, j + 1));
      i = j + 1;
      continue;
    }
    const dollar = /^\$([A-Za-z_]\w*)?\$/.exec(rest);
    if (dollar) {
      const tag = dollar[0];
      const end = text.indexOf(tag, i + tag.length);
      const body = end < 0 ? rest : text.slice(i, end + tag.length);
      take(body);
      i += body.length;
      continue;
    }
    if (c === ';') {
      // SQLite trigger bodies: `BEGIN …; …; END;` is one statement.
      if (TRIGGER_START.test(buf.trim()) && !/\bend\s*$/i.test(buf.trim())) {
        take(c);
        i++;
        continue;
      }
      push();
      i++;
      continue;
    }
    take(c);
    i++;
  }
  push();
  return out;
}

const DATA = /^(insert|update|delete|merge|copy|truncate|upsert|replace)\b/i;
const CODE = /^(do|call)\b/i;
const CTE_WRITE = /^with\b[\s\S]*\b(insert|update|delete)\b/i;

/** Tables the script itself creates (Prisma's SQLite "RedefineTables" copies rows into one). */
function createdTables(statements: SqlStatement[]): Set<string> {
  const names = new Set<string>();
  for (const s of statements) {
    const m = /^create\s+(?:temp\s+|temporary\s+)?table\s+(?:if\s+not\s+exists\s+)?((?:"[^"]+"|\w+)(?:\.(?:"[^"]+"|\w+))?)/i.exec(s.sql);
    if (m) names.add(m[1]!.replace(/"/g, '').toLowerCase());
  }
  return names;
}

/** The first statement that changes data (or runs code), which no schema diff can reverse. */
export function firstDataStatement(statements: SqlStatement[]): SqlStatement | undefined {
  const created = createdTables(statements);
  return statements.find((s) => {
    if (CODE.test(s.sql) || CTE_WRITE.test(s.sql)) return true;
    if (!DATA.test(s.sql)) return false;
    // INSERT INTO "new_users" … SELECT … FROM "users": Prisma moving rows into a redefined table.
    const into = /^insert\s+into\s+((?:"[^"]+"|\w+)(?:\.(?:"[^"]+"|\w+))?)[\s\S]*\bselect\b/i.exec(s.sql);
    return !(into && created.has(into[1]!.replace(/"/g, '').toLowerCase()));
  });
}

/** Statements PostgreSQL refuses inside a transaction block. */
export const NON_TRANSACTIONAL = /\bconcurrently\b|^(vacuum|alter\s+system|create\s+database|drop\s+database|reindex\s+(database|system))\b/i;

export const firstLine = (sql: string) => sql.split('\n')[0]!.trim();
