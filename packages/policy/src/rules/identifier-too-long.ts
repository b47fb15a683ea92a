import { defineRule } from '../define.js';

const MAX = 63;
const bytes = (s: string) => Buffer.byteLength(s, 'utf8');

// Strings, comments and dollar-quoted bodies are skipped; quoted identifiers keep their case,
// unquoted ones are folded to lower case, as PostgreSQL does.
const TOKENS = /'(?:[^']|'')*'|"((?:[^"]|"")*)"|--[^\n]*|\/\*[\s\S]*?\*\/|\$([A-Za-z_][\w]*)?\$[\s\S]*?\$\2\$|([A-Za-z_\u0080-\uffff][\w$\u0080-\uffff]*)/g;

/** Identifiers longer than 63 bytes in a statement's text (the parser has already truncated them). */
export function longIdentifiers(sql: string): string[] {
  const out: string[] = [];
  for (const m of sql.matchAll(TOKENS)) {
    const name = m[1] !== undefined ? m[1].replace(/""/g, '"') : m[3]?.toLowerCase();
    if (name && bytes(name) > MAX && !out.includes(name)) out.push(name);
  }
  return out;
}

export default defineRule({
  meta: {
    id: 'identifier-too-long',
    code: 'HY108',
    defaultSeverity: 'warning',
    category: 'hygiene',
    engines: ['postgres'],
    preset: 'strict',
    since: '0.1.0',
    messages: {
      long: 'The identifier "{{name}}" is {{length}} bytes: PostgreSQL silently truncates identifiers to 63 bytes, so it is stored as "{{stored}}" — later migrations and code that use the full name do not find it, and two long names can collide.',
    },
    docs: {
      summary: 'Identifiers longer than 63 bytes, which PostgreSQL silently truncates.',
      problem: 'NAMEDATALEN is 64: identifiers are cut to 63 bytes (not characters — non-ASCII letters count double) with only a NOTICE. The truncated name is what later statements must use.',
      safeAlternative: 'Keep names under 63 bytes; give long generated names (indexes, constraints) an explicit shorter name.',
      frameworks: { rails: 'Pass `name:` to `add_index`/`add_foreign_key` when the generated name is long.', django: 'Set `name=` on indexes and constraints explicitly.' },
      examples: {
        unsafe: 'CREATE INDEX index_customer_subscription_events_on_customer_id_and_created_at_desc ON customer_subscription_events (customer_id, created_at DESC);',
        safe: 'CREATE INDEX cse_customer_created_idx ON customer_subscription_events (customer_id, created_at DESC);',
      },
    },
  },
  create(ctx) {
    return {
      statement(stmt) {
        for (const name of longIdentifiers(stmt.sql)) {
          let stored = name;
          while (bytes(stored) > MAX) stored = stored.slice(0, -1);
          ctx.report({ messageId: 'long', data: { name, length: bytes(name), stored } });
        }
      },
    };
  },
});
