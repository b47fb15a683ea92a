import { defineRule } from '../define.js';

export default defineRule({
  meta: {
    id: 'uninspected-sql',
    code: 'RV102',
    defaultSeverity: 'info',
    category: 'reversibility',
    engines: ['postgres'],
    preset: 'recommended',
    since: '0.1.0',
    messages: {
      unavailable: 'metamig could not see the SQL of migration {{id}} ({{reason}}), so no rule checked it: review that migration by hand before it runs.',
      opaque: 'Migration {{id}} runs code that is not SQL ({{note}}): metamig cannot check what it does to the database. Review it by hand (data migrations: batched, idempotent, reversible).',
    },
    docs: {
      summary: 'Part of a migration could not be checked: its SQL is unavailable, or it runs non-SQL code.',
      problem:
        'The policy judges the SQL each framework will really send. When an adapter cannot produce it (no offline mode, a dynamic migration) or the migration runs code (Django `RunPython`, a Rails block, a Knex JS loop), that part is invisible to every rule. This note makes the gap visible instead of silently passing.',
      safeAlternative: 'Capture the SQL with a sandbox run, keep data migrations small and separate from schema changes, and review non-SQL steps by hand.',
      frameworks: {},
      examples: { unsafe: 'ALTER TABLE t ADD COLUMN a int;', safe: 'ALTER TABLE t ADD COLUMN a int;', context: { opaque: ['RunPython(backfill_names)'] }, safeContext: { opaque: [] } },
    },
  },
  create(ctx) {
    return {
      migration(m) {
        const id = m.id ?? m.file ?? 'this migration';
        if (m.sqlSource === 'unavailable') ctx.report({ messageId: 'unavailable', statement: null, data: { id, reason: m.unavailableReason ?? 'no SQL preview' } });
        for (const note of m.opaque) ctx.report({ messageId: 'opaque', statement: null, data: { id, note: note.length > 120 ? `${note.slice(0, 120)}…` : note } });
      },
    };
  },
});
