// `--format json`: one document `{ "projects": [ { project, framework, diagnostics, summary } ] }`,
// validated against CheckOutputSchema before it is printed.
import { FrameworkIdSchema } from '@metamig/core';
import { z } from 'zod';
import type { CheckEntry } from '../summary.js';
import { SEVERITIES } from '../types.js';

export const DiagnosticSchema = z.strictObject({
  rule: z.string(),
  code: z.string(),
  messageId: z.string().optional(),
  severity: z.enum(SEVERITIES),
  message: z.string(),
  project: z.string().optional(),
  migration: z.string().optional(),
  file: z.string().optional(),
  line: z.number().int().positive().optional(),
  column: z.number().int().positive().optional(),
  endLine: z.number().int().positive().optional(),
  endColumn: z.number().int().positive().optional(),
  statement: z.string(),
  statementIndex: z.number().int().nonnegative().optional(),
  framework: FrameworkIdSchema.optional(),
  waived: z.strictObject({ reason: z.string(), source: z.string(), expires: z.string().optional() }).optional(),
  help: z.strictObject({ safeAlternative: z.string(), framework: z.string().optional() }),
  docs: z.string(),
});

export const SummarySchema = z.strictObject({
  errors: z.number().int(),
  warnings: z.number().int(),
  infos: z.number().int(),
  waived: z.number().int(),
  total: z.number().int(),
  failed: z.boolean(),
});

export const CheckEntrySchema = z.strictObject({
  project: z.string(),
  framework: FrameworkIdSchema.optional(),
  diagnostics: z.array(DiagnosticSchema),
  summary: SummarySchema,
});

export const CheckOutputSchema = z.object({
  projects: z.array(z.union([CheckEntrySchema, z.strictObject({ project: z.string(), framework: FrameworkIdSchema, error: z.object({ code: z.string(), summary: z.string() }).passthrough() })])),
});

export function formatJson(entries: readonly CheckEntry[]): string {
  return `${JSON.stringify({ projects: entries }, null, 2)}\n`;
}
