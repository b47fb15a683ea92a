// Waivers, applied after the rules (rules never see them). Three forms:
//   -- metamig:allow <rule-id|code>[, …] reason: <text>       the statement on the same line, else the next one
//   -- metamig:allow-file <rule-id|code>[, …] reason: <text>  every statement of the file / migration
//   policy.waivers: [{ migration, rule, reason, expires?, project? }] in the config
// A waived diagnostic stays in the report with `waived: { reason, source }`. A waiver without a reason
// (or naming an unknown rule) is an `invalid-waiver` error and waives nothing; a waiver that waived
// nothing is an `unused-waiver` warning; a config waiver past its `expires` day stops applying and is
// an `expired-waiver` warning.
import type { ConfigWaiver } from './config.js';
import { findRule, RULES_BY_ID } from './config.js';
import { type Finding, makeFinding, type Unit } from './engine.js';
import { isGlob, matchGlob } from './glob.js';
import { LineIndex } from './parse.js';
import type { Severity, StatementInfo } from './types.js';

const DIRECTIVE = /^\s*metamig:(allow-file|allow)(?![\w-])([\s\S]*)$/;

interface InlineWaiver {
  kind: 'allow' | 'allow-file';
  unit: number;
  rules: string[];
  reason: string;
  line?: number;
  file?: string;
  text: string;
  sortKey?: [number, number];
  /** `allow`: the statement it applies to (undefined = none follows). */
  target?: StatementInfo;
  used: Set<string>;
}

interface At {
  file?: string;
  line?: number;
  text?: string;
  sortKey?: [number, number];
}

function metaFinding(ruleId: string, unit: Unit, unitIndex: number, message: string, at?: At): Finding | undefined {
  const setting = unit.rules.get(ruleId);
  const rule = RULES_BY_ID.get(ruleId);
  if (!rule || !setting || setting.severity === 'off') return undefined;
  const f = makeFinding(rule, setting.severity as Severity, Object.keys(rule.meta.messages)[0]!, message, unit, unitIndex, undefined);
  if (at?.file) f.file = at.file;
  if (at?.line !== undefined) f.line = at.line;
  if (at?.sortKey) f.sortKey = at.sortKey;
  if (at?.text) f.statement = at.text;
  return f;
}

/** Waivers written in the SQL comments of a unit, each tied to its statement. */
function inlineWaivers(unit: Unit, unitIndex: number, problems: Finding[]): InlineWaiver[] {
  const out: InlineWaiver[] = [];
  unit.sources.forEach((src, si) => {
    if (!src.comments?.length) return;
    let lines: LineIndex | undefined;
    const stmts = unit.statements.filter((s) => s.source === si);
    for (const c of src.comments) {
      const m = DIRECTIVE.exec(c.body);
      if (!m) continue;
      lines ??= new LineIndex(src.text);
      const pos = lines.position(c.start);
      const line = src.firstLine !== undefined ? src.firstLine + pos.line - 1 : undefined;
      const file = src.file ?? unit.info.file;
      const text = src.text.slice(c.start, c.end).trim();
      const at: At = { ...(file ? { file } : {}), ...(line !== undefined ? { line } : {}), text, sortKey: [si, c.start] };
      const [rulesPart = '', ...reasonParts] = m[2]!.split(/\breason\s*:/i);
      const reason = reasonParts.join('reason:').replace(/\*\/\s*$/, '').trim();
      const names = rulesPart.split(/[\s,]+/).filter(Boolean);
      const ids: string[] = [];
      let ok = true;
      if (names.length === 0) {
        ok = false;
        const f = metaFinding('invalid-waiver', unit, unitIndex, `This waiver names no rule: write \`-- metamig:${m[1]} <rule-id or code> reason: <why it is safe>\`.`, at);
        if (f) problems.push(f);
      }
      for (const n of names) {
        const rule = findRule(n);
        if (rule) ids.push(rule.meta.id);
        else {
          ok = false;
          const f = metaFinding('invalid-waiver', unit, unitIndex, `This waiver names an unknown rule "${n}", so it waives nothing. Use a rule id or code from docs/rules/index.md.`, at);
          if (f) problems.push(f);
        }
      }
      if (!reason) {
        ok = false;
        const f = metaFinding('invalid-waiver', unit, unitIndex, `This waiver of ${names.join(', ') || 'a rule'} has no reason, so it waives nothing: add \`reason: <why this is safe here>\` — reviewers and the rollback checklist read it.`, at);
        if (f) problems.push(f);
      }
      if (!ok) continue;
      const w: InlineWaiver = { kind: m[1] as 'allow' | 'allow-file', unit: unitIndex, rules: ids, reason, text, used: new Set(), ...at };
      if (w.kind === 'allow') {
        // the statement on the same line (a trailing comment), else the next statement
        const trailing = stmts.find((s) => s.start < c.start && lines!.position(Math.max(s.start, s.end - 1)).line === pos.line);
        w.target = trailing ?? unit.statements.find((s) => s.source > si || (s.source === si && s.start >= c.end));
      }
      out.push(w);
    }
  });
  return out;
}

