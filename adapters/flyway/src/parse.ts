// Flyway's `-outputType=json` documents → normalized values. Pure: tested on recorded outputs.
// Shapes (Flyway 12.4.0): InfoOutput/InfoResult, ValidateResult, MigrateResult, ErrorOutput, and
// `{"individualResults": [...]}` when several commands run in one invocation (`info validate`).
import type { MigrationStateKind } from '@metamig/core';
import { repeatableId } from './files.js';

export interface FlywayErrorJson {
  errorCode?: string;
  subErrorCode?: string;
  sqlState?: string | null;
  message?: string;
  lineNumber?: number;
  path?: string;
  cause?: { message?: string; cause?: unknown } | null;
}

export interface InfoMigrationJson {
  category: string;
  version: string;
  rawVersion?: string;
  description: string;
  type: string;
  installedOnUTC: string;
  state: string;
  filepath: string;
  undoFilepath?: string;
  installedBy?: string;
  executionTime?: number;
}

export interface InfoJson {
  operation: 'info';
  flywayVersion?: string;
  schemaVersion: string | null;
  allSchemasEmpty?: boolean;
  migrations: InfoMigrationJson[];
}

export interface InvalidMigrationJson {
  version: string;
  description: string;
  filepath: string;
  errorDetails: { errorCode: string; errorMessage: string };
}

export interface ValidateJson {
  operation: 'validate';
  flywayVersion?: string;
  validationSuccessful: boolean;
  invalidMigrations: InvalidMigrationJson[];
  allErrorMessages?: string;
}

export interface MigrateJson {
  operation: 'migrate';
  flywayVersion?: string;
  success: boolean;
  migrationsExecuted: number;
  migrations: { version: string; description: string; filepath: string; type: string }[];
  warnings?: string[];
  targetSchemaVersion?: string | null;
  initialSchemaVersion?: string | null;
  error?: FlywayErrorJson;
}

