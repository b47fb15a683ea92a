// JUnit XML for CI dashboards: a test suite per project, a test case per finding (a failure when it
// is an unwaived error, skipped when waived, passed with its text in system-out otherwise); a
// project without findings has one passing case.
import type { CheckEntry } from '../summary.js';
import { location } from './text.js';

const esc = (s: string) =>
  s
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f]/g, '');

export function formatJunit(entries: readonly CheckEntry[]): string {
  const suites: string[] = [];
  let tests = 0;
  let failures = 0;
  let skipped = 0;
  for (const e of entries) {
    const cases: string[] = [];
    let f = 0;
    let s = 0;
    for (const d of e.diagnostics) {
      const name = esc(`${d.rule} (${d.code})${location(d) ? ` at ${location(d)}` : ''}`);
      const classname = esc(`${e.project}${d.migration ? `.${d.migration}` : ''}`);
      const text = esc(`${d.message}\n${d.statement ? `\n${d.statement}\n` : ''}\nSafe alternative: ${d.help.safeAlternative}${d.help.framework ? `\n${d.framework}: ${d.help.framework}` : ''}\nDocs: ${d.docs}`);
      if (d.waived) {
        s++;
        cases.push(`    <testcase classname="${classname}" name="${name}"><skipped message="${esc(`waived: ${d.waived.reason}`)}"/></testcase>`);
      } else if (d.severity === 'error') {
        f++;
        cases.push(`    <testcase classname="${classname}" name="${name}"><failure message="${esc(d.message)}" type="${esc(d.rule)}">${text}</failure></testcase>`);
      } else {
        cases.push(`    <testcase classname="${classname}" name="${name}"><system-out>${esc(`${d.severity}: `)}${text}</system-out></testcase>`);
      }
    }
    if (cases.length === 0) cases.push(`    <testcase classname="${esc(e.project)}" name="policy: no findings"/>`);
    tests += cases.length;
    failures += f;
    skipped += s;
    suites.push(`  <testsuite name="${esc(e.project)}" tests="${cases.length}" failures="${f}" errors="0" skipped="${s}">\n${cases.join('\n')}\n  </testsuite>`);
  }
  return `<?xml version="1.0" encoding="UTF-8"?>\n<testsuites name="metamig check" tests="${tests}" failures="${failures}" errors="0" skipped="${skipped}">\n${suites.join('\n')}\n</testsuites>\n`;
}
