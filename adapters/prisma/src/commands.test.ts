import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Migration } from '@metamig/core';
import { fixturesDir, projectIn } from '@metamig/testkit';
import { adapter } from './index.js';

const m = (extra: Partial<Migration> = {}): Migration => ({ id: 'x', name: 'x', parents: [], state: 'pending', reversible: 'unknown', ...extra });

describe('commands (rollback checklist)', () => {
  const p = projectIn(adapter, join(fixturesDir, 'prisma/basic/postgres'));
  it('applies with migrate deploy and rolls back through metamig (emulated)', () => {
    const c = adapter.commands!(p, m({ file: 'prisma/migrations/20240110090000_x/migration.sql' }), {} as never);
    expect(c).toMatchObject({ apply: 'npx prisma migrate deploy', rollbackMode: 'emulated' });
    expect(c.rollback).toBe(`npx metamig down ${p.id} --steps 1 --yes`);
  });
  it('has no rollback when none can exist', () => {
    expect(adapter.commands!(p, m({ reversible: false, irreversibleReason: 'changes data' }), {} as never)).toMatchObject({ rollback: null, rollbackMode: 'none' });
  });
});
