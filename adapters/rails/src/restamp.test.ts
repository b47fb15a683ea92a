import { describe, expect, it } from 'vitest';
import type { Migration } from '@metamig/core';
import { parseRailsTimestamp, planRestamp, railsTimestamp } from './restamp.js';

const m = (id: string, state: Migration['state'], file = `db/migrate/${id}_step_${id.slice(-4)}.rb`): Migration => ({ id, name: 'x', file, parents: [], state, reversible: true });

describe('restamp', () => {
  it('gives pending out-of-order files new versions after every existing one, one second apart', () => {
    const plan = planRestamp(
      [m('20240401090000', 'applied'), m('20240410090000', 'applied'), m('20240405090000', 'out-of-order', 'db/migrate/20240405090000_add_owner_to_projects.rb'), m('20240407090000', 'out-of-order', 'db/migrate/sub/20240407090000_add_archived.rb')],
      new Date('2024-03-01T00:00:00Z'), // now is older than the newest migration: the newest wins
    );
    expect(plan).toEqual({
      refused: [],
      renames: [
        { id: '20240405090000', from: 'db/migrate/20240405090000_add_owner_to_projects.rb', to: 'db/migrate/20240410090001_add_owner_to_projects.rb', newId: '20240410090001' },
        { id: '20240407090000', from: 'db/migrate/sub/20240407090000_add_archived.rb', to: 'db/migrate/sub/20240410090002_add_archived.rb', newId: '20240410090002' },
      ],
    });
  });

  it('uses the current time when it is later, and never touches applied or merely pending files', () => {
    const plan = planRestamp([m('20240401090000', 'applied'), m('20240402090000', 'out-of-order'), m('20240403090000', 'applied'), m('20240404090000', 'pending')], new Date('2025-01-02T03:04:05.678Z'));
    expect(plan.renames.map((r) => [r.id, r.newId])).toEqual([['20240402090000', '20250102030405']]);
  });

  it('numbers plain-numbered projects, and refuses what it cannot rename safely', () => {
    expect(planRestamp([m('001', 'applied'), m('003', 'applied'), m('002', 'out-of-order', 'db/migrate/002_x.rb')], new Date()).renames.map((r) => r.to)).toEqual(['db/migrate/004_x.rb']);
    const refused = planRestamp([m('20240401090000', 'applied'), m('20240301090000', 'out-of-order', 'db/migrate/renamed.rb'), { ...m('20240302090000', 'out-of-order'), file: undefined }], new Date());
    expect(refused.renames).toEqual([]);
    expect(refused.refused.map((r) => r.reason)).toEqual(['its file name does not start with its version 20240301090000_', 'its file path is unknown: rename it by hand']);
  });

  it('reads and writes the yyyymmddhhmmss format of rails generate', () => {
    expect(railsTimestamp(new Date('2024-02-29T23:59:58Z'))).toBe('20240229235958');
    expect(parseRailsTimestamp('20241399000000')).toBeUndefined();
    expect(parseRailsTimestamp('20240229235958')?.toISOString()).toBe('2024-02-29T23:59:58.000Z');
  });
});
