// GitHub Actions workflow commands: `::error file=…,line=…,col=…,title=…::message`, one per unwaived
// finding (info → notice). Waived findings are left out: they do not fail the run.
import type { CheckEntry } from '../summary.js';
import type { Diagnostic } from '../types.js';

const data = (s: string) => s.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
const prop = (s: string) => data(s).replace(/:/g, '%3A').replace(/,/g, '%2C');

export function githubAnnotation(d: Diagnostic): string {
  const cmd = d.severity === 'error' ? 'error' : d.severity === 'warning' ? 'warning' : 'notice';
  const props: string[] = [];
  if (d.file) props.push(`file=${prop(d.file)}`);
  if (d.file && d.line !== undefined) props.push(`line=${d.line}`);
  if (d.file && d.line !== undefined && d.column !== undefined) props.push(`col=${d.column}`);
  if (d.file && d.endLine !== undefined) props.push(`endLine=${d.endLine}`);
  props.push(`title=${prop(`${d.rule} (${d.code})${d.project ? ` in ${d.project}` : ''}`)}`);
  const where = !d.file && d.migration ? `[${d.migration}] ` : '';
  const fw = d.help.framework ? `\n${d.framework}: ${d.help.framework}` : '';
  return `::${cmd} ${props.join(',')}::${data(`${where}${d.message}\nSafe alternative: ${d.help.safeAlternative}${fw}\nDocs: ${d.docs}`)}`;
}

export function formatGithub(entries: readonly CheckEntry[]): string {
  const lines = entries.flatMap((e) => e.diagnostics.filter((d) => !d.waived).map(githubAnnotation));
  return lines.length ? `${lines.join('\n')}\n` : '';
}
