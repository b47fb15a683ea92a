// The vocabulary of the policy engine: severities, diagnostics, observations, and the shape of a rule.
// Core has no Diagnostic type yet; this is the one every reporter, the CLI and the checklists consume.
import type { FrameworkId, PlanStep } from '@metamig/core';
import type { Node } from 'libpg-query';
import type { z } from 'zod';

export const SEVERITIES = ['error', 'warning', 'info'] as const;
export type Severity = (typeof SEVERITIES)[number];
export type SeveritySetting = Severity | 'off';

export const CATEGORIES = ['locking', 'rewrite', 'transactions', 'destructive', 'compatibility', 'data', 'reversibility', 'hygiene', 'meta'] as const;
export type Category = (typeof CATEGORIES)[number];

export const PRESETS = ['recommended', 'strict'] as const;
export type PresetName = (typeof PRESETS)[number];

/** PostgreSQL table-level lock modes, weakest first (the order of the docs' conflict table). */
export const LOCK_MODES = [
  'ACCESS SHARE',
  'ROW SHARE',
  'ROW EXCLUSIVE',
  'SHARE UPDATE EXCLUSIVE',
  'SHARE',
  'SHARE ROW EXCLUSIVE',
  'EXCLUSIVE',
  'ACCESS EXCLUSIVE',
] as const;
export type LockMode = (typeof LOCK_MODES)[number];

/** A finding. Positions are 1-based; `line` refers to `file` when the SQL came from a file. */
export interface Diagnostic {
  rule: string;
  code: string;
  /** Which of the rule's messages (stable within a rule, like the rule id). */
  messageId?: string;
  severity: Severity;
  message: string;
  project?: string;
  /** The migration id (when the SQL came from a plan), or the file for plain SQL files. */
  migration?: string;
  file?: string;
  line?: number;
  column?: number;
  endLine?: number;
  endColumn?: number;
  /** The statement, trimmed (long ones shortened). Empty for migration-level findings. */
  statement: string;
  /** 0-based ordinal of the statement in its migration (the key of an `Observation`). */
  statementIndex?: number;
  framework?: FrameworkId;
  /** Present when a waiver covers this finding: it stays in the report, but does not fail the run. */
  waived?: { reason: string; source: string; expires?: string };
  help: { safeAlternative: string; framework?: string };
  /** `docs/rules/<id>.md` */
  docs: string;
}

/**
 * A fact measured while the migration really ran (in a sandbox), for one statement. Rules use it to
 * confirm a hazard ("ACCESS EXCLUSIVE on users for 2.1 s", "table orders rewritten") or to clear one
 * (a type change that turned out to be binary-coercible).
 */
export interface Observation {
  /** The migration id (plan step) the statement belongs to; omitted for plain SQL files. */
  migration?: string;
  /** 0-based ordinal of the statement in its migration, as numbered by the policy engine. */
  statement: number;
  /** The statement text as executed, to double-check the match (optional). */
  sql?: string;
  /** Relation locks newly taken by the statement on relations that existed before the migration. */
  locks?: ObservedLock[];
  /** Relations whose storage was rewritten (relfilenode changed). */
  rewritten?: string[];
  durationMs?: number;
  /** Rows changed by a DML statement. */
  rows?: number;
}

export interface ObservedLock {
  relation: string;
  mode: LockMode;
  /** How long the lock was held: until the end of the statement or of its transaction. */
  heldMs: number;
}

/** `{ major, minor }`, e.g. 15.4 → `{ major: 15, minor: 4 }`. */
export interface PgVersion {
  major: number;
  minor: number;
}

// ---- parse nodes ----------------------------------------------------------------------------------

type KeysOfUnion<T> = T extends T ? keyof T : never;
/** Every parse-node type name of the PostgreSQL grammar (`IndexStmt`, `AlterTableCmd`, …). */
export type NodeType = KeysOfUnion<Node>;
export type NodeOf<K extends NodeType> = Extract<Node, Record<K, unknown>> extends infer N ? (N extends Record<K, infer V> ? V : never) : never;

/** One SQL statement as parsed, with where it came from. */
export interface StatementInfo {
  /** 0-based ordinal within the migration. */
  index: number;
  /** The top-level node type (`AlterTableStmt` …). */
  type: NodeType;
  node: unknown;
  /** The statement text (without the trailing `;`). */
  sql: string;
  file?: string;
  line?: number;
  column?: number;
  endLine?: number;
  endColumn?: number;
  /** Character offsets in the parsed text (for comment association). */
  start: number;
  end: number;
  /** Which `Statement` of the plan step (or file) it came from. */
  source: number;
}

/** A qualified relation name, lower-cased the way PostgreSQL folds unquoted identifiers. */
export interface TableRef {
  schema?: string;
  name: string;
  /** `schema.name` or `name`. */
  key: string;
}

