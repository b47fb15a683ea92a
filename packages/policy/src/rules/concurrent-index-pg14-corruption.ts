import { as } from '../ast.js';
import { defineRule } from '../define.js';

const affected = (v: { major: number; minor: number }) => v.major === 14 && v.minor < 4;

export default defineRule({
  meta: {
    id: 'concurrent-index-pg14-corruption',
    code: 'PG113',
    defaultSeverity: 'error',
    category: 'locking',
    engines: ['postgres'],
    preset: 'recommended',
    since: '0.1.0',
    messages: {
      corrupt:
        'CONCURRENTLY index builds on PostgreSQL {{version}} can silently miss rows (the 14.0–14.3 bug fixed in 14.4): the new index may be corrupt and return wrong results.',
    },
    docs: {
      summary: 'CREATE INDEX / REINDEX CONCURRENTLY on PostgreSQL 14.0–14.3 can build corrupt indexes.',
      problem:
        'PostgreSQL 14.0 to 14.3 had a bug where CREATE INDEX CONCURRENTLY and REINDEX CONCURRENTLY could miss rows updated during the build, leaving a corrupt index. The rule fires only when `postgresVersion` is set to 14.0–14.3.',
      safeAlternative: 'Upgrade the server to 14.4 or later before building indexes concurrently; afterwards, rebuild indexes built concurrently on 14.0–14.3 (`pg_amcheck` finds damaged ones).',
      frameworks: {},
      examples: {
        unsafe: 'CREATE INDEX CONCURRENTLY users_email_idx ON users (email);',
        safe: 'CREATE INDEX CONCURRENTLY users_email_idx ON users (email);',
        context: { pgVersion: '14.2' },
        safeContext: { pgVersion: '14.4' },
      },
    },
  },
  create(ctx) {
    const v = ctx.settings.pgVersion;
    const version = `${v.major}.${v.minor}`;
    return {
      IndexStmt(node) {
        if (node.concurrent && affected(v)) ctx.report({ messageId: 'corrupt', data: { version } });
      },
      ReindexStmt(node) {
        if (affected(v) && (node.params ?? []).some((p) => as(p, 'DefElem')?.defname === 'concurrently')) ctx.report({ messageId: 'corrupt', data: { version } });
      },
    };
  },
});
