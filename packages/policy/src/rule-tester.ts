// RuleTester: valid and invalid SQL cases beside each rule, run on vitest. It refuses hollow tests:
// a rule needs valid and invalid cases, every invalid case must report and every valid one must not,
// no duplicates, every messageId must exist — and every message of the rule must be exercised — and
// SQL that does not parse is an error in the test, not a pass. The rendered text diagnostic of the
// first invalid case is snapshotted in `__snapshots__/<id>.txt` next to the test file.
// Imports vitest: for tests only (not exported from the package index).
import { describe, expect, it } from 'vitest';
import { formatText } from './format/text.js';
import { runOne } from './testing.js';
import type { Diagnostic, Rule, TestContext } from './types.js';

export interface ValidCase {
  sql: string;
  /** Rule options, as in `[severity, options]`. */
  options?: unknown;
  context?: TestContext;
  /** Test title (default: the first line of the SQL). */
  name?: string;
}

export interface ExpectedError {
  messageId: string;
  /** 1-based ordinal of the statement in `sql` (the first statement is 1). */
  statement?: number;
  /** 1-based line in `sql` (for findings that are not tied to a statement). */
  line?: number;
  /** A substring (or pattern) the rendered message must contain. */
  message?: string | RegExp;
}

export interface InvalidCase extends ValidCase {
  errors: ExpectedError[];
}

export interface RuleTests {
  valid: (string | ValidCase)[];
  invalid: InvalidCase[];
}

const title = (c: ValidCase) => c.name ?? (c.sql.trim().split('\n').find((l) => l.trim() && !l.trim().startsWith('--')) ?? c.sql.trim()).slice(0, 90);
const keyOf = (c: ValidCase) => JSON.stringify([c.sql.trim(), c.options ?? null, c.context ?? null]);

function describeFindings(ds: readonly Diagnostic[]): string {
  if (ds.length === 0) return '  (none)';
  return ds.map((d) => `  - ${d.rule}/${d.messageId} at statement ${d.statementIndex !== undefined ? d.statementIndex + 1 : '-'} (line ${d.line ?? '-'}): ${d.message}`).join('\n');
}

export class RuleTester {
  constructor(private readonly defaults: { context?: TestContext } = {}) {}

