import { columnType, show } from '../ast.js';
import { defineRule } from '../define.js';
import { columnLabel } from './_shared.js';

export default defineRule({
  meta: {
    id: 'prefer-timestamptz',
    code: 'HY104',
    defaultSeverity: 'warning',
    category: 'hygiene',
    engines: ['postgres'],
    preset: 'strict',
    since: '0.1.0',
    messages: {
      naive: '{{table}}.{{column}} is timestamp without time zone: values carry no zone, so the same instant is stored differently by servers and clients in different zones, and DST changes make some local times ambiguous.',
    },
    docs: {
      summary: '`timestamp` (without time zone) columns.',
      problem: '`timestamp without time zone` stores wall-clock values with no zone: what they mean depends on every writer’s TimeZone setting. Converting later (to timestamptz) rewrites the table unless the session is UTC.',
      safeAlternative: 'Use `timestamptz` for points in time; it stores UTC and converts on input/output.',
      frameworks: { rails: 'Set `ActiveRecord::ConnectionAdapters::PostgreSQLAdapter.datetime_type = :timestamptz` (Rails 7+).', django: 'Keep `USE_TZ = True` (DateTimeField is then timestamptz).', prisma: 'Use `DateTime @db.Timestamptz(6)`.' },
      examples: { unsafe: 'CREATE TABLE events (happened_at timestamp);', safe: 'CREATE TABLE events (happened_at timestamptz);' },
    },
  },
  create(ctx) {
    return {
      ColumnDef(col, path) {
        if (columnType(col.typeName)?.name === 'timestamp') ctx.report({ messageId: 'naive', data: { table: show(path.table), column: columnLabel(col, path) } });
      },
    };
  },
});
