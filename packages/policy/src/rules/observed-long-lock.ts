import { z } from 'zod';
import { defineRule } from '../define.js';
import { blocks, isBlocking } from '../locks.js';
import { seconds } from './_shared.js';

export default defineRule({
  meta: {
    id: 'observed-long-lock',
    code: 'PG301',
    defaultSeverity: 'warning',
    category: 'locking',
    engines: ['postgres'],
    preset: 'recommended',
    since: '0.1.0',
    options: z.strictObject({
      /** Report blocking locks held at least this long (milliseconds). */
      thresholdMs: z.number().int().nonnegative().default(1000),
    }),
    messages: {
      held: 'Measured in the sandbox: this statement held {{mode}} on {{relation}} for {{duration}}, blocking {{blocked}} on {{relation}} all that time (threshold {{threshold}}). On production data it will be longer.',
    },
    docs: {
      summary: 'A sandbox run measured a blocking lock held longer than the threshold.',
      problem:
        'Static rules guess which locks a statement takes; a sandbox run measures them. When a statement held a lock that blocks reads or writes (SHARE and stronger) on a table that existed before the migration for longer than `thresholdMs` (default 1000 ms) on sandbox data, production — with more rows and real traffic — will be blocked at least as long.',
      safeAlternative:
        'Use the online form of the operation (CONCURRENTLY, NOT VALID + VALIDATE, expand/contract), move slow work out of the transaction that holds the lock, and set `lock_timeout` so a blocked migration gives up instead of stalling the application.',
      frameworks: {},
      examples: {
        unsafe: 'ALTER TABLE users ADD COLUMN bio text;',
        safe: 'ALTER TABLE users ADD COLUMN bio text;',
        context: { observations: [{ statement: 0, locks: [{ relation: 'users', mode: 'ACCESS EXCLUSIVE', heldMs: 2100 }] }] },
        safeContext: { observations: [{ statement: 0, locks: [{ relation: 'users', mode: 'ACCESS EXCLUSIVE', heldMs: 40 }] }] },
      },
    },
  },
  create(ctx) {
    return {
      statement() {
        for (const o of ctx.observations()) {
          for (const l of o.locks ?? []) {
            if (!isBlocking(l.mode) || l.heldMs < ctx.options.thresholdMs) continue;
            ctx.report({ messageId: 'held', data: { mode: l.mode, relation: l.relation, duration: seconds(l.heldMs), blocked: blocks(l.mode), threshold: seconds(ctx.options.thresholdMs) } });
          }
        }
      },
    };
  },
});
