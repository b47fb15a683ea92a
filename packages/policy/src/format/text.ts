// The human report: for each finding, what, where, the statement, why it is risky, the safe
// alternative, how to do it in this project's framework, and the rule's docs page.
import type { Summary } from '../summary.js';
import { summarize } from '../summary.js';
import type { Diagnostic } from '../types.js';

export interface TextStyle {
  red(s: string): string;
  yellow(s: string): string;
  cyan(s: string): string;
  dim(s: string): string;
  bold(s: string): string;
}

const plain: TextStyle = { red: (s) => s, yellow: (s) => s, cyan: (s) => s, dim: (s) => s, bold: (s) => s };

export interface TextOptions {
  style?: TextStyle;
  /** Wrap prose at this width (default 100). */
  width?: number;
  /** Leave out the summary line (the CLI prints one per run). */
  summary?: boolean;
}

function wrap(text: string, width: number, indent: string): string {
  const out: string[] = [];
  for (const para of text.split('\n')) {
    let line = '';
    for (const word of para.split(/\s+/).filter(Boolean)) {
      if (line && line.length + 1 + word.length > width) {
        out.push(line);
        line = word;
      } else line = line ? `${line} ${word}` : word;
    }
    out.push(line);
  }
  return out.join(`\n${indent}`);
}

const MAX_LINES = 8;

export function location(d: Diagnostic): string {
  const where = d.file ? `${d.file}${d.line !== undefined ? `:${d.line}${d.column !== undefined ? `:${d.column}` : ''}` : ''}` : '';
  const parts = [d.project, d.migration && d.migration !== d.file ? `migration ${d.migration}` : undefined, where || undefined].filter(Boolean);
  if (!where && d.statementIndex !== undefined) parts.push(`statement ${d.statementIndex + 1}`);
  return parts.join(' › ');
}

export function formatDiagnostic(d: Diagnostic, opts: TextOptions = {}): string {
  const st = opts.style ?? plain;
  const width = opts.width ?? 100;
  const sev = d.severity === 'error' ? st.red('error') : d.severity === 'warning' ? st.yellow('warning') : st.cyan('info');
  const lines = [`${d.waived ? `${sev} ${st.dim('(waived)')}` : sev} ${st.bold(`${d.rule}`)} ${st.dim(`[${d.code}]`)}`];
  const loc = location(d);
  if (loc) lines.push(`  ${st.dim('at'.padEnd(8))}${loc}`);
  if (d.statement) {
    const sql = d.statement.split('\n');
    for (const l of sql.slice(0, MAX_LINES)) lines.push(`  ${st.dim('│')}  ${l}`);
    if (sql.length > MAX_LINES) lines.push(`  ${st.dim('│')}  ${st.dim(`… ${sql.length - MAX_LINES} more lines`)}`);
  }
  const block = (label: string, text: string) => lines.push(`  ${st.dim(label.padEnd(8))}${wrap(text, width - 10, ' '.repeat(10))}`);
  block('why', d.message);
  if (d.waived) block('waived', `${d.waived.reason} (${d.waived.source}${d.waived.expires ? `, expires ${d.waived.expires}` : ''})`);
  block('safe', d.help.safeAlternative);
  if (d.help.framework && d.framework) block(d.framework, d.help.framework);
  block('docs', d.docs);
  return lines.join('\n');
}

export function formatSummary(s: Summary, style: TextStyle = plain): string {
  const n = (k: number, w: string) => `${k} ${w}${k === 1 ? '' : 's'}`;
  const parts = [s.errors ? style.red(n(s.errors, 'error')) : n(0, 'error'), s.warnings ? style.yellow(n(s.warnings, 'warning')) : n(0, 'warning')];
  if (s.infos) parts.push(n(s.infos, 'note'));
  if (s.waived) parts.push(`${s.waived} waived`);
  return parts.join(', ');
}

/** Render findings for a terminal or a log. */
export function formatText(diagnostics: readonly Diagnostic[], opts: TextOptions = {}): string {
  const body = diagnostics.map((d) => formatDiagnostic(d, opts)).join('\n\n');
  if (opts.summary === false) return body;
  const summary = formatSummary(summarize(diagnostics), opts.style);
  return body ? `${body}\n\n${summary}` : `No findings. ${summary}`;
}
