import { z } from 'zod';
import { show } from '../ast.js';
import { defineRule } from '../define.js';
import { blocks, isBlocking } from '../locks.js';
import { seconds } from './_shared.js';

export default defineRule({
  meta: {
    id: 'missing-lock-timeout',
    code: 'TX101',
    defaultSeverity: 'warning',
    strictSeverity: 'error',
    category: 'transactions',
    engines: ['postgres'],
    preset: 'recommended',
    since: '0.1.0',
    options: z.strictObject({
      /** A lock_timeout longer than this is reported too (milliseconds). */
      maxMs: z.number().int().positive().default(10_000),
    }),
    messages: {
      missing:
        'This statement needs {{mode}} on {{table}} (it blocks {{blocked}}) and no lock_timeout is set before it in this migration: if any transaction holds a conflicting lock, the statement waits indefinitely — and every query on {{table}} queues behind it, an outage that lasts as long as the longest running query.',
      disabled: 'lock_timeout is set to 0 (disabled) before this statement, which needs {{mode}} on {{table}}: a blocked migration stalls every query on {{table}} behind it.',
      tooLong: 'lock_timeout is {{value}} here, longer than the policy maximum of {{max}}: while this statement waits for {{mode}} on {{table}}, every query on {{table}} queues behind it for up to {{value}}.',
    },
    docs: {
      summary: 'A statement that needs a blocking lock runs without a lock_timeout.',
      problem:
        'A statement that needs a strong lock (SHARE or above: most ALTER TABLE forms, plain CREATE INDEX, DROP, TRUNCATE …) on a busy table first waits for every transaction holding a conflicting lock — a long report, an idle-in-transaction session. While it waits, it sits in the lock queue, and every later query on the table — even plain SELECTs — queues behind it. Without `lock_timeout` that wait has no limit. Tables created in the same migration are exempt.',
      safeAlternative:
        'Start the migration with `SET lock_timeout = \'2s\';` (or `SET LOCAL` inside the transaction) and retry the migration when it times out. If the timeout is set elsewhere (ALTER ROLE … SET lock_timeout, the connection string, the framework), turn this rule off for those projects in the policy.',
      frameworks: {
        alembic: 'Call `op.execute("SET lock_timeout = \'2s\'")` at the start of `upgrade()` (or set it once in env.py with `connection.execute(text(...))`).',
        django: 'Start the migration with `migrations.RunSQL("SET lock_timeout = \'2s\'", migrations.RunSQL.noop)`, or use django-pg-zero-downtime-migrations which sets it for you.',
        rails: 'strong_migrations sets it: `StrongMigrations.lock_timeout = 10.seconds`; otherwise `execute "SET lock_timeout = \'2s\'"`.',
        laravel: 'Run `DB::statement("SET lock_timeout = \'2s\'")` at the start of `up()`.',
        knex: 'Run `await knex.raw("SET lock_timeout = \'2s\'")` at the start of `up()`.',
        prisma: 'Put `SET lock_timeout = \'2s\';` at the top of migration.sql.',
        typeorm: 'Run `await queryRunner.query("SET lock_timeout = \'2s\'")` at the start of `up()`.',
        flyway: 'Put `SET lock_timeout = \'2s\';` at the top of the script (or in an `beforeEachMigrate` callback).',
      },
      examples: { unsafe: 'ALTER TABLE users ADD COLUMN bio text;', safe: "SET lock_timeout = '2s';\nALTER TABLE users ADD COLUMN bio text;" },
    },
  },
  create(ctx) {
    let reported = false;
    return {
      statement(stmt) {
        if (reported) return;
        const lock = ctx.state.locksOnExisting(stmt).find((l) => isBlocking(l.mode));
        if (!lock) return;
        const data = { mode: lock.mode, table: show(lock.relation), blocked: blocks(lock.mode) };
        const t = ctx.state.lockTimeout;
        if (!t) ctx.report({ messageId: 'missing', data });
        else if (t.ms === 0) ctx.report({ messageId: 'disabled', data });
        else if (t.ms !== undefined && t.ms > ctx.options.maxMs) ctx.report({ messageId: 'tooLong', data: { ...data, value: seconds(t.ms), max: seconds(ctx.options.maxMs) } });
        else return;
        reported = true;
      },
    };
  },
});
