// Entry points: a plan (the SQL each framework will really send, per migration), or plain SQL files.
// Each becomes "units" (one per migration), linted in order by the engine, then waivers are applied.
import { isAbsolute, relative, resolve, sep } from 'node:path';
import type { FrameworkId, Plan } from '@metamig/core';
import { RULES_BY_ID, type ResolvedPolicy } from './config.js';
import { parsePgVersion, pgAtLeast } from './version.js';
import { type Finding, makeFinding, runUnits, type RuleSetting, type SourceText, type Unit } from './engine.js';
import { isGlob, matchGlob } from './glob.js';
import { isSyntaxIssue, LineIndex, loadParser, streamSql } from './parse.js';
import { SchemaModel } from './state.js';
import { applyWaivers } from './suppress.js';
import type { Diagnostic, LintSettings, MigrationInfo, Observation, StatementInfo } from './types.js';

export interface LintOptions {
  /** Project id, shown in every diagnostic and matched by `overrides.projects` / waivers. */
  project?: string;
  /** Absolute project root: plan files are relative to it. Default: the repository root. */
  projectRoot?: string;
  framework?: FrameworkId;
  /** Facts measured in a sandbox, per statement (see Observation). */
  observations?: readonly Observation[];
  /** "Today", for waiver expiry (tests). */
  now?: Date;
}

export { pgAtLeast };

const posix = (p: string) => p.split(sep).join('/');

/** Repo-relative posix path for a file inside the repository; absolute (posix) otherwise. */
export function displayPath(path: string, repoRoot: string): string {
  if (!isAbsolute(path)) return posix(path);
  const rel = relative(repoRoot, path);
  return rel.startsWith('..') || isAbsolute(rel) ? posix(path) : posix(rel);
}

/** The rule settings for one migration: the policy's, then every matching override in order. */
export function effectiveRules(policy: ResolvedPolicy, file: string | undefined, project: string | undefined): Map<string, RuleSetting> {
  let rules = policy.rules;
  for (const o of policy.overrides) {
    const byFile = !!file && (o.files ?? []).some((g) => matchGlob(g, file));
    const byProject = !!project && (o.projects ?? []).some((p) => p === project || (isGlob(p) && matchGlob(p, project)));
    if (!byFile && !byProject) continue;
    if (rules === policy.rules) rules = new Map(rules);
    for (const [id, s] of o.rules) rules.set(id, s);
  }
  return rules;
}

interface SourceInput {
  text: string;
  file?: string;
  firstLine?: number;
}

/**
 * One migration as a unit. Its statements are parsed lazily, chunk by chunk, while the engine walks
 * them (`load`), so parse trees of a huge file never all live at once.
 */
function buildUnit(info: MigrationInfo, inputs: SourceInput[], policy: ResolvedPolicy, opts: LintOptions, framework: FrameworkId | undefined): Unit {
  const unit: Unit = {
    info,
    ...(opts.project ? { project: opts.project } : {}),
    ...(framework ? { framework } : {}),
    statements: [],
    syntaxErrors: [],
    sources: [],
    rules: effectiveRules(policy, info.file, opts.project),
    observations: new Map(),
    *load() {
      for (const [si, input] of inputs.entries()) {
        const stream = streamSql(input.text, input.text.includes('metamig:'));
        const src: SourceText = { text: input.text, comments: stream.comments };
        if (input.file) src.file = input.file;
        const located = input.firstLine !== undefined;
        if (located) src.firstLine = input.firstLine!;
        unit.sources.push(src);
        const lines = located ? new LineIndex(input.text) : undefined;
        for (const item of stream.items) {
          if (isSyntaxIssue(item)) {
            const f: Unit['syntaxErrors'][number] = { message: item.message, source: si, offset: item.offset, sql: item.sql };
            if (input.file) f.file = input.file;
            if (lines) {
              const at = lines.position(item.offset);
              f.line = input.firstLine! + at.line - 1;
              f.column = at.column;
            }
            unit.syntaxErrors.push(f);
            continue;
          }
          const s: StatementInfo = { index: unit.statements.length, type: item.type, node: item.node, sql: item.sql, start: item.start, end: item.end, source: si };
          if (input.file) s.file = input.file;
          if (lines) {
            const a = lines.position(item.start);
            const b = lines.position(Math.max(item.start, item.end - 1));
            s.line = input.firstLine! + a.line - 1;
            s.column = a.column;
            s.endLine = input.firstLine! + b.line - 1;
            s.endColumn = b.column + 1;
          }
          unit.statements.push(s);
          yield s;
        }
      }
    },
  };
  for (const o of opts.observations ?? []) {
    if (o.migration !== undefined && o.migration !== info.id && o.migration !== info.file) continue;
    const list = unit.observations.get(o.statement) ?? [];
    list.push(o);
    unit.observations.set(o.statement, list);
  }
  return unit;
}

function syntaxFindings(units: readonly Unit[]): Finding[] {
  const rule = RULES_BY_ID.get('syntax-error')!;
  const out: Finding[] = [];
  units.forEach((unit, ui) => {
    const setting = unit.rules.get('syntax-error');
    if (!setting || setting.severity === 'off') return;
    for (const e of unit.syntaxErrors) {
      const where = e.line !== undefined ? ` (line ${e.line}, column ${e.column})` : '';
      const f = makeFinding(rule, setting.severity, 'syntax', `PostgreSQL's parser rejects this statement: ${e.message}${where}. metamig could not check it (the other statements were checked); as written it fails when the migration runs.`, unit, ui, undefined);
      f.statement = e.sql.length > 400 ? `${e.sql.slice(0, 400)} …` : e.sql;
      if (e.file) f.file = e.file;
      if (e.line !== undefined) f.line = e.line;
      if (e.column !== undefined) f.column = e.column;
      f.sortKey = [e.source, e.offset];
      out.push(f);
    }
  });
  return out;
}

