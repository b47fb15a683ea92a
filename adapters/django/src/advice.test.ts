import { describe, expect, it } from 'vitest';
import { MigratorError, buildState, selectSteps } from '@metamig/core';
import { recorded } from '@metamig/testkit';
import { assertExactDown, headsAdvice, liveDatabaseWarnings } from './advice.js';
import { downPlan } from './graph.js';
import { parseHelperStatus, statusFromHelper } from './parse.js';

const stateOf = (fixture: string, name: string) => {
  const s = statusFromHelper(parseHelperStatus(recorded(`django/${fixture}`, `${name}.stdout`)));
  return buildState({ project: 'svc:django', framework: 'django', database: 'd', ...s, source: { command: [], native: '', durationMs: 0, via: 'tool' } });
};

describe('heads advice', () => {
  it('a conflict: the leaves and the merge command', () => {
    expect(headsAdvice(stateOf('conflicting-leaves', 'status-conflict'))).toEqual([
      'App shop has 2 leaf migrations (shop.0004_product_price, shop.0004_product_stock): Django calls this a conflict, and `manage.py migrate` refuses to run until a merge migration joins them.',
      '`metamig merge svc:django` runs `python manage.py makemigrations --merge --noinput shop`, which writes an empty migration depending on every leaf; review it (the branches\' operations must not clash) and commit it.',
    ]);
  });

  it('one leaf per app is normal; rows without a file are explained', () => {
    expect(headsAdvice(stateOf('two-apps-dependency', 'status-applied-pg'))).toEqual([
      expect.stringMatching(/^One leaf migration per app \(catalog\.0003_product_sku_index, orders\.0003_seed_orders\): several apps each with one leaf is normal/),
    ]);
    expect(headsAdvice(stateOf('basic', 'status-inconsistent'))).toEqual([expect.stringContaining('django_migrations records shop.0005_gone, which no file defines')]);
  });
});

describe('assertExactDown', () => {
  it('passes a selection Django can express, refuses one it cannot, before anything runs', () => {
    const two = stateOf('two-apps-dependency', 'status-applied-pg');
    const steps = selectSteps(two, 'down', { kind: 'steps', n: 4 });
    expect(() => assertExactDown('svc:django', two, steps, downPlan(two.migrations, steps))).not.toThrow();

    // A hand-picked selection that leaves out a dependent: catalog.0002 without orders.0001.
    const c2 = two.migrations.filter((m) => m.id === 'catalog.0002_product_sku' || m.id === 'catalog.0003_product_sku_index').reverse();
    const err = (() => {
      try {
        assertExactDown('svc:django', two, c2, downPlan(two.migrations, c2));
      } catch (e) {
        return e;
      }
      return undefined;
    })();
    expect(err).toBeInstanceOf(MigratorError);
    const e = err as MigratorError;
    expect(e.code).toBe('OPERATION.UNSUPPORTED');
    expect(e.summary).toContain('without also rolling back orders.0003_seed_orders, orders.0002_order_note, orders.0001_initial');
    expect(e.why).toContain('`python manage.py migrate catalog 0001_initial` unapplies');
    expect(e.fix).toBe('Nothing was changed. Select them too: `metamig down svc:django --steps 5` or `metamig down svc:django --to catalog.0001_initial`.');
  });
});

describe('live-database warnings of sqlmigrate', () => {
  const op = (name: string) => ({ op: name, describe: name, reduces_to_sql: true });
  it('always for rollbacks; for upgrades only where a later step looks names up in the database', () => {
    expect(liveDatabaseWarnings('down', [])).toEqual([expect.stringContaining('sqlmigrate --backwards renders each migration against the live database')]);
    expect(liveDatabaseWarnings('up', [{ id: 'a.1', operations: [op('AlterField')] }, { id: 'a.2', operations: [op('AddField')] }])).toEqual([]);
    expect(liveDatabaseWarnings('up', [{ id: 'a.1', operations: [op('CreateModel')] }, { id: 'a.2', operations: [op('AlterField'), op('AddIndex')] }])).toEqual([
      expect.stringContaining('a.2 uses operations whose SQL depends on index or constraint names'),
    ]);
  });
});
