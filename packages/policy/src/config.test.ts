import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MigratorError } from '@metamig/core';
import { describe, expect, it } from 'vitest';
import { resolvePolicy, suggestRule } from './config.js';
import { effectiveRules } from './lint.js';

const opts = (dir = '/repo') => ({ configDir: dir, repoRoot: dir, configFile: 'metamig.config.yaml' });

async function configError(raw: unknown, o = opts()): Promise<MigratorError> {
  try {
    await resolvePolicy(raw, o);
  } catch (e) {
    expect(e).toBeInstanceOf(MigratorError);
    return e as MigratorError;
  }
  throw new Error('expected a config error');
}

describe('resolvePolicy', () => {
  it('defaults to the recommended preset on PostgreSQL 15, plain SQL outside a transaction', async () => {
    const p = await resolvePolicy(undefined, opts());
    expect(p.preset).toBe('recommended');
    expect(p.postgresVersion).toEqual({ major: 15, minor: 0 });
    expect(p.assumeInTransaction).toBe(false);
    expect(p.rules.get('create-index-non-concurrent')!.severity).toBe('error');
    expect(p.rules.get('prefer-bigint')!.severity).toBe('off');
  });

  it('rejects an unknown rule id with the field path and a suggestion (CONFIG.INVALID, exit 2)', async () => {
    const e = await configError({ rules: { 'create-index-nonconcurrent': 'off' } });
    expect(e.code).toBe('CONFIG.INVALID');
    expect(e.exitCode).toBe(2);
    expect(e.summary).toContain('metamig.config.yaml: policy.rules.create-index-nonconcurrent: unknown rule "create-index-nonconcurrent" (did you mean "create-index-non-concurrent"?)');
  });

  it('rejects a waiver without a reason, naming the field', async () => {
    const e = await configError({ waivers: [{ migration: '0001', rule: 'drop-table' }, { migration: '0002', rule: 'drop-table', reason: '   ' }] });
    expect(e.code).toBe('CONFIG.INVALID');
    expect(e.summary).toContain('policy.waivers[0].reason: a waiver needs a reason');
    expect(e.summary).toContain('policy.waivers[1].reason: a waiver needs a reason');
  });

  it('reports every problem at once: severities, options, unknown keys, dates, waiver rules', async () => {
    const e = await configError({
      rules: { 'drop-table': 'fatal', 'missing-lock-timeout': ['error', { maxMs: -1 }], 'observed-long-lock': ['warning', { tresholdMs: 5 }], 'drop-column': ['error', { x: 1 }] },
      waivers: [{ migration: 'a', rule: 'dropp-table', reason: 'r', expires: '2026-02-30' }],
      postgres: 15,
    });
    const lines = e.summary.split('\n').map((l) => l.trim());
    expect(lines).toContain('metamig.config.yaml: policy: Unrecognized key: "postgres" (postgres)');
    expect(lines).toContain('metamig.config.yaml: policy.rules.drop-table: expected "off", "info", "warning", "error", or [severity, { …options }]');
    expect(lines.some((l) => l.startsWith('metamig.config.yaml: policy.waivers[0].expires: not a real date'))).toBe(true);
    const e2 = await configError({
      rules: { 'missing-lock-timeout': ['error', { maxMs: -1 }], 'observed-long-lock': ['warning', { tresholdMs: 5 }], 'drop-column': ['error', { x: 1 }] },
      waivers: [{ migration: 'a', rule: 'dropp-table', reason: 'r' }],
    });
    expect(e2.summary).toContain('policy.rules.missing-lock-timeout[1].maxMs: Too small');
    expect(e2.summary).toContain('policy.rules.observed-long-lock[1]: Unrecognized key: "tresholdMs"');
    expect(e2.summary).toContain('policy.rules.drop-column[1]: rule drop-column takes no options');
    expect(e2.summary).toContain('policy.waivers[0].rule: unknown rule "dropp-table" (did you mean "drop-table"?)');
  });

  it('accepts codes as keys, [severity, options], versions, and the strict preset', async () => {
    const p = await resolvePolicy({ preset: 'strict', postgresVersion: '14.2', assumeInTransaction: true, rules: { PG101: 'warning', 'missing-lock-timeout': ['error', { maxMs: 5000 }] } }, opts());
    expect(p.rules.get('create-index-non-concurrent')!.severity).toBe('warning');
    expect(p.rules.get('missing-lock-timeout')).toEqual({ severity: 'error', options: { maxMs: 5000 } });
    expect(p.rules.get('prefer-bigint')!.severity).toBe('info');
    expect(p.postgresVersion).toEqual({ major: 14, minor: 2 });
    expect(p.assumeInTransaction).toBe(true);
  });

  it('applies overrides by file glob and by project', async () => {
    const p = await resolvePolicy(
      { overrides: [{ files: ['services/legacy/**/*.sql'], rules: { 'drop-table': 'off' } }, { projects: ['billing:*'], rules: { 'drop-column': 'warning' } }] },
      opts(),
    );
    expect(effectiveRules(p, 'services/legacy/db/001.sql', 'x').get('drop-table')!.severity).toBe('off');
    expect(effectiveRules(p, 'services/api/db/001.sql', 'x').get('drop-table')!.severity).toBe('error');
    expect(effectiveRules(p, undefined, 'billing:alembic').get('drop-column')!.severity).toBe('warning');
    const e = await configError({ overrides: [{ rules: { 'drop-table': 'off' } }] });
    expect(e.summary).toContain('policy.overrides[0]: an override needs `files` or `projects`');
  });

  it('suggests close rule names, by id or code', () => {
    expect(suggestRule('drop-colum')).toBe('drop-column');
    expect(suggestRule('pg10l')).toBe('create-index-non-concurrent');
    expect(suggestRule('something-else-entirely')).toBeUndefined();
  });
});

