// Human rendering of `metamig check`: per project (or SQL file) the findings as the policy's text
// reporter prints them, in colour on a TTY, then one summary line for the whole run.
import type { ProjectError } from '@metamig/core';
import { type CheckEntry, formatSummary, formatText, type Summary, summarize, type TextStyle } from '@metamig/policy';
import { renderError } from './error.js';
import { c, plural } from './style.js';

const style: TextStyle = { red: c.red, yellow: c.yellow, cyan: c.cyan, dim: c.dim, bold: c.bold };

export function renderCheck(entries: (CheckEntry | ProjectError)[], opts: { unit: 'project' | 'file'; checked?: Map<string, number> }): string {
  const out: string[] = [];
  const all = [];
  let clean = 0;
  let failed = 0;
  for (const e of entries) {
    if ('error' in e) {
      failed++;
      out.push(`${c.bold(e.project)}  ${c.red('could not be checked')}\n${renderError(e.error, '  ')}`);
      continue;
    }
    all.push(...e.diagnostics);
    if (e.diagnostics.length === 0) {
      clean++;
      if (opts.unit === 'project') {
        const n = opts.checked?.get(e.project);
        out.push(`${c.bold(e.project)}${e.framework ? c.dim(` (${e.framework})`) : ''}  ${c.green('ok')}${n !== undefined ? c.dim(` — ${plural(n, 'migration')} checked`) : ''}`);
      }
      continue;
    }
    const head = `${c.bold(e.project)}${e.framework ? c.dim(` (${e.framework})`) : ''}  ${formatSummary(e.summary, style)}`;
    out.push(`${head}\n\n${formatText(e.diagnostics, { style, summary: false })}`);
  }
  const total: Summary = summarize(all);
  const scope = opts.unit === 'file' ? plural(entries.length, 'SQL file') : plural(entries.length, 'project');
  const verdict = failed
    ? c.red(`policy check incomplete (${plural(failed, 'project')} could not be checked)`)
    : total.failed
      ? c.red('policy check failed')
      : c.green('policy check passed');
  out.push(`${verdict}: ${formatSummary(total, style)} in ${scope}${clean && opts.unit === 'file' ? c.dim(` (${clean} without findings)`) : ''}.`);
  return out.join('\n\n');
}
