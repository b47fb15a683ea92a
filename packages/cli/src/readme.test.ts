// The README's adapter table is a promise to users: it must say what each adapter's own
// `capabilities` say (native / emulated / none), column by column.
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { Capabilities } from '@metamig/core';
import { loadAdapter, registeredFrameworks } from './registry.js';

const README = join(dirname(fileURLToPath(import.meta.url)), '../../../README.md');
const COLUMNS: (keyof Capabilities)[] = ['status', 'up', 'down', 'dryRun', 'mergeHeads', 'stepTargets'];

describe('README adapter table', () => {
  const rows = new Map<string, string[]>();
  for (const line of readFileSync(README, 'utf8').split('\n')) {
    const m = /^\| \[(\w+)\]\(docs\/adapters\/(\w+)\.md\) \|(.*)\|$/.exec(line);
    if (m) rows.set(m[2]!, m[3]!.split('|').map((c) => c.trim()));
  }

  it('has one row per registered adapter', () => {
    expect([...rows.keys()].sort()).toEqual(registeredFrameworks().sort());
  });

  it.each(registeredFrameworks())('%s: every column matches the adapter capabilities', async (framework) => {
    const adapter = await loadAdapter(framework);
    const expected = COLUMNS.map((k) => (adapter.capabilities[k] as { support: string }).support);
    expect(rows.get(framework), `README row for ${framework}`).toEqual(expected);
  });
});
