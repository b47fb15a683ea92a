// The protocol of the helpers that adapters run inside a tool's own runtime (a Node script that
// loads the project's knex or TypeORM, …): one JSON document `{ protocol: 1, op, ok, log, … }` on the
// LAST non-empty line of stdout, because migrations may print before it. Pure.
import { errors } from './errors.js';
import type { RunResult } from './runner.js';

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

export interface HelperDocumentOptions {
  /** Named in the error, e.g. "the knex helper". */
  helper: string;
  /** The operation asked for; an answer for another one is refused. */
  op: string;
  /** The array fields a successful answer must hold, per operation (e.g. plan: ['steps']). */
  requiredArrays?: Partial<Record<string, readonly string[]>>;
}

/** The helper's document, checked; anything else is TOOL.OUTPUT_UNPARSEABLE with all the output. */
export function readHelperDocument(run: Pick<RunResult, 'stdout' | 'stderr'>, { helper, op, requiredArrays }: HelperDocumentOptions): Record<string, unknown> {
  const last = run.stdout.split('\n').map((l) => l.trim()).filter(Boolean).pop();
  let doc: unknown;
  try {
    doc = last ? JSON.parse(last) : undefined;
  } catch {
    doc = undefined;
  }
  const problem = !isObj(doc)
    ? 'no JSON document'
    : doc.protocol !== 1
      ? `protocol ${String(doc.protocol)}`
      : doc.op !== op
        ? `an answer for "${String(doc.op)}"`
        : typeof doc.ok !== 'boolean' || !Array.isArray(doc.log)
          ? 'a malformed document'
          : doc.ok
            ? missingArrays(doc, requiredArrays?.[op] ?? [], op)
            : undefined;
  if (problem) throw errors.unparseable(helper, `${op}: ${problem}`, `${run.stdout}\n${run.stderr}`);
  return doc as Record<string, unknown>;
}

function missingArrays(doc: Record<string, unknown>, fields: readonly string[], op: string): string | undefined {
  const missing = fields.filter((f) => !Array.isArray(doc[f]));
  return missing.length ? `a ${op} without ${missing.join('/')}` : undefined;
}
