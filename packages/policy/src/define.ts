// defineRule: the one way to declare a rule. Ids and codes are registered as they are defined, and a
// duplicate is a load-time error (two rules can never share a code, even in different files).
import type { Rule, RuleMeta } from './types.js';

const ID = /^[a-z][a-z0-9]*(-[a-z0-9]+)*$/;
const CODE = /^[A-Z]{2}\d{3}$/;

const codes = new Map<string, string>();
const ids = new Set<string>();

/** Register a rule's stable code; throws when the code (or the id) is already taken. */
export function registerCode(code: string, id: string): void {
  if (!CODE.test(code)) throw new Error(`Rule ${id}: code "${code}" must be two capitals and three digits (e.g. PG101).`);
  const owner = codes.get(code);
  if (owner !== undefined && owner !== id) throw new Error(`Rule code ${code} is used by both "${owner}" and "${id}": codes are stable identities, pick a free one.`);
  if (owner === undefined && ids.has(id)) throw new Error(`Rule id "${id}" is defined twice.`);
  codes.set(code, id);
  ids.add(id);
}

export function defineRule<O = Record<string, never>>(rule: Rule<O>): Rule<O> {
  const m: RuleMeta<O> = rule.meta;
  if (!ID.test(m.id)) throw new Error(`Rule id "${m.id}" must be kebab-case.`);
  registerCode(m.code, m.id);
  if (Object.keys(m.messages).length === 0) throw new Error(`Rule ${m.id} declares no messages.`);
  return rule;
}

const compiled = new Map<string, (string | { key: string })[]>();

/** Fill `{{name}}` placeholders; a missing value is a bug in the rule, so it throws. */
export function interpolate(template: string, data: Record<string, string | number> | undefined, ruleId: string): string {
  let parts = compiled.get(template);
  if (!parts) {
    parts = [];
    let last = 0;
    for (const m of template.matchAll(/\{\{\s*(\w+)\s*\}\}/g)) {
      parts.push(template.slice(last, m.index), { key: m[1]! });
      last = m.index + m[0].length;
    }
    parts.push(template.slice(last));
    compiled.set(template, parts);
  }
  let out = '';
  for (const p of parts) {
    if (typeof p === 'string') out += p;
    else {
      const v = data?.[p.key];
      if (v === undefined) throw new Error(`Rule ${ruleId}: message placeholder {{${p.key}}} has no value.`);
      out += String(v);
    }
  }
  return out;
}
