// Rule documentation generated from rule metadata: one page per rule (docs/rules/<id>.md) and the
// index (docs/rules/index.md). `scripts/generate-rule-docs.ts` writes them; a test fails when the
// committed files differ, lack the fixed headings, or their examples do not behave as labelled.
import { FRAMEWORKS, type FrameworkId } from '@metamig/core';
import { RULES } from './rules/index.js';
import type { Rule, TestContext } from './types.js';

export const FRAMEWORK_NAMES: Record<FrameworkId, string> = {
  alembic: 'Alembic',
  django: 'Django',
  prisma: 'Prisma',
  knex: 'Knex',
  typeorm: 'TypeORM',
  laravel: 'Laravel',
  rails: 'Rails',
  flyway: 'Flyway',
};

export const FAMILIES: { prefix: string; title: string }[] = [
  { prefix: 'PG1', title: 'Locking (PG1xx)' },
  { prefix: 'PG2', title: 'Rewrites and validation (PG2xx)' },
  { prefix: 'PG3', title: 'Measured in a sandbox (PG3xx)' },
  { prefix: 'TX', title: 'Transactions and timeouts (TX1xx)' },
  { prefix: 'DS', title: 'Destructive changes (DS1xx)' },
  { prefix: 'BC', title: 'Backward compatibility (BC1xx)' },
  { prefix: 'DF', title: 'Data-dependent failures (DF1xx)' },
  { prefix: 'RV', title: 'Reversibility and coverage (RV1xx)' },
  { prefix: 'HY', title: 'Schema hygiene (HY1xx, opt-in or strict)' },
  { prefix: 'MM', title: 'Parsing and waivers (MM0xx)' },
];

const GENERATED = (id: string) =>
  `<!-- GENERATED from packages/policy/src/rules/${id}.ts by packages/policy/scripts/generate-rule-docs.ts: edit the rule's metadata and re-run the script. -->`;

export function presetsOf(rule: Rule): string {
  const p = rule.meta.preset;
  if (p === 'recommended') return rule.meta.strictSeverity ? `recommended, strict (as ${rule.meta.strictSeverity})` : 'recommended, strict';
  if (p === 'strict') return 'strict';
  return 'none (opt-in)';
}

function defaults(rule: Rule): string | undefined {
  const schema = rule.meta.options;
  if (!schema) return undefined;
  const r = schema.safeParse({});
  return r.success ? JSON.stringify(r.data) : undefined;
}

/** The info string of an example block: ```sql unsafe context={...}``` */
function fence(kind: 'unsafe' | 'safe', ctx: TestContext | undefined): string {
  return ctx && Object.keys(ctx).length ? `\`\`\`sql ${kind} context=${JSON.stringify(ctx)}` : `\`\`\`sql ${kind}`;
}

export function renderRulePage(rule: Rule): string {
  const m = rule.meta;
  const d = m.docs;
  const opts = defaults(rule);
  const lines = [
    GENERATED(m.id),
    '',
    `# ${m.id} (${m.code})`,
    '',
    d.summary,
    '',
    '| | |',
    '|---|---|',
    `| Code | \`${m.code}\` |`,
    `| Default severity | ${m.defaultSeverity} |`,
    `| Category | ${m.category} |`,
    `| Presets | ${presetsOf(rule)} |`,
    `| Engines | ${m.engines.join(', ')} |`,
    ...(opts ? [`| Options (defaults) | \`${opts}\` |`] : []),
    `| Since | ${m.since} |`,
    '',
    '## Problem',
    '',
    d.problem,
    '',
    '## Safe alternative',
    '',
    d.safeAlternative,
    '',
  ];
  for (const fw of FRAMEWORKS) {
    const advice = d.frameworks[fw];
    if (advice) lines.push(`## With ${FRAMEWORK_NAMES[fw]}`, '', advice, '');
  }
  const ctx = d.examples.context;
  const safeCtx = d.examples.safeContext ? { ...ctx, ...d.examples.safeContext } : ctx;
  lines.push(
    '## Examples',
    '',
    'Reported by this rule:',
    '',
    fence('unsafe', ctx),
    d.examples.unsafe.trim(),
    '```',
    '',
    'Not reported:',
    '',
    fence('safe', safeCtx),
    d.examples.safe.trim(),
    '```',
    '',
  );
  if (ctx || d.examples.safeContext) lines.push('The `context=` of a block is the migration context the example is checked with (see docs/policy.md).', '');
  lines.push(
    '## Waiving it',
    '',
    `When you have checked that it is safe here, say why — on the statement, or in the config:`,
    '',
    '```sql',
    `-- metamig:allow ${m.id} reason: <why this is safe here>`,
    '```',
    '',
    '```yaml',
    'policy:',
    '  waivers:',
    `    - { migration: "<migration id or file>", rule: ${m.id}, reason: "<why>", expires: "YYYY-MM-DD" }`,
    '```',
    '',
    `Turn it off or change its severity with \`policy.rules.${m.id}\` (or \`${m.code}\`): \`off\`, \`info\`, \`warning\`, \`error\`${opts ? ', or `[severity, options]`' : ''}.`,
    '',
  );
  return lines.join('\n');
}

export function renderIndex(rules: readonly Rule[] = RULES): string {
  const lines = [
    '<!-- GENERATED from the rule metadata by packages/policy/scripts/generate-rule-docs.ts: do not edit by hand. -->',
    '',
    '# Policy rules',
    '',
    `${rules.length} rules, judged on the SQL each framework really sends, parsed by PostgreSQL's own parser. The \`recommended\` preset (the default) enables ${rules.filter((r) => r.meta.preset === 'recommended').length}; \`strict\` adds ${rules.filter((r) => r.meta.preset === 'strict').length} more; ${rules.filter((r) => !r.meta.preset).length} are opt-in only. Configure them under \`policy\` in metamig.config.* (see [../policy.md](../policy.md)).`,
    '',
  ];
  for (const f of FAMILIES) {
    const members = rules.filter((r) => r.meta.code.startsWith(f.prefix));
    if (!members.length) continue;
    lines.push(`## ${f.title}`, '', '| Rule | Code | Severity | Presets | What it catches |', '|---|---|---|---|---|');
    for (const r of members) lines.push(`| [${r.meta.id}](${r.meta.id}.md) | ${r.meta.code} | ${r.meta.defaultSeverity} | ${presetsOf(r)} | ${r.meta.docs.summary.replace(/\|/g, '\\|')} |`);
    lines.push('');
  }
  return lines.join('\n');
}

export interface ExampleBlock {
  kind: 'unsafe' | 'safe';
  sql: string;
  context: TestContext;
}

/** The ```sql unsafe / ```sql safe blocks of a rule page. */
export function exampleBlocks(markdown: string): ExampleBlock[] {
  const out: ExampleBlock[] = [];
  const re = /^```sql (unsafe|safe)(?: context=(.*))?\n([\s\S]*?)^```$/gm;
  for (const m of markdown.matchAll(re)) out.push({ kind: m[1] as 'unsafe' | 'safe', context: m[2] ? (JSON.parse(m[2]) as TestContext) : {}, sql: m[3]! });
  return out;
}
