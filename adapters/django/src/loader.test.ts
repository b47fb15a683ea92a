// The loader emulation against Django's own answers: every recorded `status` document (printed by
// helpers/metamig_django.py from Django's MigrationLoader/Executor) must be reproduced from the
// fixture's files plus the rows django_migrations held when it was recorded.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fixturesDir, recorded } from '@metamig/testkit';
import { readDjangoProject } from './fast.js';
import { type DiskMigration, type Key, loaderStatus } from './loader.js';
import { type HelperStatus, parseHelperStatus, statusFromHelper } from './parse.js';

const RECORDINGS: [fixture: string, name: string][] = [
  ['basic', 'status-fresh'],
  ['basic', 'status-applied'],
  ['basic', 'status-partial-pg'],
  ['basic', 'status-inconsistent'],
  ['conflicting-leaves', 'status-conflict'],
  ['failed-migration', 'status-after-pg'],
  ['irreversible', 'status-fresh'],
  ['squashed', 'status-fresh'],
  ['squashed', 'status-partial'],
  ['squashed', 'status-replaced'],
  ['squashed', 'status-recorded'],
  ['two-apps-dependency', 'status-applied-pg'],
];

const graphFields = (h: Pick<HelperStatus, 'migrations'>) =>
  h.migrations.map(({ id, app, name, file, in_graph, parents, replaces, is_merge, recorded, record_id, applied_at, applied }) => ({
    id, app, name, file, in_graph, parents, replaces, is_merge, recorded, record_id, applied_at, applied,
  }));

describe('loaderStatus reproduces the recorded Django status documents', () => {
  it.each(RECORDINGS)('%s/%s', (fixture, name) => {
    const doc = parseHelperStatus(recorded(`django/${fixture}`, `${name}.stdout`));
    const root = join(fixturesDir, 'django', fixture);
    const files = readDjangoProject(root, {}, { roots: [root] });
    const mine = loaderStatus(files.apps, files.disk, doc.recorded, { hasTable: doc.history_table });
    expect(graphFields(mine)).toEqual(graphFields(doc));
    expect(mine.migrations.map((m) => m.atomic)).toEqual(doc.migrations.map((m) => m.atomic));
    expect({ ...mine, migrations: [] }).toEqual({
      database: { can_rollback_ddl: true },
      migrations: [],
      recorded: doc.recorded,
      unknown_recorded: doc.unknown_recorded,
      conflicts: doc.conflicts,
      plan: doc.plan,
      full_plan: doc.full_plan,
      inconsistent: doc.inconsistent,
    });
    // …and so the state both paths build is the same, field for field (reversibility aside).
    const strip = (s: ReturnType<typeof statusFromHelper>) => ({ ...s, migrations: s.migrations.map(({ reversible: _r, irreversibleReason: _i, ...m }) => m) });
    expect(strip(statusFromHelper(mine))).toEqual(strip(statusFromHelper(doc)));
  });
});

const m = (app: string, name: string, deps: Key[] = [], extra: Partial<DiskMigration> = {}): DiskMigration => ({
  app, name, file: `${app}/migrations/${name}.py`, dependencies: deps, replaces: [], runBefore: [], atomic: true, ...extra,
});
const row = (id: number, app: string, name: string) => ({ id, app, name, applied: `2024-01-0${id}T00:00:00+00:00` });

