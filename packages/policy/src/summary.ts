// Counting findings, and what they mean for the exit code.
import type { FrameworkId } from '@metamig/core';
import type { Diagnostic } from './types.js';

export interface Summary {
  /** Unwaived findings per severity. */
  errors: number;
  warnings: number;
  infos: number;
  /** Findings covered by a waiver (any severity). */
  waived: number;
  total: number;
  /** An unwaived error remains: `metamig check` exits 1. */
  failed: boolean;
}

export function summarize(diagnostics: readonly Diagnostic[]): Summary {
  const s: Summary = { errors: 0, warnings: 0, infos: 0, waived: 0, total: diagnostics.length, failed: false };
  for (const d of diagnostics) {
    if (d.waived) s.waived++;
    else if (d.severity === 'error') s.errors++;
    else if (d.severity === 'warning') s.warnings++;
    else s.infos++;
  }
  s.failed = s.errors > 0;
  return s;
}

/** One project's (or one pseudo-project's) result, as in `metamig check --format json`. */
export interface CheckEntry {
  project: string;
  framework?: FrameworkId;
  diagnostics: Diagnostic[];
  summary: Summary;
}

export function checkEntry(project: string, diagnostics: Diagnostic[], framework?: FrameworkId): CheckEntry {
  return { project, ...(framework ? { framework } : {}), diagnostics, summary: summarize(diagnostics) };
}
