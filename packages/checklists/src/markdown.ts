// The checklist as Markdown that reads well in a pull request: tick boxes for the deployer.
import type { ProjectChecklist } from '@metamig/core';

const KIND: Record<string, string> = {
  expand: 'expand (schema before code)',
  contract: 'contract (code before schema)',
  data: 'data only',
  mixed: 'mixed: review',
  unknown: 'unknown (not verified)',
};
const VERIFIED: Record<string, string> = {
  verified: '✅ verified',
  failed: '❌ does not restore the schema',
  irreversible: '⛔ irreversible',
  'down-error': '❌ rollback fails',
  'up-error': '❌ apply fails',
  'not-verified': '⚠️ not verified',
};
const cell = (s: string) => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');
const code = (s: string | null) => (s ? `\`${cell(s)}\`` : '—');

export function renderChecklistMarkdown(checklists: ProjectChecklist[], title = 'Rollback checklist'): string {
  const out: string[] = [`# ${title}`, ''];
  for (const c of checklists) {
    out.push(`## ${c.project} (${c.framework})`, '', `Database: ${c.database}`, '');
    if (!c.migrations.length) {
      out.push('Nothing pending: nothing to deploy or roll back.', '');
      continue;
    }
    out.push('| # | migration | kind | apply | roll back | rollback proof | a rollback loses |', '|---|---|---|---|---|---|---|');
    c.migrations.forEach((m, i) => {
      const rb = m.rollback.command ? `${code(m.rollback.command)}${m.rollback.mode === 'emulated' ? ' (emulated)' : ''}` : 'cannot be rolled back';
      out.push(`| ${i + 1} | \`${cell(m.id)}\` ${cell(m.name !== m.id ? m.name : '')} | ${KIND[m.kind]} | ${code(m.apply)} | ${rb} | ${VERIFIED[m.rollback.verified] ?? m.rollback.verified} | ${m.rollbackLoses.map(cell).join(', ') || '—'} |`);
    });
    out.push('', '### Deploy', '');
    for (const s of c.deploy) out.push(`- [ ] ${s}`);
    out.push('', '### If you must roll back', '');
    for (const s of c.rollback) out.push(`- [ ] ${s}`);
    const risky = c.migrations.filter((m) => m.locks.length || m.rewrites.length || m.upLoses.length);
    if (risky.length) {
      out.push('', '### Locks, rewrites and data loss observed in a throwaway database', '');
      for (const m of risky) {
        for (const l of m.locks) out.push(`- \`${m.id}\`: ${l.mode} on \`${l.relation}\` for ${l.heldMs} ms — \`${cell(l.statement.replace(/\s+/g, ' ').slice(0, 100))}\``);
        for (const r of m.rewrites) out.push(`- \`${m.id}\`: table \`${r}\` was rewritten`);
        for (const d of m.upLoses) out.push(`- \`${m.id}\`: applying it drops ${d} (its data only comes back from the backup)`);
      }
    }
    const waived = c.migrations.flatMap((m) => m.findings.filter((f) => f.waived).map((f) => ({ m, f })));
    const open = c.migrations.flatMap((m) => m.findings.filter((f) => !f.waived).map((f) => ({ m, f })));
    if (waived.length || open.length) {
      out.push('', '### Policy findings', '');
      for (const { m, f } of open) out.push(`- \`${m.id}\` **${f.rule}** (${f.severity}): ${f.message}`);
      for (const { m, f } of waived) out.push(`- \`${m.id}\` **${f.rule}** waived: “${f.waived!.reason}” (${f.waived!.source})`);
    }
    if (c.warnings.length) {
      out.push('');
      for (const w of c.warnings) out.push(`> ${w}`);
    }
    out.push('', `Backup: \`${c.backup.command}\` · restore: \`${c.backup.restore}\``, '');
  }
  return out.join('\n');
}
