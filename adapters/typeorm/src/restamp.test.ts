import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Migration } from '@metamig/core';
import { fixturesDir } from '@metamig/testkit';
import { appliedOutOfOrder, planRestamp, restampMigrationSource, restampReferences, restampedPath } from './restamp.js';

const m = (id: string, state: Migration['state'], file?: string): Migration => ({ id, name: id, parents: [], state, reversible: true, ...(file ? { file } : {}) });
const NOW = new Date(1735689600000); // 2025-01-01T00:00:00Z

describe('planRestamp', () => {
  it('gives unexecuted out-of-order migrations new timestamps after everything, in order, and refuses executed ones', () => {
    const plan = planRestamp(
      [
        m('CreateProjects1709251200000', 'applied', 'src/migrations/1709251200000-CreateProjects.ts'),
        m('CreateTasks1710028800000', 'applied', 'src/migrations/1710028800000-CreateTasks.ts'),
        m('AddProjectsOwner1709596800000', 'applied', 'src/migrations/1709596800000-AddProjectsOwner.ts'), // executed late
        m('AddProjectsArchived1709769600000', 'out-of-order', 'src/migrations/1709769600000-AddProjectsArchived.ts'),
        m('AddProjectsColor1709769600500', 'out-of-order', 'src/migrations/1709769600500-AddProjectsColor.ts'),
        m('Weird', 'out-of-order', 'src/migrations/Weird.ts'),
        m('NoFile1709000000000', 'out-of-order'),
      ],
      NOW,
    );
    expect(plan.renames).toEqual([
      { id: 'AddProjectsArchived1709769600000', newId: 'AddProjectsArchived1735689600000', oldTimestamp: '1709769600000', newTimestamp: '1735689600000', from: 'src/migrations/1709769600000-AddProjectsArchived.ts', to: 'src/migrations/1735689600000-AddProjectsArchived.ts' },
      { id: 'AddProjectsColor1709769600500', newId: 'AddProjectsColor1735689600001', oldTimestamp: '1709769600500', newTimestamp: '1735689600001', from: 'src/migrations/1709769600500-AddProjectsColor.ts', to: 'src/migrations/1735689600001-AddProjectsColor.ts' },
    ]);
    expect(plan.refused).toEqual([
      { file: 'src/migrations/1709596800000-AddProjectsOwner.ts', reason: expect.stringContaining('already executed') },
      { file: 'src/migrations/Weird.ts', reason: expect.stringContaining('does not end in a 13-digit timestamp') },
      { file: 'NoFile1709000000000', reason: expect.stringContaining('rename it by hand') },
    ]);
  });

  it('starts after the newest timestamp when that is in the future', () => {
    const plan = planRestamp([m('Later1900000000000', 'applied', 'a.ts'), m('Old1700000000000', 'out-of-order', 'src/1700000000000-Old.ts')], NOW);
    expect(plan.renames[0]).toMatchObject({ newId: 'Old1900000000001', to: 'src/1900000000001-Old.ts' });
    expect(appliedOutOfOrder([m('B1700000000002', 'applied'), m('A1700000000001', 'applied'), m('C1700000000003', 'applied')]).map((x) => x.id)).toEqual(['A1700000000001']);
  });

  it('keeps a file name that carries no timestamp', () => {
    expect(restampedPath('src/migrations/add-owner.ts', '1709596800000', '1735689600000')).toBe('src/migrations/add-owner.ts');
    expect(restampedPath('db/1709596800000-AddOwner.js', '1709596800000', '1735689600000')).toBe('db/1735689600000-AddOwner.js');
  });
});

describe('rewriting the files', () => {
  it('renames the class and its `name` in a real fixture migration, nothing else', () => {
    const text = readFileSync(join(fixturesDir, 'typeorm/out-of-order/branch/1709596800000-AddProjectsOwner.ts'), 'utf8');
    const { text: out, count } = restampMigrationSource(text, '1709596800000', '1735689600000');
    expect(count).toBe(2);
    expect(out).toContain('export class AddProjectsOwner1735689600000 implements MigrationInterface {');
    expect(out).toContain("name = 'AddProjectsOwner1735689600000';");
    expect(out).not.toContain('1709596800000');
    expect(out.replace(/1735689600000/g, '1709596800000')).toBe(text);
  });

  it('leaves numbers that only contain the timestamp alone', () => {
    const { text, count } = restampMigrationSource('class X1709596800000 {}\nconst limit = 17095968000001; const y = a1709596800000b;', '1709596800000', '1735689600000');
    expect(count).toBe(1);
    expect(text).toBe('class X1735689600000 {}\nconst limit = 17095968000001; const y = a1709596800000b;');
  });

  it('updates a data source that imports the class by name and path', () => {
    const ds = [
      "import { AddProjectsOwner1709596800000 } from './migrations/1709596800000-AddProjectsOwner';",
      "import { CreateTasks1710028800000 } from './migrations/1710028800000-CreateTasks';",
      'export default new DataSource({ migrations: [CreateTasks1710028800000, AddProjectsOwner1709596800000] });',
    ].join('\n');
    const rename = { id: 'AddProjectsOwner1709596800000', newId: 'AddProjectsOwner1735689600000', from: 'src/migrations/1709596800000-AddProjectsOwner.ts', to: 'src/migrations/1735689600000-AddProjectsOwner.ts' };
    const { text, count } = restampReferences(ds, rename);
    expect(count).toBe(3);
    expect(text).toBe(
      [
        "import { AddProjectsOwner1735689600000 } from './migrations/1735689600000-AddProjectsOwner';",
        "import { CreateTasks1710028800000 } from './migrations/1710028800000-CreateTasks';",
        'export default new DataSource({ migrations: [CreateTasks1710028800000, AddProjectsOwner1735689600000] });',
      ].join('\n'),
    );
    expect(restampReferences("require('./1709596800000-AddProjectsOwner.js')", rename).text).toBe("require('./1735689600000-AddProjectsOwner.js')");
    expect(restampReferences("migrations: [__dirname + '/migrations/*.ts']", rename)).toEqual({ text: "migrations: [__dirname + '/migrations/*.ts']", count: 0 });
  });
});
