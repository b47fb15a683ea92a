import { describe, expect, it } from 'vitest';
import type { Migration } from '@metamig/core';
import { laravelTimestamp, parseLaravelTimestamp, planRestamp } from './restamp.js';

const m = (id: string, state: Migration['state'], batch?: number): Migration => ({
  id,
  name: id.slice(18),
  file: `database/migrations/${id}.php`,
  parents: [],
  state,
  reversible: true,
  ...(batch ? { batch } : {}),
});

describe('Laravel timestamps', () => {
  it("uses MigrationCreator's Y_m_d_His prefix", () => {
    expect(laravelTimestamp(new Date(Date.UTC(2024, 2, 5, 9, 0, 7)))).toBe('2024_03_05_090007');
    expect(parseLaravelTimestamp('2024_03_05_090007_add_owner')?.toISOString()).toBe('2024-03-05T09:00:07.000Z');
    expect(parseLaravelTimestamp('2024_13_45_090000_nope')).toBeUndefined();
    expect(parseLaravelTimestamp('add_owner')).toBeUndefined();
  });
});

describe('planRestamp', () => {
  const now = new Date(Date.UTC(2024, 0, 1)); // older than every migration: the newest stamp decides
  it('renames unapplied out-of-order files after the newest one, in order, and refuses applied ones', () => {
    const plan = planRestamp(
      [
        m('2024_03_01_090000_create_projects_table', 'applied', 1),
        m('2024_03_10_090000_create_tasks_table', 'applied', 1),
        m('2024_03_05_090000_add_owner_to_projects_table', 'applied', 2),
        m('2024_03_07_090000_add_archived_to_projects_table', 'out-of-order'),
        m('2024_03_08_090000_add_due_to_tasks_table', 'out-of-order'),
      ],
      now,
    );
    expect(plan.renames).toEqual([
      {
        id: '2024_03_07_090000_add_archived_to_projects_table',
        from: 'database/migrations/2024_03_07_090000_add_archived_to_projects_table.php',
        to: 'database/migrations/2024_03_10_090001_add_archived_to_projects_table.php',
        newId: '2024_03_10_090001_add_archived_to_projects_table',
      },
      {
        id: '2024_03_08_090000_add_due_to_tasks_table',
        from: 'database/migrations/2024_03_08_090000_add_due_to_tasks_table.php',
        to: 'database/migrations/2024_03_10_090002_add_due_to_tasks_table.php',
        newId: '2024_03_10_090002_add_due_to_tasks_table',
      },
    ]);
    expect(plan.refused).toEqual([{ file: 'database/migrations/2024_03_05_090000_add_owner_to_projects_table.php', reason: expect.stringMatching(/^already applied \(batch 2\): Laravel knows it by its file name/) }]);
  });

  it('uses the current time when it is newer, and refuses what it cannot rename', () => {
    const later = new Date(Date.UTC(2025, 5, 1, 12, 0, 0));
    const plan = planRestamp([m('2024_03_10_090000_b', 'applied', 1), m('2024_03_07_090000_a', 'out-of-order'), { ...m('2024_03_08_090000_pkg', 'out-of-order'), file: '/vendor/pkg/2024_03_08_090000_pkg.php' }, { ...m('legacy_x', 'out-of-order'), id: '1_legacy_x' }], later);
    expect(plan.renames.map((r) => r.newId)).toEqual(['2025_06_01_120000_a']);
    expect(plan.refused.map((r) => r.reason)).toEqual([expect.stringContaining('outside the project'), expect.stringContaining("does not start with Laravel's Y_m_d_His timestamp")]);
    expect(planRestamp([m('2024_03_10_090000_b', 'applied', 1)], later)).toEqual({ renames: [], refused: [] });
  });
});
