// Human rendering of `metamig verify`.
import type { ProjectError, ProjectVerification } from '@metamig/core';
import { renderError } from './error.js';
import { c, duration } from './style.js';

const MARK: Record<string, string> = { verified: '✔', failed: '✖', irreversible: '⚠', 'down-error': '✖', 'up-error': '✖' };

export function renderVerify(entries: (ProjectVerification | ProjectError)[]): string {
  return entries
    .map((e) => {
      if ('error' in e && !('ok' in e)) return `${c.bold(e.project)}  ${c.red('failed')}\n${renderError(e.error, '  ')}`;
      const v = e as ProjectVerification;
      const scope = v.scope === 'all' ? 'the whole history' : v.scope === 'from' ? 'from the given migration' : 'the pending migrations';
      const lines = [`${c.bold(v.project)}  verified ${scope} on a throwaway ${v.engine === 'postgres' ? 'PostgreSQL' : 'SQLite'} database`];
      for (const m of v.migrations) {
        const paint = m.result === 'verified' ? c.green : m.result === 'irreversible' ? c.yellow : c.red;
        const t = m.timings;
        const times = [t.upMs !== undefined ? `up ${duration(t.upMs)}` : '', t.downMs !== undefined ? `down ${duration(t.downMs)}` : '', t.upAgainMs !== undefined ? `up again ${duration(t.upAgainMs)}` : '']
          .filter(Boolean)
          .join(' · ');
        lines.push(`  ${paint(MARK[m.result] ?? '?')} ${m.id}  ${paint(m.result)}  ${c.dim(times)}`);
        for (const d of m.differences) lines.push(`      ${c.red('after down:')} ${d.message}`);
        for (const d of m.upAgainDifferences) lines.push(`      ${c.red('after up again:')} ${d.message}`);
        if (m.error) lines.push(renderError(m.error, '      '));
        for (const l of m.observations?.locks ?? []) {
          if (l.kind !== 'table' || l.mode === 'ACCESS SHARE') continue;
          lines.push(`      ${c.dim('lock:')} ${l.mode} on ${l.relation} for ${duration(l.heldMs)} ${c.dim(`(${l.statement.replace(/\s+/g, ' ').slice(0, 80)})`)}`);
        }
        for (const r of m.observations?.rewrites ?? []) lines.push(`      ${c.yellow('rewrite:')} table ${r} was rewritten`);
        if (m.added.length) lines.push(`      ${c.dim('rollback drops:')} ${m.added.join(', ')}`);
        if (m.removed.length) lines.push(`      ${c.dim('up removes:')} ${m.removed.join(', ')}`);
        for (const n of m.notes) lines.push(`      ${c.dim(n)}`);
      }
      for (const w of v.warnings) lines.push(`  ${c.yellow('note:')} ${w}`);
      const bad = v.migrations.filter((m) => !['verified', 'irreversible'].includes(m.result)).length;
      lines.push(`  ${v.migrations.length} checked: ${v.migrations.filter((m) => m.result === 'verified').length} verified${bad ? `, ${c.red(`${bad} not restored`)}` : ''}`);
      return lines.join('\n');
    })
    .join('\n\n');
}
