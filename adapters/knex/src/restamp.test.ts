import { describe, expect, it } from 'vitest';
import type { Migration } from '@metamig/core';
import { recorded } from '@metamig/testkit';
import { migrationsFromStatus, parseHelperOutput } from './parse.js';
import { appliedOutOfOrder, knexTimestamp, parseKnexTimestamp, planRestamp } from './restamp.js';

const m = (id: string, state: Migration['state'], extra: Partial<Migration> = {}): Migration => ({ id, name: id, file: `migrations/${id}`, parents: [], state, reversible: true, ...extra });
const NOW = new Date(Date.UTC(2025, 5, 1, 12, 0, 0, 750));

describe('timestamps', () => {
  it("formats and parses knex's yyyymmddhhmmss (UTC)", () => {
    expect(knexTimestamp(NOW)).toBe('20250601120000');
    expect(parseKnexTimestamp('20250601120000_x.cjs')?.toISOString()).toBe('2025-06-01T12:00:00.000Z');
    expect(parseKnexTimestamp('20241399000000_x.cjs')).toBeUndefined(); // month 13
    expect(parseKnexTimestamp('2024_x.cjs')).toBeUndefined();
    expect(parseKnexTimestamp('20240101000000.cjs')).toBeUndefined();
  });
});

describe('planRestamp', () => {
  it('renames unapplied out-of-order files after everything, keeping suffix, extension and order', () => {
    const plan = planRestamp(
      [m('20240101000000_a.cjs', 'applied'), m('20240301000000_c.cjs', 'applied'), m('20240201000000_b.cjs', 'out-of-order'), m('20240202000000_b2.ts', 'out-of-order'), m('20240401000000_d.cjs', 'pending')],
      NOW,
    );
    expect(plan.renames).toEqual([
      { id: '20240201000000_b.cjs', from: 'migrations/20240201000000_b.cjs', to: 'migrations/20250601120000_b.cjs', newId: '20250601120000_b.cjs' },
      { id: '20240202000000_b2.ts', from: 'migrations/20240202000000_b2.ts', to: 'migrations/20250601120001_b2.ts', newId: '20250601120001_b2.ts' },
    ]);
    expect(plan.refused).toEqual([]);
  });

  it('goes past a migration dated in the future', () => {
    const plan = planRestamp([m('20240101000000_a.cjs', 'applied'), m('20991231235959_future.cjs', 'applied'), m('20240201000000_b.cjs', 'out-of-order')], NOW);
    expect(plan.renames.map((r) => r.newId)).toEqual(['21000101000000_b.cjs']);
  });

  it('refuses applied out-of-order files and names it cannot restamp', () => {
    const plan = planRestamp(
      [
        m('20240101000000_a.cjs', 'applied'),
        m('20240301000000_c.cjs', 'applied'),
        m('20240201000000_b.cjs', 'applied', { batch: 2 }),
        m('2024_short.cjs', 'out-of-order'),
        m('20240202000000_nofile.cjs', 'out-of-order', { file: undefined }),
      ],
      NOW,
    );
    expect(plan.renames).toEqual([]);
    expect(plan.refused).toEqual([
      { file: 'migrations/20240201000000_b.cjs', reason: expect.stringMatching(/^already applied \(batch 2\)/) },
      { file: 'migrations/2024_short.cjs', reason: expect.stringContaining('does not start with') },
      { file: '20240202000000_nofile.cjs', reason: expect.stringContaining('custom migrationSource') },
    ]);
  });

  it('on the recorded state: renames the unapplied branch file, refuses the one applied as-is', () => {
    const doc = parseHelperOutput(
      { stdout: recorded('knex/out-of-order', 'helper-status-applied-out-of-order.stdout'), stderr: '' },
      'status',
    );
    const ms = migrationsFromStatus(doc);
    expect(appliedOutOfOrder(ms).map((x) => x.id)).toEqual(['20240305090000_add_projects_owner.cjs']);
    const plan = planRestamp(ms, NOW);
    expect(plan.renames.map((r) => [r.from, r.to])).toEqual([['migrations/20240307090000_add_projects_archived.cjs', 'migrations/20250601120000_add_projects_archived.cjs']]);
    expect(plan.refused.map((r) => r.file)).toEqual(['migrations/20240305090000_add_projects_owner.cjs']);
  });
});
