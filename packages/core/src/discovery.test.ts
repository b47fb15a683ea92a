import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { DetectedProject, RepoListing } from './adapter.js';
import { type Detector, dirOf, listRepo, resolveProjects, selectProjects } from './discovery.js';

function tree(files: string[]): string {
  const dir = mkdtempSync(join(tmpdir(), 'metamig-disc-'));
  for (const f of files) {
    mkdirSync(join(dir, f, '..'), { recursive: true });
    writeFileSync(join(dir, f), '');
  }
  return dir;
}

const fake = (framework: 'alembic' | 'knex', marker: RegExp): Detector => ({
  framework,
  detect: (l: RepoListing): DetectedProject[] => l.files.filter((f) => marker.test(f)).map((f) => ({ framework, root: dirOf(f), configFile: f })),
  describeDatabase: () => ({ engine: 'sqlite', source: 'tool-config', description: 'tool default' }),
});
const detectors = [fake('alembic', /(^|\/)alembic\.ini$/), fake('knex', /(^|\/)knexfile\.(c?js|ts)$/)];

describe('listRepo', () => {
  it('skips dependency folders, VCS folders and virtualenvs', () => {
    const root = tree([
      'svc/alembic.ini', 'node_modules/x/knexfile.js', '.git/knexfile.js', 'py/.venv/alembic.ini',
      'py/env2/pyvenv.cfg', 'py/env2/lib/alembic.ini', 'web/knexfile.cjs',
    ]);
    expect(listRepo(root).files).toEqual(['svc/alembic.ini', 'web/knexfile.cjs']);
  });

  it('honours extra ignores by name or path', () => {
    const root = tree(['a/alembic.ini', 'b/alembic.ini', 'c/d/alembic.ini']);
    expect(listRepo(root, { ignore: ['a', 'c/d'] }).files).toEqual(['b/alembic.ini']);
  });
});

describe('resolveProjects', () => {
  it('gives stable ids and applies config overrides', () => {
    const root = tree(['alembic.ini', 'services/web/knexfile.js', 'legacy/knexfile.js']);
    const projects = resolveProjects(listRepo(root), detectors, {
      configDir: root,
      config: { projects: [{ path: 'legacy', ignore: true }, { path: 'services/web', database: 'postgres://u:pw@h/web', protected: true }] },
    });
    expect(projects.map((p) => p.id)).toEqual(['alembic', 'services/web:knex']);
    const web = projects[1]!;
    expect(web.protected).toBe(true);
    expect(web.databaseUrl).toBe('postgres://u:pw@h/web');
    expect(web.database).toMatchObject({ engine: 'postgres', source: 'config', url: 'postgres://u:***@h/web' });
  });

  it('points every project at --database-url when given', () => {
    const root = tree(['a/alembic.ini', 'b/knexfile.js']);
    const ps = resolveProjects(listRepo(root), detectors, { configDir: root, config: {}, databaseUrl: 'sqlite:///tmp/x.db' });
    expect(ps.every((p) => p.database.source === 'cli' && p.databaseUrl === 'sqlite:///tmp/x.db')).toBe(true);
  });

  it('reports config entries that match nothing', () => {
    const root = tree(['a/alembic.ini']);
    expect(() => resolveProjects(listRepo(root), detectors, { configDir: root, config: { projects: [{ path: 'zzz' }] } })).toThrow(/no migration project was detected in "zzz"/);
    expect(() => resolveProjects(listRepo(root), detectors, { configDir: root, config: { projects: [{ path: 'zzz', framework: 'knex' }] } })).toThrow(/does not exist/);
  });
});

describe('selectProjects', () => {
  const root = tree(['a/alembic.ini', 'b/knexfile.js']);
  const all = resolveProjects(listRepo(root), detectors, { configDir: root, config: {} });
  it('selects by id, folder or framework', () => {
    expect(selectProjects(all, ['a:alembic']).map((p) => p.id)).toEqual(['a:alembic']);
    expect(selectProjects(all, ['b/']).map((p) => p.id)).toEqual(['b:knex']);
    expect(selectProjects(all, ['knex', 'alembic']).map((p) => p.id)).toEqual(['b:knex', 'a:alembic']);
  });
  it('lists the known projects when a name is unknown', () => {
    expect(() => selectProjects(all, ['nope'])).toThrow(/Unknown project "nope"/);
    try {
      selectProjects(all, ['nope']);
    } catch (e) {
      expect((e as { why: string }).why).toContain('a:alembic, b:knex');
    }
  });
});
