import { existsSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { FRAMEWORKS } from '@metamig/core';
import { describe, expect, it } from 'vitest';
import { presetSettings } from './config.js';
import { defineRule, registerCode } from './define.js';
import { RULES } from './rules/index.js';

const rulesDir = join(dirname(fileURLToPath(import.meta.url)), 'rules');

describe('rule registry', () => {
  it('lists every rule file exactly once, with id = file name', () => {
    const files = readdirSync(rulesDir).filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts') && !f.startsWith('_') && f !== 'index.ts');
    expect(RULES.map((r) => `${r.meta.id}.ts`).sort()).toEqual(files.sort());
  });

  it('has a RuleTester test file beside every rule', () => {
    const missing = RULES.filter((r) => !existsSync(join(rulesDir, `${r.meta.id}.test.ts`))).map((r) => r.meta.id);
    expect(missing, 'rules without src/rules/<id>.test.ts').toEqual([]);
  });

  it('uses unique, well-formed codes in the documented families', () => {
    const codes = RULES.map((r) => r.meta.code);
    expect(new Set(codes).size).toBe(codes.length);
    for (const c of codes) expect(c).toMatch(/^(PG[123]\d\d|TX1\d\d|DS1\d\d|BC1\d\d|DF1\d\d|RV1\d\d|HY1\d\d|MM0\d\d)$/);
  });

  it('refuses a duplicate code or id at definition time', () => {
    expect(() => registerCode('PG101', 'some-other-rule')).toThrow(/PG101 is used by both "create-index-non-concurrent" and "some-other-rule"/);
    const again = RULES[0]!;
    expect(() => defineRule({ ...again, meta: { ...again.meta, code: 'ZZ999' } })).toThrow(/defined twice/);
    expect(() => registerCode('P1', 'x')).toThrow(/two capitals and three digits/);
  });

  it('gives framework advice for all eight frameworks where the brief requires it', () => {
    const required = ['create-index-non-concurrent', 'add-column-not-null-no-default', 'set-not-null-full-scan', 'add-foreign-key-validating', 'rename-column', 'rename-table', 'drop-column', 'drop-table'];
    for (const id of required) {
      const r = RULES.find((x) => x.meta.id === id)!;
      expect(Object.keys(r.meta.docs.frameworks).sort(), id).toEqual([...FRAMEWORKS].sort());
    }
  });

  it('keeps hygiene rules out of the recommended preset, and strict a superset of it', () => {
    const rec = presetSettings('recommended');
    const strict = presetSettings('strict');
    for (const r of RULES) {
      if (r.meta.category === 'hygiene') expect(rec.get(r.meta.id)!.severity, r.meta.id).toBe('off');
      if (rec.get(r.meta.id)!.severity !== 'off') expect(strict.get(r.meta.id)!.severity, r.meta.id).not.toBe('off');
    }
    expect(strict.get('missing-lock-timeout')!.severity).toBe('error');
    expect(rec.get('missing-lock-timeout')!.severity).toBe('warning');
  });

  it('covers the SQL-judgeable hazards of the catalog (B1–B5)', () => {
    const nonHygiene = RULES.filter((r) => r.meta.category !== 'hygiene' && r.meta.category !== 'meta');
    expect(nonHygiene.length).toBeGreaterThanOrEqual(45);
  });

  it('declares docs and messages every reporter needs', () => {
    for (const r of RULES) {
      const d = r.meta.docs;
      expect(d.summary.length, r.meta.id).toBeGreaterThan(10);
      expect(d.problem.length, r.meta.id).toBeGreaterThan(60);
      expect(d.safeAlternative.length, r.meta.id).toBeGreaterThan(20);
      expect(d.examples.unsafe.trim(), r.meta.id).not.toBe('');
      expect(r.meta.engines).toEqual(['postgres']);
    }
  });
});
