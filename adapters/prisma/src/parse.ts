// Prisma's own words → metamig's values. Prisma has no JSON output for migrate (prisma#14616), so
// `migrate status`, `migrate deploy` and `migrate diff` are parsed from their text, which is the
// same in 6.19 and 7.x. Pure functions, unit-tested on recordings (fixtures/prisma/*/recorded/).
import { errors, type RunResult } from '@metamig/core';
import type { HistoryRow } from './history.js';
import { type SqlStatement, splitStatements } from './sql.js';

export type CliStatus =
  | { kind: 'upToDate'; found: number }
  | { kind: 'pending'; found: number; pending: string[] }
  | { kind: 'diverged'; found: number; lastCommon: string | null; unapplied: string[]; unpersisted: string[] }
  | { kind: 'failed'; found: number; failed: string[] }
  | { kind: 'notManaged'; found: number }
  /** Prisma could not diagnose (engine missing, database unreachable, P1014 …). */
  | { kind: 'error'; code?: string; message: string };

/** Lines every Prisma 6 command prints that say nothing about the result. */
const NOISE = [
  /^Loaded Prisma config from .*$/gm,
  /^Prisma config detected, skipping environment variable loading\.$/gm,
  /^Prisma schema loaded from .*$/gm,
  /^WARNING: Your schema specifies the following datasource properties but you are using a Driver Adapter[\s\S]*?only using driver adapters\.$/gm,
  /^Environment variables loaded from .*$/gm,
];

/** The tool's output without its banners, for error messages. */
export function cleanOutput(text: string): string {
  let out = text;
  for (const re of NOISE) out = out.replace(re, '');
  return out.replace(/\n{3,}/g, '\n\n').trim();
}

/** Names listed one per line after `heading`, up to a blank line. */
function namesAfter(text: string, heading: RegExp): string[] | undefined {
  const m = heading.exec(text);
  if (!m) return undefined;
  const names: string[] = [];
  for (const line of text.slice(m.index + m[0].length).split('\n')) {
    const name = line.trim();
    if (!name) {
      if (names.length) break;
      continue;
    }
    if (!/^[\w.-]+$/.test(name)) break;
    names.push(name);
  }
  return names;
}

/** The first `Error: …` Prisma printed, with its P-code when it has one. */
export function prismaError(text: string): { code?: string; message: string } | undefined {
  const clean = cleanOutput(text);
  const at = clean.search(/^Error: /m);
  if (at < 0) return undefined;
  const body = clean.slice(at + 'Error: '.length).trim();
  const code = /^(P\d{4})\b/.exec(body)?.[1];
  const message = (code ? body.slice(code.length) : body).trim();
  return { ...(code ? { code } : {}), message };
}

export function parseCliStatus(stdout: string, stderr: string, exitCode: number): CliStatus {
  const text = `${stdout}\n${stderr}`;
  const foundMatch = /^(\d+) migrations? found in /m.exec(text);
  const found = foundMatch ? Number(foundMatch[1]) : /^No migration found in /m.test(text) ? 0 : undefined;
  const error = prismaError(stderr) ?? prismaError(stdout);
  if (found !== undefined) {
    if (/Your local migration history and the migrations table from your database are different/.test(text)) {
      const last = /The last common migration is: (.*)$/m.exec(text)?.[1]?.trim();
      return {
        kind: 'diverged',
        found,
        lastCommon: last && last !== 'null' && last !== 'undefined' ? last : null,
        unapplied: namesAfter(text, /^The migrations? have not yet been applied:$/m) ?? [],
        unpersisted: namesAfter(text, /^The migrations? from the database are not found locally in .*:$/m) ?? [],
      };
    }
    const pending = namesAfter(text, /^Following migrations? have not yet been applied:$/m);
    if (pending) return { kind: 'pending', found, pending };
    const failed = namesAfter(text, /^Following migrations? have failed:$/m);
    if (failed) return { kind: 'failed', found, failed };
    if (/The current database is not managed by Prisma Migrate\./.test(text)) return { kind: 'notManaged', found };
    if (/Database schema is up to date!/.test(text) && exitCode === 0) return { kind: 'upToDate', found };
  }
  if (error) return { kind: 'error', ...error };
  return { kind: 'error', message: cleanOutput(text) || `prisma migrate status exited with ${exitCode} and printed nothing` };
}

