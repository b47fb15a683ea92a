import { describe, expect, it } from 'vitest';
import type { Migration } from '@metamig/core';
import { fixturesDir, projectIn } from '@metamig/testkit';
import { join } from 'node:path';
import { adapter } from './index.js';

const m = (extra: Partial<Migration> = {}): Migration => ({ id: '20240302090000', name: 'add email', parents: [], state: 'pending', reversible: true, ...extra });

describe('commands (rollback checklist)', () => {
  it('uses db:migrate:up / db:migrate:down with the version, through the project entry point', () => {
    const app = projectIn(adapter, join(fixturesDir, 'rails/basic'));
    expect(adapter.commands!(app, m(), {} as never)).toEqual({ apply: 'bin/rails db:migrate:up VERSION=20240302090000', rollback: 'bin/rails db:migrate:down VERSION=20240302090000', rollbackMode: 'native' });
    const standalone = projectIn(adapter, join(fixturesDir, 'rails/out-of-order'));
    expect(adapter.commands!(standalone, m(), {} as never).apply).toMatch(/^(bundle exec )?rake db:migrate:up VERSION=20240302090000$/);
  });
  it('has no rollback for an irreversible migration', () => {
    const app = projectIn(adapter, join(fixturesDir, 'rails/basic'));
    expect(adapter.commands!(app, m({ reversible: false }), {} as never)).toMatchObject({ rollback: null, rollbackMode: 'none' });
  });
});