describe('extends', () => {
  const repo = () => {
    const dir = mkdtempSync(join(tmpdir(), 'metamig-policy-'));
    writeFileSync(join(dir, 'package.json'), '{"name":"repo","private":true}');
    return dir;
  };

  it('builds a chain of JSON, YAML (wrapped in `policy:`), JS and TS files, base first', async () => {
    const dir = repo();
    mkdirSync(join(dir, 'policies'));
    writeFileSync(join(dir, 'policies/base.json'), JSON.stringify({ preset: 'strict', postgresVersion: 13, rules: { 'drop-table': 'warning', 'drop-column': 'warning' } }));
    writeFileSync(join(dir, 'policies/team.yaml'), 'policy:\n  extends: ./base.json\n  rules:\n    drop-column: off\n');
    writeFileSync(join(dir, 'policies/extra.mjs'), 'export default { rules: { "rename-table": "warning" } };');
    writeFileSync(join(dir, 'policies/typed.ts'), 'const p: { rules: Record<string, string> } = { rules: { "rename-column": "warning" } };\nexport default p;');
    const p = await resolvePolicy({ extends: ['./policies/team.yaml', './policies/extra.mjs', './policies/typed.ts'], rules: { 'drop-table': 'error' } }, { configDir: dir, repoRoot: dir });
    expect(p.preset).toBe('strict');
    expect(p.postgresVersion.major).toBe(13);
    expect(p.rules.get('drop-table')!.severity).toBe('error');
    expect(p.rules.get('drop-column')!.severity).toBe('off');
    expect(p.rules.get('rename-table')!.severity).toBe('warning');
    expect(p.rules.get('rename-column')!.severity).toBe('warning');
    expect(p.sources.map((s) => s.slice(dir.length + 1))).toEqual(['policies/base.json', 'policies/team.yaml', 'policies/extra.mjs', 'policies/typed.ts']);
  });

  it('resolves an npm package name from the repository root', async () => {
    const dir = repo();
    mkdirSync(join(dir, 'node_modules/@acme/migration-policy'), { recursive: true });
    writeFileSync(join(dir, 'node_modules/@acme/migration-policy/package.json'), '{"name":"@acme/migration-policy","main":"policy.json"}');
    writeFileSync(join(dir, 'node_modules/@acme/migration-policy/policy.json'), '{"rules":{"truncate-table":"error"}}');
    mkdirSync(join(dir, 'services/api'), { recursive: true });
    const p = await resolvePolicy({ extends: '@acme/migration-policy' }, { configDir: join(dir, 'services/api'), repoRoot: dir });
    expect(p.rules.get('truncate-table')!.severity).toBe('error');
  });

  it('reports missing files, missing packages, bad content and cycles as config errors', async () => {
    const dir = repo();
    const o = { configDir: dir, repoRoot: dir, configFile: 'metamig.config.json' };
    expect((await configError({ extends: './nope.yaml' }, o)).summary).toContain('metamig.config.json: policy.extends: no such file: ./nope.yaml');
    expect((await configError({ extends: '@acme/not-installed' }, o)).summary).toContain('cannot find the npm package "@acme/not-installed"');
    writeFileSync(join(dir, 'bad.json'), '{"rules":{"no-such-rule":"off"}}');
    expect((await configError({ extends: './bad.json' }, o)).summary).toContain('bad.json: rules.no-such-rule: unknown rule');
    writeFileSync(join(dir, 'a.json'), '{"extends":"./b.json"}');
    writeFileSync(join(dir, 'b.json'), '{"extends":"./a.json"}');
    expect((await configError({ extends: './a.json' }, o)).summary).toContain('b.json: extends: extends cycle: metamig.config.json → a.json → b.json → a.json');
  });
});
