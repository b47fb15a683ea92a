// Structured errors: built by small factories, carried as data, rendered once at the CLI edge.
import type { ErrorJson } from './schemas.js';
import { redact } from './redact.js';

export type ErrorCode =
  | 'CONFIG.INVALID'
  | 'CONFIG.UNREADABLE'
  | 'USAGE.INVALID'
  | 'USAGE.UNKNOWN_PROJECT'
  | 'USAGE.NO_PROJECTS'
  | 'USAGE.CONFIRMATION_REQUIRED'
  | 'TARGET.UNKNOWN'
  | 'TARGET.NOT_APPLIED'
  | 'TARGET.NOT_PENDING'
  | 'TOOL.NOT_FOUND'
  | 'TOOL.FAILED'
  | 'TOOL.TIMEOUT'
  | 'TOOL.OUTPUT_UNPARSEABLE'
  | 'RUN.CANCELLED'
  | 'MIGRATION.FAILED'
  | 'MIGRATION.IRREVERSIBLE'
  | 'MIGRATION.DIVERGENT'
  | 'OPERATION.UNSUPPORTED'
  | 'SANDBOX.UNAVAILABLE'
  | 'SANDBOX.FAILED'
  | 'INTERNAL';

export interface MigratorErrorInit {
  code: ErrorCode;
  summary: string;
  why?: string;
  fix?: string;
  toolOutput?: string;
  /** Process exit code the CLI uses: 2 (usage/config/tool failure) unless said otherwise. */
  exitCode?: 1 | 2;
  cause?: unknown;
}

export class MigratorError extends Error {
  readonly code: ErrorCode;
  readonly summary: string;
  readonly why?: string;
  readonly fix?: string;
  readonly toolOutput?: string;
  readonly exitCode: 1 | 2;

  constructor(init: MigratorErrorInit) {
    super(redact(init.summary), init.cause === undefined ? undefined : { cause: init.cause });
    this.name = 'MigratorError';
    this.code = init.code;
    this.summary = redact(init.summary);
    if (init.why !== undefined) this.why = redact(init.why);
    if (init.fix !== undefined) this.fix = redact(init.fix);
    if (init.toolOutput !== undefined) this.toolOutput = redact(trimOutput(init.toolOutput));
    this.exitCode = init.exitCode ?? 2;
  }

  toJSON(): ErrorJson {
    const out: ErrorJson = { code: this.code, summary: this.summary };
    if (this.why) out.why = this.why;
    if (this.fix) out.fix = this.fix;
    if (this.toolOutput) out.toolOutput = this.toolOutput;
    return out;
  }
}

export const isMigratorError = (e: unknown): e is MigratorError => e instanceof MigratorError;

/** Any thrown value as a MigratorError: unexpected ones become INTERNAL with their message kept. */
export function toMigratorError(e: unknown): MigratorError {
  if (isMigratorError(e)) return e;
  const message = e instanceof Error ? e.message : String(e);
  return new MigratorError({
    code: 'INTERNAL',
    summary: `Unexpected error: ${message}`,
    why: e instanceof Error && e.stack ? e.stack.split('\n').slice(1, 6).join('\n') : undefined,
    fix: 'This is a bug in metamig. Re-run with --verbose and report the output.',
    cause: e,
  });
}

/** Keep the end of long tool output: that is where the error is. */
export function trimOutput(text: string, maxLines = 40): string {
  const lines = text.replace(/\s+$/, '').split('\n');
  if (lines.length <= maxLines) return lines.join('\n');
  return [`… (${lines.length - maxLines} earlier lines omitted)`, ...lines.slice(-maxLines)].join('\n');
}

// ---- factories ---------------------------------------------------------------------------------

export const errors = {
  toolNotFound(tool: string, tried: string[], install: string): MigratorError {
    return new MigratorError({
      code: 'TOOL.NOT_FOUND',
      summary: `${tool} is not installed or not found.`,
      why: tried.length ? `Looked in: ${tried.join(', ')}` : undefined,
      fix: install,
    });
  },
  toolFailed(tool: string, command: string, exitCode: number, output: string, fix?: string): MigratorError {
    return new MigratorError({
      code: 'TOOL.FAILED',
      summary: `${tool} failed (exit ${exitCode}): ${command}`,
      toolOutput: output,
      fix,
    });
  },
  unparseable(tool: string, what: string, output: string): MigratorError {
    return new MigratorError({
      code: 'TOOL.OUTPUT_UNPARSEABLE',
      summary: `Could not understand the output of ${tool} (${what}).`,
      why: 'The tool printed something metamig does not recognise; it may be a version metamig was not tested with.',
      toolOutput: output,
      fix: 'Run `metamig doctor` to see the tool versions, and report this output.',
    });
  },
  unsupported(framework: string, operation: string, why: string, fix?: string): MigratorError {
    return new MigratorError({ code: 'OPERATION.UNSUPPORTED', summary: `${framework} cannot ${operation}.`, why, fix });
  },
  usage(summary: string, fix?: string): MigratorError {
    return new MigratorError({ code: 'USAGE.INVALID', summary, fix });
  },
};
