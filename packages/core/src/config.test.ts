import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { expandEnv, loadConfig } from './config.js';
import { MigratorError } from './errors.js';

const dirWith = (files: Record<string, string>) => {
  const dir = mkdtempSync(join(tmpdir(), 'metamig-config-'));
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(join(dir, name, '..'), { recursive: true });
    writeFileSync(join(dir, name), text);
  }
  return dir;
};

async function loadError(files: Record<string, string>): Promise<MigratorError> {
  try {
    await loadConfig(dirWith(files));
  } catch (e) {
    if (e instanceof MigratorError) return e;
    throw e;
  }
  throw new Error('expected loadConfig to fail');
}

describe('loadConfig', () => {
  it('is optional: no file means an empty config', async () => {
    expect((await loadConfig(dirWith({}))).config).toEqual({});
  });

  it('reads YAML, JSON and TypeScript configs', async () => {
    const yaml = await loadConfig(dirWith({ 'metamig.config.yaml': 'projects:\n  - path: api\n    framework: alembic\n' }));
    expect(yaml.config.projects?.[0]).toEqual({ path: 'api', framework: 'alembic' });
    const json = await loadConfig(dirWith({ 'metamig.config.json': '{"concurrency": 2}' }));
    expect(json.config.concurrency).toBe(2);
    const ts = await loadConfig(dirWith({ 'metamig.config.ts': 'const n: number = 3;\nexport default { concurrency: n };\n' }));
    expect(ts.config.concurrency).toBe(3);
  });

  it('names the file, line and field of each problem', async () => {
    const e = await loadError({ 'metamig.config.yaml': 'concurrency: 2\nprojects:\n  - path: api\n    framework: hibernate\n' });
    expect(e.code).toBe('CONFIG.INVALID');
    expect(e.summary).toMatch(/metamig\.config\.yaml:4: projects\[0\]\.framework: Invalid option/);
  });

  it('reports unknown keys (typos) instead of ignoring them', async () => {
    const e = await loadError({ 'metamig.config.json': '{\n  "projcts": []\n}' });
    expect(e.summary).toMatch(/metamig\.config\.json(:\d+)?: \(root\): .*projcts/);
  });

  it('reports syntax errors with line and column', async () => {
    const e = await loadError({ 'metamig.config.json': '{\n  "concurrency": 2,,\n}' });
    expect(e.summary).toMatch(/^metamig\.config\.json:2:\d+: /);
  });

  it('refuses two config files side by side', async () => {
    const e = await loadError({ 'metamig.config.json': '{}', 'metamig.config.yaml': '{}' });
    expect(e.summary).toMatch(/More than one metamig config file/);
  });

  it('reports a TypeScript config that does not load', async () => {
    const e = await loadError({ 'metamig.config.ts': 'export default {;' });
    expect(e.code).toBe('CONFIG.UNREADABLE');
  });
});

describe('expandEnv', () => {
  it('replaces ${VAR} and fails on a missing variable', () => {
    expect(expandEnv('postgres://u:${PW}@h/d', 'x', { PW: 'p' })).toBe('postgres://u:p@h/d');
    expect(() => expandEnv('${NOPE}', 'projects[0].database', {})).toThrow(/projects\[0\]\.database: environment variable NOPE is not set/);
  });
});