/** Where a visited node sits. */
export interface NodePath {
  statement: StatementInfo;
  /** The table the node applies to (ALTER TABLE / CREATE TABLE / CREATE INDEX target). */
  table?: TableRef;
  alterTable?: NodeOf<'AlterTableStmt'>;
  cmd?: NodeOf<'AlterTableCmd'>;
  createTable?: NodeOf<'CreateStmt'>;
  /** For a column constraint: its column. */
  column?: NodeOf<'ColumnDef'>;
}

// ---- rules ---------------------------------------------------------------------------------------

export interface RuleDocs {
  /** One sentence: what the rule catches. */
  summary: string;
  /** Why it is risky: which lock, for how long, what breaks. */
  problem: string;
  /** How to do it safely, engine-level (SQL). */
  safeAlternative: string;
  /** How to write the safe version in each framework. */
  frameworks: Partial<Record<FrameworkId, string>>;
  /**
   * Runnable examples: the unsafe block must trigger the rule, the safe one must not. `context`
   * applies to both; `safeContext` (merged over it) to the safe block only.
   */
  examples: { unsafe: string; safe: string; context?: TestContext; safeContext?: TestContext };
}

export interface RuleMeta<O = Record<string, never>> {
  /** kebab-case, equal to the file name. */
  id: string;
  /** Stable code, e.g. PG101. */
  code: string;
  defaultSeverity: Severity;
  category: Category;
  engines: readonly ['postgres'];
  /** The smallest preset that enables the rule; absent = opt-in only. `strict` ⊇ `recommended`. */
  preset?: PresetName;
  /** Severity in `strict` when it differs from `defaultSeverity`. */
  strictSeverity?: Severity;
  /** messageId → template; `{{name}}` placeholders are filled from `report({ data })`. */
  messages: Record<string, string>;
  docs: RuleDocs;
  /** Rule options (the second element of `[severity, options]` in config), with defaults. */
  options?: z.ZodType<O>;
  /** metamig version that introduced the rule. */
  since: string;
}

export interface ReportDescriptor {
  messageId: string;
  data?: Record<string, string | number>;
  /** Defaults to the statement being visited; migration-level findings pass `null`. */
  statement?: StatementInfo | null;
}

/** What a migration run by a plan step (or a plain SQL file) is. */
export interface MigrationInfo {
  id?: string;
  name?: string;
  file?: string;
  /** The framework runs it inside a transaction (or `assumeInTransaction` for plain SQL). */
  transactional: boolean | 'unknown';
  sqlSource?: PlanStep['sqlSource'];
  reversible?: boolean | 'unknown';
  irreversibleReason?: string;
  /** Statements the tool runs that are not SQL (RunPython, a Ruby block …), with their notes. */
  opaque: string[];
  /** Why the SQL is unavailable (plan reason). */
  unavailableReason?: string;
}

export interface LintSettings {
  pgVersion: PgVersion;
  framework?: FrameworkId;
  project?: string;
}

export interface RuleContext<O = Record<string, never>> {
  readonly options: O;
  readonly settings: LintSettings;
  readonly migration: MigrationInfo;
  /** What the engine knows at the statement being visited (see LintState). */
  readonly state: import('./state.js').LintState;
  /** The statement being visited (undefined in migration-level hooks). */
  readonly statement: StatementInfo | undefined;
  report(descriptor: ReportDescriptor): void;
  /** Measured facts for a statement (default: the current one). */
  observations(statement?: StatementInfo): Observation[];
}

export type NodeVisitors = { [K in NodeType]?: (node: NodeOf<K>, path: NodePath) => void };

export interface Visitors extends NodeVisitors {
  /** Before the node visitors of every statement. */
  'statement'?: (stmt: StatementInfo) => void;
  /** Once, before the first statement. */
  'migration'?: (m: MigrationInfo) => void;
  /** Once, after the last statement. */
  'migration:exit'?: (m: MigrationInfo) => void;
}

export interface Rule<O = unknown> {
  meta: RuleMeta<O>;
  create(ctx: RuleContext<O>): Visitors;
}

// ---- test cases & examples -------------------------------------------------------------------

/** Context knobs for RuleTester cases and docs examples. */
export interface TestContext {
  pgVersion?: number | string;
  /** The runner wraps the migration in a transaction. Default false (plain SQL, squawk's default). */
  inTransaction?: boolean | 'unknown';
  framework?: FrameworkId;
  reversible?: boolean;
  irreversibleReason?: string;
  sqlSource?: PlanStep['sqlSource'];
  opaque?: string[];
  observations?: Observation[];
  /** Earlier migrations in the same run (their schema is known to later ones). */
  before?: string[];
  /** Config waivers (`policy.waivers`); the migration under test is `migration.sql`. */
  waivers?: { migration: string; rule: string; reason: string; expires?: string; project?: string }[];
  /** "Today", for waiver expiry. */
  now?: string;
}
