// Target selection on revision graphs. The Alembic behaviour each expectation relies on was checked
// with real runs of Alembic 1.20.1 (see graph.ts); the integration test runs the common shapes for real.
import { describe, expect, it } from 'vitest';
import { type Migration, MigratorError } from '@metamig/core';
import { downgradeMoves, downgradeTargets, upgradeRanges, upgradeTargets } from './graph.js';

/** `spec`: "id<parent,parent" entries in apply order; `applied`: the ids applied. */
function graph(spec: string[], applied: string[] = []): Migration[] {
  return spec.map((s) => {
    const [id, parents] = s.split('<') as [string, string | undefined];
    return { id, name: id, parents: parents ? parents.split(',') : [], state: applied.includes(id) ? 'applied' : 'pending', reversible: true };
  });
}
const pick = (all: Migration[], ids: string[]) => ids.map((id) => all.find((m) => m.id === id)!);

const LINEAR = ['0001', '0002<0001', '0003<0002', '0004<0003'];
const TWO_HEADS = ['0001', '0002<0001', '0003b<0002', '0003a<0002'];
const MERGED = [...TWO_HEADS, 'm<0003a,0003b'];
// r1 → r2 → r3a → r4a → r5a, and r2 → r3b
const BRANCHY = ['r1', 'r2<r1', 'r3a<r2', 'r4a<r3a', 'r5a<r4a', 'r3b<r2'];

describe('upgrade targets', () => {
  it('latest is `heads`, never `head` (which fails with several heads)', () => {
    const all = graph(TWO_HEADS);
    expect(upgradeTargets(all, all, true)).toEqual(['heads']);
  });

  it('steps and --to become the tip revisions of the selection', () => {
    const linear = graph(LINEAR, ['0001', '0002']);
    expect(upgradeTargets(linear, pick(linear, ['0003']), false)).toEqual(['0003']);
    expect(upgradeTargets(linear, pick(linear, ['0003', '0004']), false)).toEqual(['0004']);
    const heads = graph(TWO_HEADS);
    expect(upgradeTargets(heads, pick(heads, ['0001', '0002', '0003b']), false)).toEqual(['0003b']);
    expect(upgradeTargets(heads, pick(heads, ['0001', '0002', '0003b', '0003a']), false)).toEqual(['0003b', '0003a']);
  });

  it('offline ranges start at the applied revision below the selection', () => {
    const fresh = graph(LINEAR);
    expect(upgradeRanges(fresh, fresh)).toEqual([{ tip: '0004' }]);
    const partial = graph(LINEAR, ['0001', '0002']);
    expect(upgradeRanges(partial, pick(partial, ['0003', '0004']))).toEqual([{ start: '0002', tip: '0004' }]);
    const merge = graph(MERGED, ['0001', '0002', '0003a', '0003b']);
    expect(upgradeRanges(merge, pick(merge, ['m']))).toEqual([{ start: '0003a', tip: 'm' }]);
  });
});

describe('downgrade targets', () => {
  it('one explicit revision when the revisions above it are exactly the selection', () => {
    const all = graph(LINEAR, ['0001', '0002', '0003', '0004']);
    expect(downgradeTargets(all, pick(all, ['0004']))).toEqual(['0003']);
    expect(downgradeTargets(all, pick(all, ['0004', '0003']))).toEqual(['0002']);
    expect(downgradeTargets(all, pick(all, ['0004', '0003', '0002', '0001']))).toEqual(['base']);
  });

  it('one of two applied heads: `<head>@-1`, since `downgrade 0002` would remove both branches', () => {
    const all = graph(TWO_HEADS, ['0001', '0002', '0003a', '0003b']);
    expect(downgradeTargets(all, pick(all, ['0003a']))).toEqual(['0003a@-1']);
    expect(downgradeTargets(all, pick(all, ['0003a', '0003b']))).toEqual(['0002']);
    expect(downgradeTargets(all, pick(all, ['0003a', '0003b', '0002']))).toEqual(['0001']);
  });

  it('a merge revision: `downgrade <parent>` removes only the merge (never `-1`: "Ambiguous walk")', () => {
    const all = graph(MERGED, ['0001', '0002', '0003a', '0003b', 'm']);
    expect(downgradeTargets(all, pick(all, ['m']))).toEqual(['0003a']);
    expect(downgradeTargets(all, pick(all, ['m', '0003a']))).toEqual(['0003a', '0003a@-1']);
    expect(downgradeTargets(all, pick(all, ['m', '0003a', '0003b']))).toEqual(['0002']);
  });

  it('straight runs on one branch become `<head>@-N`, stopping where another branch is still applied', () => {
    const all = graph(BRANCHY, BRANCHY.map((s) => s.split('<')[0]!));
    expect(downgradeTargets(all, pick(all, ['r3b', 'r5a', 'r4a']))).toEqual(['r3b@-1', 'r5a@-2']);
    expect(downgradeTargets(all, pick(all, ['r3b', 'r5a']))).toEqual(['r3b@-1', 'r5a@-1']);
    expect(downgradeTargets(all, pick(all, ['r3b', 'r5a', 'r4a', 'r3a']))).toEqual(['r2']);
  });

  it('refuses a merge whose parents both have other applied children, instead of rolling back more', () => {
    const all = graph(['r0', 'a<r0', 'b<r0', 'c<a', 'd<b', 'm<a,b'], ['r0', 'a', 'b', 'c', 'd', 'm']);
    let error: unknown;
    try {
      downgradeTargets(all, pick(all, ['m']));
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(MigratorError);
    expect(error).toMatchObject({ code: 'OPERATION.UNSUPPORTED', summary: 'Cannot roll back the merge revision m without also rolling back other branches.' });
    expect((error as MigratorError).why).toContain('`alembic downgrade m@-1` fails with "Ambiguous walk"');
    expect((error as MigratorError).fix).toContain('Nothing was changed');
  });

  it('offline moves carry the single start revision `--sql` needs', () => {
    const linear = graph(LINEAR, ['0001', '0002', '0003', '0004']);
    expect(downgradeMoves(linear, pick(linear, ['0004', '0003']))).toEqual([{ target: '0004@-2', from: '0004', to: '0002', removes: ['0004', '0003'] }]);
    expect(downgradeMoves(linear, pick(linear, ['0004', '0003', '0002', '0001']))).toEqual([
      { target: '0004@-4', from: '0004', to: 'base', removes: ['0004', '0003', '0002', '0001'] },
    ]);
    const merged = graph(MERGED, ['0001', '0002', '0003a', '0003b', 'm']);
    expect(downgradeMoves(merged, pick(merged, ['m', '0003a', '0003b']))).toEqual([
      { target: '0003a', from: 'm', to: '0003a', removes: ['m'] },
      { target: '0003a@-1', from: '0003a', to: '0002', removes: ['0003a'] },
      { target: '0003b@-1', from: '0003b', to: '0002', removes: ['0003b'] },
    ]);
  });
});
