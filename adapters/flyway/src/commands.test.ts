import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Migration } from '@metamig/core';
import { fixturesDir, projectIn } from '@metamig/testkit';
import { adapter } from './index.js';

const m = (id: string, extra: Partial<Migration> = {}): Migration => ({ id, name: id, parents: [], state: 'pending', reversible: true, ...extra });

describe('commands (rollback checklist)', () => {
  const p = projectIn(adapter, join(fixturesDir, 'flyway/basic'));
  it('migrates to the version; rolls back through metamig (emulated undo)', () => {
    const c = adapter.commands!(p, m('3'), {} as never);
    expect(c.apply).toBe("flyway -configFiles=flyway.toml -locations=filesystem:sql -target=3 migrate");
    expect(c).toMatchObject({ rollback: `npx metamig down ${p.id} --steps 1 --yes`, rollbackMode: 'emulated' });
  });
  it('has no rollback without a U file', () => {
    expect(adapter.commands!(p, m('4', { reversible: false, irreversibleReason: 'no U4__*.sql undo file' }), {} as never)).toMatchObject({ rollback: null, rollbackMode: 'none' });
  });
});
