import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Migration } from '@metamig/core';
import { fixturesDir, projectIn } from '@metamig/testkit';
import { adapter } from './index.js';

const m = (id: string, parents: string[], extra: Partial<Migration> = {}): Migration => ({ id, name: id, parents, state: 'pending', reversible: true, ...extra });

describe('commands (rollback checklist)', () => {
  const p = projectIn(adapter, join(fixturesDir, 'django/basic'));
  it('migrates to the migration and back to its predecessor in the same app', () => {
    const c = adapter.commands!(p, m('shop.0002_product_sku', ['shop.0001_initial']), {} as never);
    expect(c.apply).toBe('python manage.py migrate shop 0002_product_sku');
    expect(c.rollback).toBe('python manage.py migrate shop 0001_initial');
  });
  it('rolls the first migration of an app back to zero; irreversible has no rollback', () => {
    expect(adapter.commands!(p, m('orders.0001_initial', ['shop.0002_product_sku']), {} as never).rollback).toBe('python manage.py migrate orders zero');
    expect(adapter.commands!(p, m('shop.0004_seed', ['shop.0003'], { reversible: false }), {} as never)).toMatchObject({ rollback: null, rollbackMode: 'none' });
  });
});
