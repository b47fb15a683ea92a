import { describe, expect, it } from 'vitest';
import type { Migration } from '@metamig/core';
import { appliedOutOfOrder, parsePrismaTimestamp, planRestamp, prismaTimestamp } from './restamp.js';

const m = (id: string, state: Migration['state']): Migration => ({
  id,
  name: id.slice(15),
  file: `prisma/migrations/${id}/migration.sql`,
  parents: [],
  state,
  reversible: true,
});

describe('restamp', () => {
  it("formats and parses Prisma's UTC timestamp, rejecting non-dates", () => {
    expect(prismaTimestamp(new Date(Date.UTC(2024, 3, 5, 9, 0, 7)))).toBe('20240405090007');
    expect(parsePrismaTimestamp('20240405090007_x')?.toISOString()).toBe('2024-04-05T09:00:07.000Z');
    expect(parsePrismaTimestamp('20241399000000_x')).toBeUndefined();
    expect(parsePrismaTimestamp('init')).toBeUndefined();
  });

  it('renames unapplied out-of-order folders after every migration and refuses applied ones', () => {
    const migrations = [
      m('20240401090000_create_projects', 'applied'),
      m('20240403090000_add_owner', 'applied'),
      m('20240402090000_add_archived', 'applied'), // applied after a newer one
      m('20240401120000_add_color', 'out-of-order'),
      m('20240405090000_create_tasks', 'pending'),
    ];
    expect(appliedOutOfOrder(migrations).map((x) => x.id)).toEqual(['20240402090000_add_archived']);
    const plan = planRestamp(migrations, new Date(Date.UTC(2024, 0, 1)));
    expect(plan.renames).toEqual([
      { id: '20240401120000_add_color', from: 'prisma/migrations/20240401120000_add_color', to: 'prisma/migrations/20240405090001_add_color', newId: '20240405090001_add_color' },
    ]);
    expect(plan.refused).toEqual([{ file: 'prisma/migrations/20240402090000_add_archived', reason: expect.stringContaining('already applied') }]);
  });

  it('uses the current time when it is later than every migration, and refuses names without a timestamp', () => {
    const plan = planRestamp([m('20240401090000_a', 'applied'), { ...m('20240301090000_b', 'out-of-order') }, { ...m('20240302090000_c', 'out-of-order'), id: 'manual_c' }], new Date(Date.UTC(2025, 0, 2, 3, 4, 5)));
    expect(plan.renames.map((r) => r.newId)).toEqual(['20250102030405_b']);
    expect(plan.refused).toEqual([{ file: 'prisma/migrations/20240302090000_c', reason: expect.stringContaining('does not start with') }]);
  });
});
