// The one place where metamig starts processes. Adapters describe commands; this runs them with a
// timeout, forwards cancellation (SIGINT/SIGTERM) to the whole child process group and waits for it
// to exit, captures output, and redacts every string it returns or logs.
import { MigratorError, errors } from './errors.js';
import type { Logger } from './logger.js';
import { redact } from './redact.js';

export interface RunOptions {
  cwd: string;
  /** Added to the inherited environment; a key set to `undefined` is removed from it. */
  env?: Record<string, string | undefined>;
  /** Default 10 minutes: migrations on big tables are slow, but nothing should hang forever. */
  timeoutMs?: number;
  input?: string;
  signal?: AbortSignal;
  /** Name used in error messages, e.g. "alembic". */
  tool?: string;
  /** How to install the tool, for the not-found error. */
  installHint?: string;
}

export interface RunResult {
  /** argv as run, redacted. */
  command: string[];
  exitCode: number;
  stdout: string;
  stderr: string;
  durationMs: number;
}

export interface Runner {
  run(file: string, args: string[], opts: RunOptions): Promise<RunResult>;
}

const DEFAULT_TIMEOUT_MS = 10 * 60 * 1000;
const KILL_GRACE_MS = 5000;
const live = new Set<number>();
let exitHookInstalled = false;

function killGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    try {
      process.kill(pid, signal);
    } catch {
      /* already gone */
    }
  }
}

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  // Never leave a migration tool running behind an exiting metamig.
  process.on('exit', () => {
    for (const pid of live) killGroup(pid, 'SIGTERM');
  });
}

/** The inherited environment plus `extra`; keys set to undefined are removed (e.g. a stray DATABASE_URL). */
export function childEnv(extra: Record<string, string | undefined> = {}): Record<string, string> {
  const env: Record<string, string | undefined> = { ...process.env, NO_COLOR: '1', FORCE_COLOR: '0', ...extra };
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(env)) if (v !== undefined) out[k] = v;
  return out;
}

export function quoteArg(a: string): string {
  return /^[\w@%+=:,./-]+$/.test(a) ? a : `'${a.replace(/'/g, `'\\''`)}'`;
}
export const formatCommand = (argv: string[]): string => argv.map(quoteArg).join(' ');

// execa (and its dependency tree) costs ~70 ms to load: only commands that start a tool pay for it
// (`status --fast`, `check --sql` and `discover` never do).
let execaModule: Promise<typeof import('execa')> | undefined;
const loadExeca = async () => (await (execaModule ??= import('execa'))).execa;

export function createRunner(logger: Logger): Runner {
  installExitHook();
  return {
    async run(file, args, opts) {
      const command = [file, ...args].map(redact);
      const tool = opts.tool ?? file.split('/').pop() ?? file;
      const execa = await loadExeca();
      if (opts.signal?.aborted) throw cancelled(tool);
      logger.debug(`$ ${formatCommand(command)}   (cwd ${opts.cwd})`);
      const started = performance.now();
      const child = execa(file, args, {
        cwd: opts.cwd,
        env: childEnv(opts.env),
        extendEnv: false,
        reject: false,
        detached: true, // own process group: signals reach grandchildren (npx → node, bundle → ruby …)
        stdin: opts.input === undefined ? 'ignore' : 'pipe',
        input: opts.input,
        stripFinalNewline: false,
        maxBuffer: 256 * 1024 * 1024,
      });
      const pid = child.pid;
      if (pid !== undefined) live.add(pid);

      let stopReason: 'timeout' | 'cancel' | undefined;
      let killTimer: NodeJS.Timeout | undefined;
      const stop = (reason: 'timeout' | 'cancel', signal: NodeJS.Signals) => {
        if (stopReason || pid === undefined) return;
        stopReason = reason;
        killGroup(pid, signal);
        killTimer = setTimeout(() => killGroup(pid, 'SIGKILL'), KILL_GRACE_MS);
      };
      const timer = setTimeout(() => stop('timeout', 'SIGTERM'), opts.timeoutMs ?? DEFAULT_TIMEOUT_MS);
      const onAbort = () => {
        const reason: unknown = opts.signal?.reason;
        stop('cancel', reason === 'SIGINT' ? 'SIGINT' : 'SIGTERM');
      };
      opts.signal?.addEventListener('abort', onAbort, { once: true });

      const result = await child; // resolves after the child exited, whatever happened
      clearTimeout(timer);
      if (killTimer) clearTimeout(killTimer);
      opts.signal?.removeEventListener('abort', onAbort);
      if (pid !== undefined) live.delete(pid);
      const durationMs = Math.round(performance.now() - started);

      const stdout = redact(String(result.stdout ?? ''));
      const stderr = redact(String(result.stderr ?? ''));
      const errno = (result as { code?: string }).code;
      if (errno === 'ENOENT' || errno === 'EACCES') {
        throw errors.toolNotFound(tool, [file], opts.installHint ?? `Install ${tool} or put it on PATH.`);
      }
      if (stopReason === 'cancel') throw cancelled(tool);
      if (stopReason === 'timeout') {
        throw new MigratorError({
          code: 'TOOL.TIMEOUT',
          summary: `${tool} did not finish within ${Math.round((opts.timeoutMs ?? DEFAULT_TIMEOUT_MS) / 1000)} s and was stopped.`,
          why: `Command: ${formatCommand(command)}`,
          toolOutput: stdout + stderr,
          fix: 'Check for a lock held by another session (pg_stat_activity) or raise the timeout.',
        });
      }
      const exitCode = typeof result.exitCode === 'number' ? result.exitCode : 1;
      logger.debug(`  → exit ${exitCode} in ${durationMs} ms`);
      return { command, exitCode, stdout, stderr, durationMs };
    },
  };
}

function cancelled(tool: string): MigratorError {
  return new MigratorError({
    code: 'RUN.CANCELLED',
    summary: `Cancelled while ${tool} was running.`,
    why: 'metamig forwarded the signal to the tool and waited for it to exit.',
    fix: 'Run `metamig status` to see which migrations were applied before the interruption.',
  });
}