function strip(findings: Finding[]): Diagnostic[] {
  return findings.map(({ unit: _u, stmt: _s, sortKey: _k, ...d }) => d);
}

async function lintUnits(units: Unit[], policy: ResolvedPolicy, settings: LintSettings, opts: LintOptions): Promise<Diagnostic[]> {
  const findings = runUnits(units, RULES_BY_ID, settings, new SchemaModel());
  findings.push(...syntaxFindings(units));
  return strip(applyWaivers(findings, units, policy.waivers, opts.now));
}

/** Lint the SQL of a plan: one migration per step, in order. */
export async function lintPlan(plan: Plan, policy: ResolvedPolicy, opts: LintOptions = {}): Promise<Diagnostic[]> {
  await loadParser();
  const project = opts.project ?? plan.project;
  const projectRoot = opts.projectRoot ?? policy.repoRoot;
  const rel = (f: string) => posix(relative(policy.repoRoot, resolve(projectRoot, f)));
  const o: LintOptions = { ...opts, project };
  const units = plan.steps.map((step) => {
    const m = step.migration;
    const info: MigrationInfo = {
      id: m.id,
      name: m.name,
      transactional: step.transactional,
      sqlSource: step.sqlSource,
      ...(m.reversible !== undefined ? { reversible: m.reversible } : {}),
      ...(m.irreversibleReason ? { irreversibleReason: m.irreversibleReason } : {}),
      opaque: step.statements.filter((s) => s.kind === 'opaque').map((s) => s.note ?? s.sql),
      ...(step.sqlSource === 'unavailable' ? { unavailableReason: step.reason ?? 'the adapter could not produce the SQL' } : {}),
    };
    if (m.file) info.file = rel(m.file);
    const inputs: SourceInput[] = step.statements
      .filter((s) => s.kind !== 'opaque')
      .map((s) => ({ text: s.sql, ...(s.file ? { file: rel(s.file) } : {}), ...(s.file && s.line ? { firstLine: s.line } : {}) }));
    return buildUnit(info, inputs, policy, o, plan.framework);
  });
  return lintUnits(units, policy, { pgVersion: policy.postgresVersion, framework: plan.framework, project }, o);
}

/** Lint plain SQL files, in the order given (a migrations folder: earlier files inform later ones). */
export async function lintSqlFiles(files: readonly { path: string; text: string }[], policy: ResolvedPolicy, opts: LintOptions = {}): Promise<Diagnostic[]> {
  await loadParser();
  const units = files.map((f) => {
    const file = displayPath(f.path, policy.repoRoot);
    const info: MigrationInfo = { id: file, file, transactional: policy.assumeInTransaction, sqlSource: 'migration-file', opaque: [] };
    return buildUnit(info, [{ text: f.text, file, firstLine: 1 }], policy, opts, opts.framework);
  });
  return lintUnits(units, policy, { pgVersion: policy.postgresVersion, ...(opts.framework ? { framework: opts.framework } : {}), ...(opts.project ? { project: opts.project } : {}) }, opts);
}

export async function lintSqlFile(path: string, text: string, policy: ResolvedPolicy, opts: LintOptions = {}): Promise<Diagnostic[]> {
  return lintSqlFiles([{ path, text }], policy, opts);
}

export interface SqlLintContext {
  file?: string;
  pgVersion?: number | string;
  inTransaction?: boolean | 'unknown';
  framework?: FrameworkId;
  migration?: Partial<MigrationInfo>;
  observations?: readonly Observation[];
  /** Earlier migrations, linted first (their findings are dropped) so their schema is known. */
  before?: readonly string[];
  now?: Date;
}

/** Lint one SQL text as one migration with explicit context (RuleTester and docs examples). */
export async function lintSql(sql: string, policy: ResolvedPolicy, ctx: SqlLintContext = {}): Promise<Diagnostic[]> {
  await loadParser();
  const p: ResolvedPolicy = ctx.pgVersion !== undefined ? { ...policy, postgresVersion: parsePgVersion(ctx.pgVersion) } : policy;
  const file = ctx.file ?? 'migration.sql';
  const opts: LintOptions = { ...(ctx.observations ? { observations: ctx.observations } : {}), ...(ctx.now ? { now: ctx.now } : {}) };
  const before = (ctx.before ?? []).map((text, i) =>
    buildUnit({ id: `before-${i + 1}.sql`, file: `before-${i + 1}.sql`, transactional: false, opaque: [] }, [{ text, file: `before-${i + 1}.sql`, firstLine: 1 }], p, opts, ctx.framework),
  );
  const info: MigrationInfo = { id: file, file, transactional: ctx.inTransaction ?? p.assumeInTransaction, sqlSource: 'migration-file', opaque: [], ...ctx.migration };
  const unit = buildUnit(info, sql.trim() === '' ? [] : [{ text: sql, file, firstLine: 1 }], p, opts, ctx.framework);
  for (const b of before) b.rules = new Map([...b.rules].map(([id, s]) => [id, { ...s, severity: 'off' as const }]));
  const diags = await lintUnits([...before, unit], p, { pgVersion: p.postgresVersion, ...(ctx.framework ? { framework: ctx.framework } : {}) }, opts);
  return diags;
}
