// A small leveled logger: everything goes to stderr (stdout is reserved for results and --json),
// and every line is redacted.
import { redact } from './redact.js';

export type LogLevel = 'silent' | 'error' | 'warn' | 'info' | 'debug';
const ORDER: Record<LogLevel, number> = { silent: 0, error: 1, warn: 2, info: 3, debug: 4 };

export interface Logger {
  level: LogLevel;
  error(msg: string): void;
  warn(msg: string): void;
  info(msg: string): void;
  debug(msg: string): void;
}

export function createLogger(level: LogLevel = 'warn', write: (line: string) => void = (l) => process.stderr.write(l)): Logger {
  const emit = (lvl: LogLevel, prefix: string, msg: string) => {
    if (ORDER[lvl] <= ORDER[logger.level]) write(`${prefix}${redact(msg)}\n`);
  };
  const logger: Logger = {
    level,
    error: (m) => emit('error', 'error: ', m),
    warn: (m) => emit('warn', 'warning: ', m),
    info: (m) => emit('info', '', m),
    debug: (m) => emit('debug', '[debug] ', m),
  };
  return logger;
}

/** A logger that keeps lines in memory: for tests. */
export function createMemoryLogger(level: LogLevel = 'debug'): Logger & { lines: string[] } {
  const lines: string[] = [];
  return Object.assign(createLogger(level, (l) => lines.push(l.trimEnd())), { lines });
}
