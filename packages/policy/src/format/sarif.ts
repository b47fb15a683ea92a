// SARIF 2.1.0 (OASIS) for code-scanning UIs: one run, every rule in the driver's table (from the
// rule metadata), one result per finding; waived findings carry a `suppressions` entry with the
// waiver's reason. Validated in tests against the official sarif-schema-2.1.0.json.
import { createHash } from 'node:crypto';
import { pathToFileURL } from 'node:url';
import { RULES } from '../rules/index.js';
import type { CheckEntry } from '../summary.js';
import type { Diagnostic, Severity } from '../types.js';

export const SARIF_SCHEMA_URI = 'https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json';

const LEVEL: Record<Severity, 'error' | 'warning' | 'note'> = { error: 'error', warning: 'warning', info: 'note' };

export interface SarifOptions {
  toolVersion?: string;
  /** Absolute repository root: file paths are relative to it (`%SRCROOT%`). */
  repoRoot?: string;
}

const pascal = (id: string) => id.replace(/(^|-)([a-z0-9])/g, (_m, _d, c: string) => c.toUpperCase());

function fingerprint(d: Diagnostic): string {
  return createHash('sha256')
    .update([d.rule, d.project ?? '', d.migration ?? '', d.file ?? '', d.statement.replace(/\s+/g, ' ')].join('\u0000'))
    .digest('hex')
    .slice(0, 32);
}

export function sarifLog(entries: readonly CheckEntry[], opts: SarifOptions = {}): Record<string, unknown> {
  const ruleIndex = new Map(RULES.map((r, i) => [r.meta.id, i]));
  const rules = RULES.map((r) => {
    const m = r.meta;
    return {
      id: m.id,
      name: pascal(m.id),
      shortDescription: { text: m.docs.summary },
      fullDescription: { text: m.docs.problem },
      help: { text: `${m.docs.safeAlternative}\nSee docs/rules/${m.id}.md`, markdown: `${m.docs.safeAlternative}\n\nSee [docs/rules/${m.id}.md](docs/rules/${m.id}.md).` },
      defaultConfiguration: { level: LEVEL[m.defaultSeverity] },
      properties: { tags: [m.category, m.code], code: m.code, category: m.category },
    };
  });
  const results = entries.flatMap((e) =>
    e.diagnostics.map((d) => {
      const result: Record<string, unknown> = {
        ruleId: d.rule,
        level: LEVEL[d.severity],
        message: { text: d.help.framework ? `${d.message} Safe alternative: ${d.help.safeAlternative} ${d.framework}: ${d.help.framework}` : `${d.message} Safe alternative: ${d.help.safeAlternative}` },
        partialFingerprints: { 'metamigFinding/v1': fingerprint(d) },
        properties: { code: d.code, ...(d.project ? { project: d.project } : {}), ...(d.migration ? { migration: d.migration } : {}), ...(d.framework ? { framework: d.framework } : {}), docs: d.docs },
      };
      const idx = ruleIndex.get(d.rule);
      if (idx !== undefined) result.ruleIndex = idx;
      if (d.file) {
        const region: Record<string, unknown> = {};
        if (d.line !== undefined) {
          region.startLine = d.line;
          if (d.column !== undefined) region.startColumn = d.column;
          if (d.endLine !== undefined) region.endLine = d.endLine;
          if (d.endColumn !== undefined && d.endLine !== undefined) region.endColumn = d.endColumn;
        }
        if (d.statement) region.snippet = { text: d.statement };
        result.locations = [
          {
            physicalLocation: { artifactLocation: { uri: encodeURI(d.file), uriBaseId: '%SRCROOT%' }, ...(d.line !== undefined ? { region } : {}) },
            ...(d.migration ? { logicalLocations: [{ name: d.migration, kind: 'module' }] } : {}),
          },
        ];
      } else if (d.migration) {
        result.locations = [{ logicalLocations: [{ name: d.migration, kind: 'module' }] }];
      }
      if (d.waived) result.suppressions = [{ kind: d.waived.source.startsWith('config') ? 'external' : 'inSource', status: 'accepted', justification: d.waived.reason }];
      return result;
    }),
  );
  const run: Record<string, unknown> = {
    tool: { driver: { name: 'metamig', ...(opts.toolVersion ? { version: opts.toolVersion, semanticVersion: opts.toolVersion } : {}), rules } },
    results,
    columnKind: 'utf16CodeUnits',
  };
  if (opts.repoRoot) {
    const uri = pathToFileURL(opts.repoRoot).href;
    run.originalUriBaseIds = { '%SRCROOT%': { uri: uri.endsWith('/') ? uri : `${uri}/` } };
  }
  return { $schema: SARIF_SCHEMA_URI, version: '2.1.0', runs: [run] };
}

export function formatSarif(entries: readonly CheckEntry[], opts: SarifOptions = {}): string {
  return `${JSON.stringify(sarifLog(entries, opts), null, 2)}\n`;
}
