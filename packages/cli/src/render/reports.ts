// Human renderings of each command's result. The JSON output carries the same data.
import {
  type DoctorEntry,
  type HeadsReport,
  type MergeReport,
  type MigrationState,
  type Plan,
  type ProjectError,
  type ProjectSummary,
  type RunReport,
  formatCommand,
} from '@metamig/core';
import { renderError } from './error.js';
import { c, duration, plural, table } from './style.js';

type Entry<T> = T | ProjectError;
const isErr = <T>(e: Entry<T>): e is ProjectError => 'error' in (e as object) && !('ok' in (e as object));

function failedBlock(e: ProjectError): string {
  return `${c.bold(e.project)}  ${c.red('failed')}\n${renderError(e.error, '  ')}`;
}

const STATE_STYLE: Record<string, (s: string) => string> = {
  applied: c.green,
  pending: c.yellow,
  failed: c.red,
  'missing-file': c.red,
  edited: c.red,
  'out-of-order': c.yellow,
};

export function renderDiscover(entries: ProjectSummary[]): string {
  if (!entries.length) return 'No migration projects found. (Looked for alembic.ini, knexfile.*, … under the repository root.)';
  const rows = entries.map((p) => [p.id, p.framework, p.root, p.database.description, c.dim(`(${p.database.source})`)]);
  return `${table(['PROJECT', 'FRAMEWORK', 'ROOT', 'DATABASE', ''], rows, '')}\n\n${plural(entries.length, 'project')} found.`;
}

function sourceLine(s: { native: string; durationMs: number; toolVersion?: string | undefined; via?: string }): string {
  const version = s.toolVersion ? ` ${s.toolVersion}` : '';
  const via = s.via === 'history-table' ? ' · read from the history table' : '';
  return c.dim(`via ${s.native}${version} · ${duration(s.durationMs)}${via}`);
}

export function renderStatus(entries: Entry<MigrationState>[]): string {
  const blocks: string[] = [];
  let behind = 0;
  let problems = 0;
  let failed = 0;
  for (const e of entries) {
    if (isErr(e)) {
      failed++;
      blocks.push(failedBlock(e));
      continue;
    }
    const rows = e.migrations.map((m) => [m.id, m.name === m.id ? '' : m.name, (STATE_STYLE[m.state] ?? String)(m.state), m.appliedAt ?? '']);
    const s = e.summary;
    const headline = `${c.bold(e.project)}  ${e.database}  ${sourceLine(e.source)}`;
    const body = e.migrations.length ? table(['ID', 'NAME', 'STATE', 'APPLIED AT'], rows) : '  (no migrations)';
    const notes: string[] = [];
    const h = e.history;
    if (h?.kind === 'multipleHeads') notes.push(c.yellow(`  ${h.heads.length} heads: ${h.heads.join(', ')} — run \`metamig merge ${e.project}\``));
    if (h?.kind === 'outOfOrder') notes.push(c.yellow(`  out of order: ${h.migrations.join(', ')} — see \`metamig heads ${e.project}\``));
    if (h?.kind === 'diverged') notes.push(c.red(`  applied but missing from the code: ${h.unknownToCode.join(', ')}`));
    if (h?.kind === 'failed') notes.push(c.red(`  ${h.migration} failed: ${h.detail.split('\n')[0]}`));
    if (h?.kind === 'edited') notes.push(c.red(`  edited after being applied: ${h.migrations.join(', ')}`));
    for (const w of e.warnings) notes.push(c.yellow(`  warning: ${w}`));
    const summary = `  ${plural(s.total, 'migration')}: ${s.applied} applied, ${s.pending} pending${s.problems ? `, ${c.red(plural(s.problems, 'problem'))}` : ''}`;
    if (s.pending) behind++;
    if (s.problems) problems++;
    blocks.push([headline, body, ...notes, summary].join('\n'));
  }
  const ok = entries.length - behind - failed - problems;
  const total = `${plural(entries.length, 'project')}: ${ok} up to date${behind ? `, ${behind} behind` : ''}${problems ? `, ${c.red(`${problems} with problems`)}` : ''}${failed ? `, ${c.red(`${failed} failed`)}` : ''}`;
  return `${blocks.join('\n\n')}\n\n${total}`;
}

