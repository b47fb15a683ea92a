import { existsSync, mkdirSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { renamePlanned, timestampHeads } from './restamp.js';
import type { Migration } from './schemas.js';

const mig = (id: string, state: Migration['state']): Migration => ({ id, name: id, state, parents: [], reversible: true });

describe('timestampHeads', () => {
  it('lists the out-of-order migrations first, then the newest, each once', () => {
    const migrations = [mig('20240101', 'applied'), mig('20240102', 'out-of-order'), mig('20240103', 'applied'), mig('20240104', 'pending')];
    expect(timestampHeads({ migrations, heads: ['20240104'] })).toEqual(['20240102', '20240104']);
    expect(timestampHeads({ migrations, heads: ['20240102'] })).toEqual(['20240102']);
  });
});

describe('renamePlanned', () => {
  it('moves what it can and refuses, with the reason, a stale source or an existing target', () => {
    const root = mkdtempSync(join(tmpdir(), 'metamig-restamp-'));
    mkdirSync(join(root, 'migrations'));
    for (const f of ['1_a.sql', '3_c.sql', '9_taken.sql']) writeFileSync(join(root, 'migrations', f), '--');
    const out = renamePlanned(root, [
      { from: 'migrations/1_a.sql', to: 'migrations/5_a.sql', id: '1' },
      { from: 'migrations/2_gone.sql', to: 'migrations/6_gone.sql', id: '2' },
      { from: 'migrations/3_c.sql', to: 'migrations/9_taken.sql', id: '3' },
    ]);
    expect(out.renamed).toEqual([{ from: 'migrations/1_a.sql', to: 'migrations/5_a.sql' }]);
    expect(out.moved).toEqual([{ from: 'migrations/1_a.sql', to: 'migrations/5_a.sql', id: '1' }]); // the plan's own entry
    expect(out.refused).toEqual([
      { file: 'migrations/2_gone.sql', reason: 'the file is not there any more (status is stale): run `metamig status` and retry' },
      { file: 'migrations/3_c.sql', reason: 'migrations/9_taken.sql already exists' },
    ]);
    expect(readdirSync(join(root, 'migrations')).sort()).toEqual(['3_c.sql', '5_a.sql', '9_taken.sql']);
    expect(existsSync(join(root, 'migrations/1_a.sql'))).toBe(false);
  });
});
