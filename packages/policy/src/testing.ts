// Running one rule on one SQL text with explicit context: shared by the RuleTester, the docs example
// check and the snapshot test.
import { defaultPolicy, findRule, parseOptions, presetSettings, type ResolvedPolicy } from './config.js';
import type { RuleSetting } from './engine.js';
import { lintSql } from './lint.js';
import type { Diagnostic, Rule, TestContext } from './types.js';

export interface RunOneOptions {
  options?: unknown;
  context?: TestContext;
}

/** A policy with only `rule` on (meta rules also get the recommended set, so waivers have something to waive). */
export function policyFor(rule: Rule, options?: unknown, context?: TestContext): ResolvedPolicy {
  const base = defaultPolicy(process.cwd());
  const rules = new Map<string, RuleSetting>();
  const rec = presetSettings('recommended');
  for (const [id, s] of rec) rules.set(id, rule.meta.category === 'meta' ? s : { ...s, severity: 'off' });
  const problems: string[] = [];
  const parsed = parseOptions(rule, options, `options of ${rule.meta.id}`, problems);
  if (problems.length) throw new Error(`Invalid options for ${rule.meta.id}: ${problems.join('; ')}`);
  rules.set(rule.meta.id, { severity: rule.meta.defaultSeverity, options: parsed });
  rules.set('syntax-error', { severity: 'error', options: {} });
  const waivers = (context?.waivers ?? []).map((w, i) => ({ ...w, rule: findRule(w.rule)?.meta.id ?? w.rule, source: `policy.waivers[${i}]` }));
  return { ...base, rules, waivers };
}

/** Lint `sql` as one migration (`migration.sql`) with only `rule` enabled. */
export async function runOne(rule: Rule, sql: string, opts: RunOneOptions = {}): Promise<Diagnostic[]> {
  const c = opts.context ?? {};
  return lintSql(sql, policyFor(rule, opts.options, c), {
    ...(c.pgVersion !== undefined ? { pgVersion: c.pgVersion } : {}),
    ...(c.inTransaction !== undefined ? { inTransaction: c.inTransaction } : {}),
    ...(c.framework ? { framework: c.framework } : {}),
    ...(c.observations ? { observations: c.observations } : {}),
    ...(c.before ? { before: c.before } : {}),
    ...(c.now ? { now: new Date(`${c.now}T12:00:00Z`) } : {}),
    migration: {
      ...(c.reversible !== undefined ? { reversible: c.reversible } : {}),
      ...(c.irreversibleReason ? { irreversibleReason: c.irreversibleReason } : {}),
      ...(c.sqlSource ? { sqlSource: c.sqlSource } : {}),
      ...(c.opaque ? { opaque: c.opaque } : {}),
    },
  });
}
