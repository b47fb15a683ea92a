import { defineRule } from '../define.js';

export default defineRule({
  meta: {
    id: 'irreversible-migration',
    code: 'RV101',
    defaultSeverity: 'warning',
    category: 'reversibility',
    engines: ['postgres'],
    preset: 'recommended',
    since: '0.1.0',
    messages: {
      irreversible: 'Migration {{id}} cannot be rolled back{{reason}}: if this deploy has to be undone, `metamig down` refuses, and the schema (and any data it changed) must be restored by hand or from a backup.',
    },
    docs: {
      summary: 'A migration the framework (or its code) says cannot be rolled back.',
      problem:
        'The adapter reports migrations without a down step (an empty `downgrade()`, a Rails `IrreversibleMigration`, a Django operation without a reverse, a Flyway Community versioned script …). Deploying one removes the easy way back: a rollback needs a hand-written fix or a restore.',
      safeAlternative: 'Write the down step (even a partial one, e.g. re-create a dropped column empty), or accept the risk explicitly with a waiver that says how to recover (backup, forward fix), so it lands on the rollback checklist.',
      frameworks: {
        alembic: 'Implement `downgrade()`.',
        django: 'Give `RunPython`/`RunSQL` a `reverse_code`/`reverse_sql` (`migrations.RunPython.noop` when nothing needs undoing).',
        rails: 'Use reversible `change` methods, or write `down` instead of raising `ActiveRecord::IrreversibleMigration`.',
        laravel: 'Implement `down()`.',
        knex: 'Implement `exports.down`.',
        typeorm: 'Implement `down(queryRunner)`.',
        prisma: 'Prisma Migrate has no down migrations: keep a tested rollback script (`prisma migrate diff --script`) next to risky migrations.',
        flyway: 'Write an undo script (`U<version>__…sql`, Flyway Teams) or a forward-fix plan.',
      },
      examples: { unsafe: 'ALTER TABLE t ADD COLUMN a int;', safe: 'ALTER TABLE t ADD COLUMN a int;', context: { reversible: false, irreversibleReason: 'downgrade() is empty' }, safeContext: { reversible: true } },
    },
  },
  create(ctx) {
    return {
      migration(m) {
        if (m.reversible !== false) return;
        ctx.report({ messageId: 'irreversible', statement: null, data: { id: m.id ?? m.file ?? 'this migration', reason: m.irreversibleReason ? ` (${m.irreversibleReason})` : '' } });
      },
    };
  },
});
