import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Migration } from '@metamig/core';
import { fixturesDir, projectIn } from '@metamig/testkit';
import { adapter } from './index.js';

const m = (extra: Partial<Migration> = {}): Migration => ({ id: 'AddUsersEmail1705400000000', name: 'add users email', parents: [], state: 'pending', reversible: true, ...extra });

describe('commands (rollback checklist)', () => {
  it('uses migration:run / migration:revert with the data source', () => {
    const p = projectIn(adapter, join(fixturesDir, 'typeorm/basic'));
    const c = adapter.commands!(p, m(), {} as never);
    expect(c.apply).toBe('npx typeorm-ts-node-commonjs migration:run -d src/data-source.ts');
    expect(c.rollback).toBe('npx typeorm-ts-node-commonjs migration:revert -d src/data-source.ts');
    expect(c.note).toMatch(/reverse order/);
  });
  it('has no rollback for an irreversible migration', () => {
    const p = projectIn(adapter, join(fixturesDir, 'typeorm/basic'));
    expect(adapter.commands!(p, m({ reversible: false }), {} as never)).toMatchObject({ rollback: null, rollbackMode: 'none' });
  });
});
