// Writes docs/rules/<id>.md for every rule and docs/rules/index.md, all from rule metadata.
//   npx jiti packages/policy/scripts/generate-rule-docs.ts          (from the repository root)
//   npx jiti packages/policy/scripts/generate-rule-docs.ts --check  (exit 1 when a file is stale)
// The docs test (src/docs.test.ts) fails when the committed files differ from what this writes.
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { renderIndex, renderRulePage } from '../src/docs.js';
import { RULES } from '../src/rules/index.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
const dir = join(root, 'docs/rules');
const check = process.argv.includes('--check');

const wanted = new Map<string, string>([['index.md', renderIndex(RULES)], ...RULES.map((r) => [`${r.meta.id}.md`, renderRulePage(r)] as [string, string])]);
const stale: string[] = [];
if (!check) mkdirSync(dir, { recursive: true });
for (const [name, text] of wanted) {
  const file = join(dir, name);
  const current = existsSync(file) ? readFileSync(file, 'utf8') : undefined;
  if (current === text) continue;
  stale.push(name);
  if (!check) writeFileSync(file, text);
}
const extra = existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith('.md') && !wanted.has(f)) : [];
for (const f of extra) {
  stale.push(`${f} (no such rule)`);
  if (!check) rmSync(join(dir, f));
}
if (check) {
  if (stale.length) {
    process.stderr.write(`docs/rules is out of date: ${stale.join(', ')}\nRun: npx jiti packages/policy/scripts/generate-rule-docs.ts\n`);
    process.exitCode = 1;
  } else process.stdout.write(`docs/rules is up to date (${wanted.size} files).\n`);
} else process.stdout.write(`docs/rules: ${stale.length ? `wrote ${stale.join(', ')}` : 'nothing to change'} (${wanted.size} files).\n`);