describe('loaderStatus on graphs the fixtures do not have', () => {
  it('resolves __first__ / __latest__ and run_before like check_key(), and plans in Django order', () => {
    const apps = [{ label: 'a', migrated: true }, { label: 'b', migrated: true }, { label: 'legacy', migrated: false }];
    const disk = [
      m('b', '0002', [['b', '0001'], ['a', '__latest__']]),
      m('a', '0001'),
      m('b', '0001', [['a', '__first__'], ['legacy', '__first__']], { runBefore: [['a', '0002']] }),
      m('a', '0002', [['a', '0001']]),
    ];
    const s = loaderStatus(apps, disk, [row(1, 'a', '0001')], { hasTable: true });
    expect(s.migrations.map((x) => [x.id, x.parents])).toEqual([
      ['a.0001', []],
      ['a.0002', ['a.0001', 'b.0001']], // run_before made b.0001 a parent of a.0002
      ['b.0001', ['a.0001']], // __first__ of a; the unmigrated app is ignored
      ['b.0002', ['a.0002', 'b.0001']], // __latest__ of a
    ]);
    expect(s.full_plan).toEqual(['a.0001', 'b.0001', 'a.0002', 'b.0002']);
    expect(s.plan).toEqual(['b.0001', 'a.0002', 'b.0002']);
    expect(s.inconsistent).toBeNull();
  });

  it('refuses graphs Django refuses to load', () => {
    const apps = [{ label: 'a', migrated: true }];
    expect(() => loaderStatus(apps, [m('a', '0002', [['a', '0001']])], [], { hasTable: false })).toThrow(/does not exist/);
    expect(() => loaderStatus(apps, [m('a', '0001', [['zzz', '__first__']])], [], { hasTable: false })).toThrow(/not installed/);
    expect(() => loaderStatus(apps, [m('a', '0001', [['a', '0002']]), m('a', '0002', [['a', '0001']])], [], { hasTable: false })).toThrow(/cycle/);
    const squashes = [m('a', '0001'), m('a', '0002', [['a', '0001']]), m('a', 's1', [], { replaces: [['a', '0001']] }), m('a', 's2', [], { replaces: [['a', '0001'], ['a', '0002']] })];
    expect(() => loaderStatus(apps, squashes, [], { hasTable: false })).toThrow(/more than one squash/);
  });

  it('a squash whose originals are gone from disk: dependencies on them point at the squash', () => {
    const apps = [{ label: 'a', migrated: true }];
    const disk = [m('a', '0001_squashed_0002', [], { replaces: [['a', '0001'], ['a', '0002']] }), m('a', '0003', [['a', '0002']])];
    const fresh = loaderStatus(apps, disk, [], { hasTable: false });
    expect(fresh.migrations.map((x) => [x.id, x.in_graph, x.parents])).toEqual([
      ['a.0001_squashed_0002', true, []],
      ['a.0003', true, ['a.0001_squashed_0002']],
    ]);
    expect(fresh.full_plan).toEqual(['a.0001_squashed_0002', 'a.0003']);
    // Applied before the squash existed: both originals recorded, so the squash counts as applied.
    const done = loaderStatus(apps, disk, [row(1, 'a', '0001'), row(2, 'a', '0002')], { hasTable: true });
    expect(done.migrations.map((x) => x.applied)).toEqual([true, false]);
    expect(done.plan).toEqual(['a.0003']);
    expect(done.unknown_recorded).toEqual([]); // rows of replaced migrations are not unknown
    // Half applied: Django cannot use the squash, and the missing original makes the graph invalid.
    expect(() => loaderStatus(apps, disk, [row(1, 'a', '0001')], { hasTable: true })).toThrow(/does not exist/);
  });

  it('conflicts, merges and the first inconsistency, as Django reports them', () => {
    const apps = [{ label: 'a', migrated: true }];
    const disk = [m('a', '0001'), m('a', '0002_x', [['a', '0001']]), m('a', '0002_y', [['a', '0001']])];
    const s = loaderStatus(apps, disk, [row(1, 'a', '0002_y')], { hasTable: true });
    expect(s.conflicts).toEqual({ a: ['a.0002_x', 'a.0002_y'] });
    expect(s.inconsistent).toBe("Migration a.0002_y is applied before its dependency a.0001 on database 'default'.");
    const merged = loaderStatus(apps, [...disk, m('a', '0003_merge', [['a', '0002_x'], ['a', '0002_y']])], [], { hasTable: false });
    expect(merged.conflicts).toEqual({});
    expect(merged.migrations.at(-1)).toMatchObject({ is_merge: true, parents: ['a.0002_x', 'a.0002_y'] });
    expect(merged.full_plan).toEqual(['a.0001', 'a.0002_y', 'a.0002_x', 'a.0003_merge']); // depth-first, last sorted parent first (as `migrate` did in conflicting-leaves)
  });
});
