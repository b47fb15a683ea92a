import { defineRule } from '../define.js';

export default defineRule({
  meta: {
    id: 'syntax-error',
    code: 'MM001',
    defaultSeverity: 'error',
    category: 'meta',
    engines: ['postgres'],
    preset: 'recommended',
    since: '0.1.0',
    messages: { syntax: 'PostgreSQL’s parser rejects this statement.' },
    docs: {
      summary: 'A statement PostgreSQL’s own parser rejects.',
      problem:
        'metamig parses with the real PostgreSQL parser (libpg_query, PostgreSQL 18 grammar). A statement it rejects would fail when the migration runs — or uses syntax metamig cannot check. The diagnostic carries the parser’s message and position; the other statements of the file are still checked.',
      safeAlternative: 'Fix the statement. If it is valid for your server but not for the PostgreSQL 18 grammar (rare: removed syntax), waive it with the reason.',
      frameworks: {},
      examples: { unsafe: 'CREATE INDEX ON;', safe: 'CREATE INDEX CONCURRENTLY users_email_idx ON users (email);' },
    },
  },
  // Reported by the engine while parsing (the statement has no parse tree to visit).
  create() {
    return {};
  },
});