export interface DeployResult {
  ok: boolean;
  applied: string[];
  failedMigration?: string;
  code?: string;
  /** The database's own message for a failed migration, when Prisma printed one. */
  databaseError?: string;
  message?: string;
}

export function parseDeploy(stdout: string, stderr: string, exitCode: number): DeployResult {
  const text = `${stdout}\n${stderr}`;
  const applied = [...text.matchAll(/^\s*└─ ([^\s/]+)\/$/gm)].map((m) => m[1]!);
  if (exitCode === 0) return { ok: true, applied };
  const error = prismaError(stderr) ?? prismaError(stdout);
  const failedMigration =
    /migration_name="([^"]+)"/.exec(text)?.[1] ?? // JS engine's span trace
    /^Migration name: (\S+)/m.exec(text)?.[1] ?? // native engine, P3018
    /The `([^`]+)` migration started at .* failed/.exec(text)?.[1]; // P3009: a failed row blocks deploy
  // The first line that says what went wrong: not the wrapper, not the engine's span trace.
  const meaningful = (error?.message ?? '')
    .split('\n')
    .map((l) => l.trim())
    .find((l) => l && l !== 'external connector error' && !/^\d+: /.test(l) && !/^(with|at) /.test(l) && !/^A migration failed to apply/.test(l));
  const databaseError =
    /^Error querying the database: (.+)$/m.exec(text)?.[1] ?? /^Database error:\n(.+)$/m.exec(text)?.[1] ?? /^(SqliteError: .+|ERROR: .+)$/m.exec(text)?.[1] ?? meaningful;
  const out: DeployResult = { ok: false, applied };
  if (failedMigration) out.failedMigration = failedMigration;
  if (error?.code) out.code = error.code;
  if (databaseError) out.databaseError = databaseError.trim();
  if (error?.message) out.message = error.message;
  return out;
}

/** `prisma migrate diff --script`: the statements, none for "-- This is an empty migration.". */
export function parseDiffScript(stdout: string): SqlStatement[] {
  const script = stdout.replace(/^Loaded Prisma config from .*$/gm, '');
  if (/^-- This is an empty migration\.$/m.test(script)) return [];
  return splitStatements(script);
}

// ---- the helper's document ------------------------------------------------------------------------

export interface HelperDoc {
  ok: boolean;
  op: string;
  stage?: 'usage' | 'connect' | 'check' | 'migration';
  error?: { message: string; code?: string; detail?: string };
  engine?: 'postgres' | 'sqlite';
  serverVersion?: string;
  // read
  dbExists?: boolean;
  hasTable?: boolean;
  rows?: HistoryRow[];
  timestampFormat?: 'text' | 'integer' | null;
  // apply
  applied?: string[];
  failed?: string;
  // revert
  reverted?: { name: string; deletedRows: HistoryRow[] }[];
}

/** The helper prints one JSON document as the last line of stdout. */
export function parseHelperOutput(run: Pick<RunResult, 'stdout' | 'stderr' | 'exitCode'>, op: string): HelperDoc {
  const last = run.stdout.trim().split('\n').pop() ?? '';
  try {
    const doc = JSON.parse(last) as HelperDoc;
    if (typeof doc === 'object' && doc !== null && typeof doc.ok === 'boolean') return doc;
  } catch {
    /* fall through */
  }
  throw errors.unparseable('the metamig Prisma helper', `${op}, exit ${run.exitCode}`, `${run.stdout}\n${run.stderr}`);
}
