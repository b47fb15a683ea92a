// Rollback/upgrade targets over Django's graph, on hand-made graphs and checked against what the real
// `migrate` did in the recordings (fixtures/django/*/recorded).
import { describe, expect, it } from 'vitest';
import { type Migration, buildState, selectSteps } from '@metamig/core';
import { recorded } from '@metamig/testkit';
import { appliedLeaves, crossAppNotes, djangoUnapplies, downPlan, graphOf, leavesByApp, upTargets } from './graph.js';
import { parseHelperStatus, statusFromHelper } from './parse.js';

/** `a.1<-a.0,b.0` style: id, parents, applied? */
function m(id: string, parents: string[], applied = true): Migration {
  return { id, name: id.split('.')[1]!, parents, state: applied ? 'applied' : 'pending', reversible: true };
}
const state = (migrations: Migration[]) =>
  buildState({ project: 'p', framework: 'django', database: 'x', migrations, current: [], heads: [], source: { command: [], native: '', durationMs: 0, via: 'tool' } });
const byIds = (all: Migration[], ids: string[]) => ids.map((id) => all.find((x) => x.id === id)!);

describe('downPlan', () => {
  const linear = [m('shop.0001', []), m('shop.0002', ['shop.0001']), m('shop.0003', ['shop.0002']), m('shop.0004', ['shop.0003'], false)];

  it('one app: the previous migration, or zero', () => {
    expect(downPlan(linear, byIds(linear, ['shop.0003']))).toEqual({ commands: [{ app: 'shop', target: '0002', unapplies: ['shop.0003'] }], extra: [], unreachable: [] });
    expect(downPlan(linear, byIds(linear, ['shop.0003', 'shop.0002', 'shop.0001'])).commands).toEqual([{ app: 'shop', target: 'zero', unapplies: ['shop.0003', 'shop.0002', 'shop.0001'] }]);
  });

  // catalog.2 ← orders.1 (orders depends on catalog), applied c1 c2 o1 c3 o2
  const twoApps = [
    m('catalog.0001', []), m('catalog.0002', ['catalog.0001']), m('orders.0001', ['catalog.0002']),
    m('catalog.0003', ['catalog.0002']), m('orders.0002', ['orders.0001']),
  ];

  it('several apps: one command per app, dependents first, so Django never drags anything implicitly', () => {
    const steps = selectSteps(state(twoApps), 'down', { kind: 'steps', n: 2 });
    expect(downPlan(twoApps, steps).commands).toEqual([
      { app: 'orders', target: '0001', unapplies: ['orders.0002'] },
      { app: 'catalog', target: '0002', unapplies: ['catalog.0003'] },
    ]);
    const to = selectSteps(state(twoApps), 'down', { kind: 'to', id: 'catalog.0001' });
    const plan = downPlan(twoApps, to);
    expect(plan).toEqual({
      commands: [
        { app: 'orders', target: 'zero', unapplies: ['orders.0002', 'orders.0001'] },
        { app: 'catalog', target: '0001', unapplies: ['catalog.0003', 'catalog.0002'] },
      ],
      extra: [],
      unreachable: [],
    });
    expect(crossAppNotes(twoApps, plan)).toEqual([
      'This rollback spans 2 apps (orders, catalog): Django has no "N steps", so metamig runs one `migrate <app> <target>` per app, dependents first.',
      'orders.0001 (app orders) is rolled back too: it depends on catalog.0002, which is rolled back.',
    ]);
  });

  it('reports what Django would take along when the selection is not closed under dependents', () => {
    // A history written out of dependency order (e.g. rows inserted by hand): o1 applied last.
    const odd = [twoApps[0]!, twoApps[1]!, twoApps[3]!, twoApps[2]!];
    expect(downPlan(odd, byIds(odd, ['catalog.0002', 'catalog.0003']))).toMatchObject({ extra: ['orders.0001'] });
  });

  it('a merged conflict: one branch alone cannot be unapplied', () => {
    const merged = [
      m('shop.0003', []), m('shop.0004_stock', ['shop.0003']), m('shop.0004_price', ['shop.0003']),
      m('shop.0005_merge', ['shop.0004_price', 'shop.0004_stock']),
    ];
    const two = selectSteps(state(merged), 'down', { kind: 'steps', n: 2 });
    expect(downPlan(merged, two)).toMatchObject({ extra: ['shop.0004_stock'] });
    // The merge alone: through either parent, without touching the branches.
    expect(downPlan(merged, byIds(merged, ['shop.0005_merge'])).commands).toEqual([{ app: 'shop', target: '0004_price', unapplies: ['shop.0005_merge'] }]);
    expect(downPlan(merged, selectSteps(state(merged), 'down', { kind: 'steps', n: 3 }))).toMatchObject({ extra: [], unreachable: [] });
  });
});

describe('upTargets', () => {
  it('the fewest `migrate <app> <name>` runs that apply exactly the selection', () => {
    const all = [
      m('catalog.0001', [], false), m('catalog.0002', ['catalog.0001'], false), m('catalog.0003', ['catalog.0002'], false),
      m('orders.0001', ['catalog.0002'], false), m('orders.0002', ['orders.0001'], false),
    ];
    expect(upTargets(all, selectSteps(state(all), 'up', { kind: 'to', id: 'orders.0001' }))).toEqual({ targets: ['orders.0001'], exact: true });
    expect(upTargets(all, selectSteps(state(all), 'up', { kind: 'steps', n: 3 }))).toEqual({ targets: ['catalog.0003'], exact: true });
    expect(upTargets(all, byIds(all, ['catalog.0001', 'catalog.0002', 'catalog.0003', 'orders.0001']))).toEqual({ targets: ['catalog.0003', 'orders.0001'], exact: true });
    expect(upTargets(all, byIds(all, ['orders.0001']))).toEqual({ targets: ['orders.0001'], exact: false }); // its dependencies are pending too
  });
});

describe('leaves', () => {
  it('per app: applied leaves (current) and code leaves', () => {
    const ms = [m('a.1', []), m('a.2', ['a.1'], false), m('b.1', ['a.1']), m('b.2x', ['b.1'], false), m('b.2y', ['b.1'], false)];
    expect(appliedLeaves(ms)).toEqual(['a.1', 'b.1']);
    expect([...leavesByApp(ms)]).toEqual([['a', ['a.2']], ['b', ['b.2x', 'b.2y']]]);
  });
});

describe("the simulation agrees with Django's own migrate", () => {
  const unapplied = (stdout: string) => [...stdout.matchAll(/Unapplying (\S+?)\.\.\. OK/g)].map((x) => x[1]);
  it.each([
    ['two-apps-dependency', 'status-applied-pg', 'migrate-catalog-0001-pg', 'catalog', 'catalog.0001_initial'],
  ])('%s: %s then %s', (fixture, status, migrate, app, target) => {
    const s = statusFromHelper(parseHelperStatus(recorded(`django/${fixture}`, `${status}.stdout`)));
    const applied = new Set(s.migrations.filter((x) => x.state === 'applied').map((x) => x.id));
    const simulated = djangoUnapplies(graphOf(s.migrations), applied, app, target);
    const real = unapplied(recorded(`django/${fixture}`, `${migrate}.stdout`));
    expect(real).toHaveLength(5);
    expect([...simulated].sort()).toEqual([...real].sort());
  });
});
