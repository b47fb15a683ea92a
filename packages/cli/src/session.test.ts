import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Project } from '@metamig/core';
import { findRepoRoot, scopeToCwd } from './session.js';

describe('findRepoRoot', () => {
  it('prefers the nearest folder with a metamig config, then the git top level, then the start', () => {
    const root = mkdtempSync(join(tmpdir(), 'metamig-root-'));
    mkdirSync(join(root, '.git'));
    mkdirSync(join(root, 'mono/services/api'), { recursive: true });
    expect(findRepoRoot(join(root, 'mono/services/api'))).toBe(root);
    writeFileSync(join(root, 'mono/metamig.config.json'), '{}');
    expect(findRepoRoot(join(root, 'mono/services/api'))).toBe(join(root, 'mono'));
    const bare = mkdtempSync(join(tmpdir(), 'metamig-bare-'));
    expect(findRepoRoot(bare)).toBe(bare);
  });
});

describe('scopeToCwd', () => {
  const p = (root: string) => ({ id: `${root}:knex`, root }) as Project;
  const all = [p('services/api'), p('services/web'), p('tools/db')];
  it('keeps the projects inside the current folder, or the one the folder is inside', () => {
    expect(scopeToCwd(all, '/r', '/r').map((x) => x.root)).toEqual(['services/api', 'services/web', 'tools/db']);
    expect(scopeToCwd(all, '/r', '/r/services').map((x) => x.root)).toEqual(['services/api', 'services/web']);
    expect(scopeToCwd(all, '/r', '/r/services/web/src/lib').map((x) => x.root)).toEqual(['services/web']);
    expect(scopeToCwd(all, '/r', '/r/services/webapp').map((x) => x.root)).toEqual(['services/api', 'services/web', 'tools/db']);
  });
});