export function renderRun(entries: Entry<RunReport>[]): string {
  const blocks = entries.map((e) => {
    if (isErr(e)) return failedBlock(e);
    const verb = e.operation === 'up' ? 'applied' : 'rolled back';
    const mode = e.mode.kind === 'emulated' ? c.yellow(` [emulated: ${e.mode.how}]`) : '';
    const head = e.ok
      ? `${c.green('✔')} ${c.bold(e.project)}: ${e.changes.length ? `${verb} ${plural(e.changes.length, 'migration')}` : 'no change'}${mode}`
      : `${c.red('✖')} ${c.bold(e.project)}: ${e.operation} failed${e.failedMigration ? ` at ${e.failedMigration}` : ''}${mode}`;
    const lines = [head];
    for (const ch of e.changes) lines.push(`    ${ch.direction === 'up' ? c.green('↑') : c.yellow('↓')} ${ch.id}${ch.name && ch.name !== ch.id ? c.dim(`  ${ch.name}`) : ''}`);
    if (e.source.command.length) lines.push(`  ${sourceLine(e.source)}`);
    lines.push(`  ${c.dim('now at:')} ${e.after.current.length ? e.after.current.join(', ') : '(nothing applied)'}`);
    for (const w of e.warnings) lines.push(`  ${c.yellow('note:')} ${w}`);
    if (e.error) lines.push(renderError(e.error, '  '));
    if (e.recovery) lines.push(`  ${c.bold('state:')} ${e.recovery}`);
    return lines.join('\n');
  });
  return blocks.join('\n\n');
}

export function renderPlan(entries: Entry<Plan>[]): string {
  const blocks = entries.map((e) => {
    if (isErr(e)) return failedBlock(e);
    const lines = [`${c.bold(e.project)}  ${e.direction}  ${plural(e.steps.length, 'migration')}  ${sourceLine(e.source)}`];
    for (const step of e.steps) {
      const tx = step.transactional === true ? 'in a transaction' : step.transactional === false ? 'no transaction' : 'transaction unknown';
      lines.push(`  ${c.cyan('──')} ${step.migration.id}  ${c.dim(`[${step.sqlSource}, ${tx}]`)}`);
      if (step.reason) lines.push(`     ${c.yellow(step.reason)}`);
      for (const st of step.statements) {
        const where = st.file ? c.dim(`  -- ${st.file}${st.line ? `:${st.line}` : ''}`) : '';
        const text = st.kind === 'opaque' ? c.yellow(`(code) ${st.sql}`) : st.sql;
        const [first, ...rest] = text.trimEnd().split('\n');
        lines.push(`     ${first}${where}`);
        for (const r of rest) lines.push(`     ${r}`);
        if (st.note) lines.push(`     ${c.dim(`-- ${st.note}`)}`);
      }
    }
    for (const s of e.sideEffects) lines.push(`  ${c.yellow('side effect:')} ${s}`);
    for (const w of e.warnings) lines.push(`  ${c.dim(w)}`);
    return lines.join('\n');
  });
  return blocks.join('\n\n');
}

export function renderHeads(entries: Entry<HeadsReport>[]): string {
  return entries
    .map((e) => {
      if (isErr(e)) return failedBlock(e);
      const state = e.divergent ? c.yellow('divergent') : c.green('linear');
      const lines = [`${c.bold(e.project)}  ${state}  heads: ${e.heads.length ? e.heads.join(', ') : '(none)'}`];
      for (const a of e.advice) lines.push(`  ${a}`);
      return lines.join('\n');
    })
    .join('\n\n');
}

export function renderMerge(entries: Entry<MergeReport>[]): string {
  return entries
    .map((e) => {
      if (isErr(e)) return failedBlock(e);
      const lines = [`${c.bold(e.project)}  ${e.message}`];
      lines.push(`  heads: ${e.headsBefore.join(', ') || '(none)'} → ${e.headsAfter.join(', ') || '(none)'}`);
      for (const f of e.created) lines.push(`  ${c.green('created')} ${f}`);
      for (const r of e.renamed) lines.push(`  ${c.green('renamed')} ${r.from} → ${r.to}`);
      for (const r of e.refused) lines.push(`  ${c.yellow('left alone')} ${r.file}: ${r.reason}`);
      if (e.source.command.length) lines.push(`  ${sourceLine(e.source)}`);
      return lines.join('\n');
    })
    .join('\n\n');
}

export function renderDoctor(entries: Entry<DoctorEntry>[]): string {
  return entries
    .map((e) => {
      if (isErr(e)) return failedBlock(e);
      const rows = e.toolchains.map((t) => [t.found ? c.green('ok') : c.red('missing'), t.name, t.version ?? '', t.path ?? '', t.found ? '' : (t.hint ?? '')]);
      const caps = Object.entries(e.capabilities)
        .filter(([k]) => k !== 'transactionalDdl')
        .map(([k, v]) => {
          const cap = v as { support: string };
          return `${k}: ${cap.support === 'native' ? c.green('native') : cap.support === 'emulated' ? c.yellow('emulated') : c.red('none')}`;
        });
      return `${c.bold(e.project)}  ${e.framework}\n${table(['', 'TOOL', 'VERSION', 'PATH', ''], rows)}\n  ${c.dim(caps.join(' · '))}`;
    })
    .join('\n\n');
}

export const renderCommand = formatCommand;