function waiverMatchesUnit(w: ConfigWaiver, unit: Unit): boolean {
  if (w.project !== undefined) {
    const p = unit.project ?? '';
    if (p !== w.project && !(isGlob(w.project) && matchGlob(w.project, p))) return false;
  }
  const candidates = [unit.info.id, unit.info.name, unit.info.file].filter((x): x is string => !!x);
  return candidates.some((c) => c === w.migration || (isGlob(w.migration) && matchGlob(w.migration, c)));
}

const today = (now: Date) => now.toISOString().slice(0, 10);

/** Mark waived findings and add the waiver diagnostics. Returns the findings in report order. */
export function applyWaivers(findings: Finding[], units: readonly Unit[], configWaivers: readonly ConfigWaiver[], now: Date = new Date()): Finding[] {
  const problems: Finding[] = [];
  const inline = units.flatMap((u, i) => inlineWaivers(u, i, problems));
  const day = today(now);
  const configUse = configWaivers.map(() => new Map<number, boolean>()); // unit → used
  const expired = new Set<string>();

  for (const f of findings) {
    if (f.rule === 'invalid-waiver' || f.rule === 'unused-waiver' || f.rule === 'expired-waiver') continue;
    const unit = units[f.unit]!;
    const hit =
      inline.find((w) => w.unit === f.unit && w.kind === 'allow' && w.target !== undefined && w.target === f.stmt && w.rules.includes(f.rule)) ??
      inline.find((w) => w.unit === f.unit && w.kind === 'allow-file' && w.rules.includes(f.rule));
    if (hit) {
      hit.used.add(f.rule);
      f.waived = { reason: hit.reason, source: `${hit.kind === 'allow' ? 'inline' : 'file-level'} comment${hit.file ? ` at ${hit.file}${hit.line !== undefined ? `:${hit.line}` : ''}` : ''}` };
      continue;
    }
    for (const [i, w] of configWaivers.entries()) {
      if (w.rule !== f.rule || !waiverMatchesUnit(w, unit)) continue;
      if (w.expires !== undefined && w.expires < day) {
        expired.add(`${i}#${f.unit}`);
        continue;
      }
      configUse[i]!.set(f.unit, true);
      f.waived = { reason: w.reason, source: `config ${w.source}`, ...(w.expires ? { expires: w.expires } : {}) };
      break;
    }
  }

  for (const w of inline) {
    for (const r of w.rules) {
      if (w.used.has(r)) continue;
      const unit = units[w.unit]!;
      const where = w.kind === 'allow' ? (w.target ? 'the statement it applies to' : 'anything: no statement follows it') : 'this migration';
      const f = metaFinding('unused-waiver', unit, w.unit, `This waiver of ${r} waived nothing: ${r} does not fire on ${where}. Delete the comment (or move it above the statement it is meant for).`, {
        ...(w.file ? { file: w.file } : {}),
        ...(w.line !== undefined ? { line: w.line } : {}),
        ...(w.sortKey ? { sortKey: w.sortKey } : {}),
        text: w.text,
      });
      if (f) problems.push(f);
    }
  }
  // Expired: once per matching migration. Unused: once per waiver (on the first migration it matches),
  // only when it matched a migration of this run and waived nothing in any of them — a glob waiver
  // covering many migrations is used as soon as it waives one finding.
  for (const [i, w] of configWaivers.entries()) {
    const matched = units.map((u, ui) => [u, ui] as const).filter(([u]) => waiverMatchesUnit(w, u));
    if (matched.length === 0) continue;
    if (w.expires !== undefined && w.expires < day) {
      for (const [unit, ui] of matched) {
        const f = metaFinding('expired-waiver', unit, ui, `The waiver ${w.source} of ${w.rule} for ${w.migration} expired on ${w.expires}, so it no longer applies${expired.has(`${i}#${ui}`) ? ' and the finding it covered is reported again' : ''}. Fix the migration, or renew the waiver with a new date and reason.`);
        if (f) problems.push(f);
      }
    } else if (configUse[i]!.size === 0) {
      const [unit, ui] = matched[0]!;
      const f = metaFinding('unused-waiver', unit, ui, `The waiver ${w.source} of ${w.rule} for ${w.migration} waived nothing: ${w.rule} does not fire in ${matched.length === 1 ? 'this migration' : `any of the ${matched.length} migrations it matches`}. Delete it from the config.`);
      if (f) problems.push(f);
    }
  }
  const all = [...findings, ...problems];
  all.sort((a, b) => a.unit - b.unit || a.sortKey[0] - b.sortKey[0] || a.sortKey[1] - b.sortKey[1]);
  return all;
}