  run(rule: Rule, tests: RuleTests): void {
    const id = rule.meta.id;
    const valid = tests.valid.map((v) => (typeof v === 'string' ? { sql: v } : v));
    const invalid = tests.invalid;
    const withDefaults = <T extends ValidCase>(c: T): T => ({ ...c, context: { ...this.defaults.context, ...c.context } });

    describe(`${id} (${rule.meta.code})`, () => {
      it('has valid and invalid cases, no duplicates, and exercises every message', () => {
        const problems: string[] = [];
        if (valid.length === 0) problems.push('add at least one `valid` case: SQL this rule must accept (the safe alternative is a good one).');
        if (invalid.length === 0) problems.push('add at least one `invalid` case: SQL this rule must report, with `errors: [{ messageId }]`.');
        const seen = new Map<string, string>();
        for (const c of [...valid.map((v) => ['valid', v] as const), ...invalid.map((v) => ['invalid', v] as const)]) {
          const k = keyOf(c[1]);
          const prev = seen.get(k);
          if (prev) problems.push(`duplicate case (${prev} and ${c[0]}): "${title(c[1])}" — remove one, or change its SQL/options/context.`);
          seen.set(k, c[0]);
        }
        const messages = Object.keys(rule.meta.messages);
        for (const c of invalid) {
          if (c.errors.length === 0) problems.push(`invalid case "${title(c)}" lists no errors: give it \`errors: [{ messageId: '${messages[0]}' }]\`, or move it to \`valid\`.`);
          for (const e of c.errors) {
            if (!messages.includes(e.messageId)) problems.push(`invalid case "${title(c)}" expects messageId "${e.messageId}", which ${id} does not declare (it has: ${messages.join(', ')}).`);
          }
        }
        if (rule.meta.category !== 'meta') {
          const used = new Set(invalid.flatMap((c) => c.errors.map((e) => e.messageId)));
          for (const m of messages) if (!used.has(m)) problems.push(`message "${m}" of ${id} is never exercised: add an invalid case that produces it.`);
        }
        if (problems.length) throw new Error(`RuleTester(${id}):\n- ${problems.join('\n- ')}`);
      });

      for (const raw of valid) {
        const c = withDefaults(raw);
        it(`valid: ${title(c)}`, async () => {
          const all = await runOne(rule, c.sql, { options: c.options, context: c.context });
          const syntax = rule.meta.id === 'syntax-error' ? [] : all.filter((d) => d.rule === 'syntax-error');
          if (syntax.length) throw new Error(`RuleTester(${id}): this valid case does not parse, so it proves nothing:\n${describeFindings(syntax)}\nFix the SQL.`);
          const own = all.filter((d) => d.rule === id);
          if (own.length) throw new Error(`RuleTester(${id}): expected no ${id} finding for this valid case, got:\n${describeFindings(own)}\nEither the rule has a false positive, or the case belongs in \`invalid\` with these errors.`);
        });
      }

      for (const c0 of invalid) {
        const c = withDefaults(c0);
        it(`invalid: ${title(c)}`, async () => {
          const all = await runOne(rule, c.sql, { options: c.options, context: c.context });
          const syntax = rule.meta.id === 'syntax-error' ? [] : all.filter((d) => d.rule === 'syntax-error');
          if (syntax.length) throw new Error(`RuleTester(${id}): this invalid case does not parse — a syntax error is not the hazard under test:\n${describeFindings(syntax)}\nFix the SQL.`);
          const own = all.filter((d) => d.rule === id);
          if (own.length !== c.errors.length) {
            throw new Error(
              `RuleTester(${id}): expected ${c.errors.length} finding(s), got ${own.length}:\n${describeFindings(own)}\n` +
                (own.length === 0 ? 'The rule did not report: fix the rule, or move the case to `valid` if it is safe.' : 'List exactly the findings the case should produce in `errors` (in order).'),
            );
          }
          c.errors.forEach((e, i) => {
            const d = own[i]!;
            const where = `finding ${i + 1} of "${title(c)}"`;
            if (d.messageId !== e.messageId) throw new Error(`RuleTester(${id}): ${where} has messageId "${d.messageId}", expected "${e.messageId}".\n${describeFindings([d])}`);
            if (e.statement !== undefined && (d.statementIndex ?? -1) + 1 !== e.statement) {
              throw new Error(`RuleTester(${id}): ${where} is on statement ${d.statementIndex !== undefined ? d.statementIndex + 1 : '(none)'}, expected statement ${e.statement} (statements are numbered from 1 in the case's SQL).`);
            }
            if (e.line !== undefined && d.line !== e.line) throw new Error(`RuleTester(${id}): ${where} is on line ${d.line ?? '(none)'}, expected line ${e.line}.`);
            if (e.message !== undefined && !(typeof e.message === 'string' ? d.message.includes(e.message) : e.message.test(d.message))) {
              throw new Error(`RuleTester(${id}): ${where} says:\n  ${d.message}\nwhich does not match ${String(e.message)}.`);
            }
          });
        });
      }

      const first = invalid[0];
      if (first) {
        it('renders its first invalid case (snapshot)', async () => {
          const c = withDefaults(first);
          // Show the framework advice too, as a user of the first framework with advice would see it.
          const fw = c.context?.framework ?? (Object.keys(rule.meta.docs.frameworks)[0] as TestContext['framework']);
          const context: TestContext = { ...c.context, ...(fw ? { framework: fw } : {}) };
          const own = (await runOne(rule, c.sql, { options: c.options, context })).filter((d) => d.rule === id);
          await expect(`${formatText(own, { summary: false })}\n`).toMatchFileSnapshot(`./__snapshots__/${id}.txt`);
        });
      }
    });
  }
}

export const ruleTester = new RuleTester();
