// The rule docs are generated from metadata and must stay in sync; their examples must behave as
// labelled. Regenerate with: npx jiti packages/policy/scripts/generate-rule-docs.ts
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { exampleBlocks, FRAMEWORK_NAMES, renderIndex, renderRulePage } from './docs.js';
import { RULES } from './rules/index.js';
import { runOne } from './testing.js';

const docsDir = resolve(dirname(fileURLToPath(import.meta.url)), '../../../docs/rules');
const fix = 'Run `npx jiti packages/policy/scripts/generate-rule-docs.ts` from the repository root and commit the result.';
const read = (name: string) => (existsSync(join(docsDir, name)) ? readFileSync(join(docsDir, name), 'utf8') : undefined);

describe('docs/rules', () => {
  it('index.md is the one generated from the rule metadata', () => {
    expect(read('index.md'), `docs/rules/index.md is stale. ${fix}`).toBe(renderIndex(RULES));
  });

  it('has a page for every rule, and no page for a rule that does not exist', () => {
    const pages = readdirSync(docsDir).filter((f) => f.endsWith('.md') && f !== 'index.md');
    expect(RULES.filter((r) => !pages.includes(`${r.meta.id}.md`)).map((r) => r.meta.id), `rules without a page. ${fix}`).toEqual([]);
    expect(pages.filter((p) => !RULES.some((r) => `${r.meta.id}.md` === p)), 'pages without a rule').toEqual([]);
  });

  for (const rule of RULES) {
    const id = rule.meta.id;
    describe(id, () => {
      const page = read(`${id}.md`) ?? '';

      it('has the fixed sections, one "With <Framework>" per framework with advice', () => {
        const headings = page.split('\n').filter((l) => l.startsWith('## '));
        const frameworks = Object.keys(rule.meta.docs.frameworks).map((f) => `## With ${FRAMEWORK_NAMES[f as keyof typeof FRAMEWORK_NAMES]}`);
        expect(headings.slice(0, 2)).toEqual(['## Problem', '## Safe alternative']);
        expect(headings.filter((h) => h.startsWith('## With ')).sort()).toEqual(frameworks.sort());
        expect(headings).toContain('## Examples');
        expect(page).toContain('```sql unsafe');
        expect(page).toContain('```sql safe');
      });

      it('is up to date with the rule metadata', () => {
        expect(page, `docs/rules/${id}.md is stale. ${fix}`).toBe(renderRulePage(rule));
      });

      it('its "unsafe" blocks trigger the rule and its "safe" blocks do not', async () => {
        const blocks = exampleBlocks(page);
        expect(blocks.map((b) => b.kind).sort()).toEqual(['safe', 'unsafe']);
        for (const b of blocks) {
          const found = (await runOne(rule, b.sql, { context: b.context })).filter((d) => d.rule === id || d.rule === 'syntax-error');
          const ours = found.filter((d) => d.rule === id);
          if (b.kind === 'unsafe') expect(ours.length, `the unsafe example of ${id} does not trigger it:\n${b.sql}`).toBeGreaterThan(0);
          else expect(found.map((d) => `${d.rule}: ${d.message}`), `the safe example of ${id} triggers it:\n${b.sql}`).toEqual([]);
          if (id !== 'syntax-error') expect(found.filter((d) => d.rule === 'syntax-error').map((d) => d.message), `example of ${id} does not parse`).toEqual([]);
        }
      });
    });
  }
});