/** The JSON document a `-outputType=json` run printed (stdout; errors are JSON on stdout too). */
export function extractJson(stdout: string): Record<string, unknown> | undefined {
  const at = stdout.search(/^\{/m);
  if (at < 0) return undefined;
  try {
    const doc: unknown = JSON.parse(stdout.slice(at));
    return doc && typeof doc === 'object' && !Array.isArray(doc) ? (doc as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

export interface Parsed {
  info?: InfoJson;
  validate?: ValidateJson;
  migrate?: MigrateJson;
  error?: FlywayErrorJson;
  flywayVersion?: string;
}

/** One document, or the results of several commands run in one invocation. */
export function parseFlywayOutput(stdout: string): Parsed | undefined {
  const doc = extractJson(stdout);
  if (!doc) return undefined;
  const parts = Array.isArray(doc.individualResults) ? (doc.individualResults as Record<string, unknown>[]) : [doc];
  const out: Parsed = {};
  if (doc.error && typeof doc.error === 'object') out.error = doc.error as FlywayErrorJson;
  for (const p of parts) {
    if (typeof p.flywayVersion === 'string') out.flywayVersion ??= p.flywayVersion;
    if (p.operation === 'info') out.info = p as unknown as InfoJson;
    else if (p.operation === 'validate') out.validate = p as unknown as ValidateJson;
    else if (p.operation === 'migrate') {
      out.migrate = p as unknown as MigrateJson;
      if (p.error && typeof p.error === 'object') out.error = p.error as FlywayErrorJson;
    } else if (p.error && typeof p.error === 'object') out.error ??= p.error as FlywayErrorJson;
  }
  return out;
}

/** Flyway's own words for an error: the message, then each cause that adds something. */
export function errorText(e: FlywayErrorJson): string {
  const lines = [e.message?.trim() ?? `${e.errorCode ?? 'ERROR'}`];
  let cause = e.cause as { message?: string; cause?: unknown } | null | undefined;
  while (cause) {
    const m = cause.message?.trim();
    if (m && !lines.some((l) => l.includes(m))) lines.push(`Caused by: ${m}`);
    cause = cause.cause as typeof cause;
  }
  return lines.join('\n');
}

export const firstLine = (s: string): string => s.trim().split('\n')[0] ?? s;

/** The database's own message inside Flyway's "Failed to execute script" block. */
export function databaseMessage(text: string): string {
  const m = /^Message {4}: (.*)$/m.exec(text);
  return m ? m[1]!.trim() : firstLine(text);
}

// ---- status ----------------------------------------------------------------------------------

/** One migration as `info` shows it, before metamig adds reversibility and transactions. */
export interface InfoEntry {
  id: string;
  name: string;
  kind: 'versioned' | 'repeatable' | 'baseline';
  version?: string;
  /** Absolute path from Flyway (empty for missing files). */
  filepath: string;
  state: MigrationStateKind;
  flywayState: string;
  appliedAt?: string;
  detail?: string;
}

const EDITED_CODES = new Set(['CHECKSUM_MISMATCH', 'DESCRIPTION_MISMATCH', 'TYPE_MISMATCH']);
/** Validate errors `info` already shows as a state: not repeated as warnings. */
const SHOWN_BY_INFO = new Set([
  'RESOLVED_VERSIONED_MIGRATION_NOT_APPLIED',
  'RESOLVED_REPEATABLE_MIGRATION_NOT_APPLIED',
  'OUTDATED_REPEATABLE_MIGRATION',
  'APPLIED_VERSIONED_MIGRATION_NOT_RESOLVED',
  'APPLIED_REPEATABLE_MIGRATION_NOT_RESOLVED',
  'FAILED_VERSIONED_MIGRATION',
  'FAILED_REPEATABLE_MIGRATION',
]);
/** Rows that are history, not migrations: older runs, rows marked deleted (by repair or metamig's undo). */
const HISTORY_ONLY = new Set(['Deleted', 'Superseded', 'Undone', 'Available', 'Above Target']);

export interface StatusEntries {
  entries: InfoEntry[];
  warnings: string[];
}

/** `info` (+ `validate` for checksum changes, which `info` never shows) → entries in apply order. */
export function entriesFromInfo(info: InfoJson, validate: ValidateJson | undefined): StatusEntries {
  const warnings: string[] = [];
  const entries: InfoEntry[] = [];
  const outdated = new Map<string, InfoMigrationJson>();
  const belowBaseline: string[] = [];
  for (const m of info.migrations) {
    const repeatable = m.category === 'Repeatable' || (!m.version && m.type !== 'BASELINE');
    const id = repeatable ? repeatableId(m.description) : m.version;
    const base = {
      id,
      name: m.description,
      kind: m.type === 'BASELINE' ? ('baseline' as const) : repeatable ? ('repeatable' as const) : ('versioned' as const),
      filepath: m.filepath,
      flywayState: m.state,
      ...(repeatable ? {} : { version: m.version }),
      ...(m.installedOnUTC ? { appliedAt: m.installedOnUTC } : {}),
    };
    // SCHEMA: Flyway's "<< Flyway Schema Creation >>" marker; DELETE: a row of `repair` (or of metamig's undo) marking an earlier row as removed, never a migration itself
    if (HISTORY_ONLY.has(m.state) || m.type === 'SCHEMA' || m.type === 'DELETE') continue;
    if (m.state === 'Below Baseline' || m.state === 'Ignored (Baseline)') {
      belowBaseline.push(id);
      continue;
    }
    if (m.state === 'Outdated') {
      outdated.set(id, m);
      continue;
    }
    const entry: InfoEntry = { ...base, state: 'pending' };
    switch (m.state) {
      case 'Success':
      case 'Baseline':
        entry.state = 'applied';
        break;
      case 'Out of Order':
        entry.state = 'applied';
        entry.detail = 'applied out of order (after a higher version, with outOfOrder=true)';
        break;
      case 'Pending':
        entry.state = 'pending';
        break;
      case 'Ignored':
        if (repeatable) {
          warnings.push(`${id}: Flyway ignores this repeatable migration (state Ignored).`);
          continue;
        }
        entry.state = 'out-of-order';
        entry.detail = `version ${m.version} is lower than the newest applied version (${info.schemaVersion ?? '?'}): Flyway ignores it and refuses to migrate unless outOfOrder=true`;
        break;
      case 'Failed':
        entry.state = 'failed';
        entry.detail = 'Flyway recorded this migration as failed (it ran outside a transaction, so it may be partly applied); fix the schema by hand, then run `flyway repair` to remove the failed row';
        break;
      case 'Failed (Missing)':
      case 'Failed (Future)':
        entry.state = 'failed';
        entry.detail = `Flyway recorded this migration as failed, and its file is not in the locations (state ${m.state}); fix the schema by hand, then run \`flyway repair\``;
        break;
      case 'Missing':
        entry.state = 'missing-file';
        entry.detail = 'applied, but its file is not in the locations any more';
        break;
      case 'Future':
        entry.state = 'missing-file';
        entry.detail = 'applied from newer code: its version is higher than every file here, so the database is ahead of this checkout';
        break;
      default:
        warnings.push(`${id}: unknown Flyway state "${m.state}"; not shown.`);
        continue;
    }
    entries.push(entry);
  }
  // An outdated repeatable: its last run is in the database, its file changed since: Flyway re-runs it.
  for (const [id, m] of outdated) {
    const pending = entries.find((e) => e.id === id && e.state === 'pending');
    const detail = `changed since it last ran${m.installedOnUTC ? ` (${m.installedOnUTC})` : ''}: Flyway runs it again at the next migrate`;
    if (pending) pending.detail = detail;
    else warnings.push(`${id}: ${detail}`);
  }
  if (belowBaseline.length) warnings.push(`Below the baseline, never run by Flyway: ${belowBaseline.join(', ')}.`);

  if (validate) {
    for (const inv of validate.invalidMigrations ?? []) {
      const code = inv.errorDetails?.errorCode ?? '';
      const message = inv.errorDetails?.errorMessage ?? '';
      const target = entries.find((e) => (inv.version ? e.version === inv.version : e.name === inv.description) && (e.state === 'applied' || e.state === 'edited'));
      if (EDITED_CODES.has(code) && target) {
        target.state = 'edited';
        target.detail = message;
      } else if (!SHOWN_BY_INFO.has(code)) {
        warnings.push(`flyway validate: ${message || code}`);
      }
    }
  }
  return { entries, warnings };
}

/** The migration a failed migrate names (error.path is the file Flyway was running). */
export function failedMigrationFrom(error: FlywayErrorJson, entries: { id: string; filepath: string }[]): string | undefined {
  if (!error.path) return undefined;
  const hit = entries.find((e) => e.filepath && e.filepath === error.path);
  return hit?.id;
}

/** What kind of refusal a migrate error is, for advice. */
export function classifyMigrateError(message: string): 'out-of-order' | 'checksum' | 'failed-row' | 'missing' | 'placeholder' | 'other' {
  if (/To allow executing this migration, set -outOfOrder=true/.test(message)) return 'out-of-order';
  if (/Migration (checksum|description|type) mismatch/.test(message)) return 'checksum';
  if (/Detected failed (repeatable )?migration/.test(message)) return 'failed-row';
  if (/Detected applied migration not resolved locally/.test(message)) return 'missing';
  if (/No value provided for placeholder|Failed to populate value for default placeholder/.test(message)) return 'placeholder';
  return 'other';
}
