// The JSON contract of every `metamig … --json` output. Types are derived from these schemas so the
// code, the CLI output and the tests that validate it can never disagree.
import { z } from 'zod';

export const FRAMEWORKS = ['alembic', 'django', 'prisma', 'knex', 'typeorm', 'laravel', 'rails', 'flyway'] as const;
export const FrameworkIdSchema = z.enum(FRAMEWORKS);
export type FrameworkId = z.infer<typeof FrameworkIdSchema>;

export const MIGRATION_STATES = ['applied', 'pending', 'failed', 'missing-file', 'edited', 'out-of-order'] as const;
export const MigrationStateKindSchema = z.enum(MIGRATION_STATES);
export type MigrationStateKind = z.infer<typeof MigrationStateKindSchema>;

export const DatabaseEngineSchema = z.enum(['postgres', 'sqlite', 'mysql', 'unknown']);
export type DatabaseEngine = z.infer<typeof DatabaseEngineSchema>;

/** Where a project's database comes from. `url` is always redacted in output. */
export const DatabaseTargetSchema = z.object({
  engine: DatabaseEngineSchema,
  url: z.string().optional(),
  source: z.enum(['cli', 'sandbox', 'config', 'tool-config']),
  description: z.string(),
});
export type DatabaseTarget = z.infer<typeof DatabaseTargetSchema>;

/** Which process produced a result: the argv actually run and the command a person would type. */
export const SourceSchema = z.object({
  command: z.array(z.string()),
  native: z.string(),
  toolVersion: z.string().optional(),
  durationMs: z.number().nonnegative(),
  /** `tool`: the framework itself answered; `history-table`: read directly (fast path). */
  via: z.enum(['tool', 'history-table']).default('tool'),
});
export type Source = z.infer<typeof SourceSchema>;

export const MigrationSchema = z.object({
  id: z.string(),
  name: z.string(),
  /** Path relative to the project root. */
  file: z.string().optional(),
  parents: z.array(z.string()),
  state: MigrationStateKindSchema,
  appliedAt: z.string().optional(),
  reversible: z.union([z.boolean(), z.literal('unknown')]),
  /** Why the migration cannot be rolled back, when the tool or the code says so. */
  irreversibleReason: z.string().optional(),
  /** Whether the tool runs this migration inside a transaction (policy context). */
  transactional: z.union([z.boolean(), z.literal('unknown')]).optional(),
  batch: z.number().int().optional(),
  /** Re-applied whenever it changes and never rolled back (Flyway's R__ scripts): `down` skips it. */
  repeatable: z.boolean().optional(),
  /** Free text from the tool: failure log, checksum mismatch, why out of order. */
  detail: z.string().optional(),
});
export type Migration = z.infer<typeof MigrationSchema>;

/** Callers switch on `kind`, never on the framework. */
export const HistoryDiagnosticSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('databaseBehind'), pending: z.array(z.string()) }),
  z.object({ kind: z.literal('multipleHeads'), heads: z.array(z.string()) }),
  z.object({ kind: z.literal('outOfOrder'), migrations: z.array(z.string()) }),
  z.object({ kind: z.literal('diverged'), lastCommon: z.string().optional(), unknownToCode: z.array(z.string()) }),
  z.object({ kind: z.literal('failed'), migration: z.string(), detail: z.string() }),
  z.object({ kind: z.literal('edited'), migrations: z.array(z.string()) }),
]);
export type HistoryDiagnostic = z.infer<typeof HistoryDiagnosticSchema>;

export const MigrationStateSchema = z.object({
  project: z.string(),
  framework: FrameworkIdSchema,
  database: z.string(),
  /** In the tool's own apply order: applied ones first as applied, then pending in run order. */
  migrations: z.array(MigrationSchema),
  /** Applied heads (what the database is at). */
  current: z.array(z.string()),
  /** Heads in code: more than one means divergent history. */
  heads: z.array(z.string()),
  /** The most severe history condition (failed > diverged > edited > multipleHeads > outOfOrder > databaseBehind). */
  history: HistoryDiagnosticSchema.nullable(),
  summary: z.object({
    total: z.number().int(),
    applied: z.number().int(),
    pending: z.number().int(),
    problems: z.number().int(),
  }),
  source: SourceSchema,
  warnings: z.array(z.string()).default([]),
});
export type MigrationState = z.infer<typeof MigrationStateSchema>;

export const TargetSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('latest') }),
  z.object({ kind: z.literal('steps'), n: z.number().int().positive() }),
  z.object({ kind: z.literal('to'), id: z.string().min(1) }),
]);
export type Target = z.infer<typeof TargetSchema>;

export const DirectionSchema = z.enum(['up', 'down']);
export type Direction = z.infer<typeof DirectionSchema>;

export const StatementSchema = z.object({
  sql: z.string(),
  /** `opaque`: code the tool runs that cannot be shown as SQL (RunPython, a data step in Ruby …). */
  kind: z.enum(['sql', 'opaque']).default('sql'),
  /** Relative to the project root, when the SQL came from a file. */
  file: z.string().optional(),
  /** 1-based line in `file`. */
  line: z.number().int().positive().optional(),
  note: z.string().optional(),
});
export type Statement = z.infer<typeof StatementSchema>;

/** `tool-generated`: SQL the tool produced for us (e.g. `prisma migrate diff` for a missing down.sql). */
export const SQL_SOURCES = ['native-preview', 'migration-file', 'sandbox-capture', 'tool-generated', 'unavailable'] as const;
export const PlanStepSchema = z.object({
  migration: MigrationSchema,
  direction: DirectionSchema,
  sqlSource: z.enum(SQL_SOURCES),
  statements: z.array(StatementSchema),
  /** Why the SQL is unavailable or incomplete. */
  reason: z.string().optional(),
  /** Whether the tool wraps this migration in a transaction when it really runs. */
  transactional: z.union([z.boolean(), z.literal('unknown')]),
});
export type PlanStep = z.infer<typeof PlanStepSchema>;

export const PlanSchema = z.object({
  project: z.string(),
  framework: FrameworkIdSchema,
  direction: DirectionSchema,
  target: TargetSchema,
  steps: z.array(PlanStepSchema),
  /** Things the preview itself did to the database, disclosed (e.g. "created the migrations table"). */
  sideEffects: z.array(z.string()).default([]),
  source: SourceSchema,
  warnings: z.array(z.string()).default([]),
});
export type Plan = z.infer<typeof PlanSchema>;

export const ErrorJsonSchema = z.object({
  code: z.string(),
  summary: z.string(),
  why: z.string().optional(),
  fix: z.string().optional(),
  /** The tool's own words (redacted, trimmed). */
  toolOutput: z.string().optional(),
});
export type ErrorJson = z.infer<typeof ErrorJsonSchema>;

export const ChangeSchema = z.object({
  id: z.string(),
  name: z.string(),
  direction: DirectionSchema,
});
export type Change = z.infer<typeof ChangeSchema>;

export const RunReportSchema = z.object({
  project: z.string(),
  framework: FrameworkIdSchema,
  operation: DirectionSchema,
  target: TargetSchema,
  ok: z.boolean(),
  /** What really changed, from the tool's status before and after (not from its log). */
  changes: z.array(ChangeSchema),
  /** The migration that failed, when one did. */
  failedMigration: z.string().optional(),
  before: z.object({ current: z.array(z.string()), applied: z.number().int() }),
  after: z.object({ current: z.array(z.string()), applied: z.number().int() }),
  /** `emulated`: the tool has no such operation; `how` says what was done instead. */
  mode: z.discriminatedUnion('kind', [
    z.object({ kind: z.literal('native') }),
    z.object({ kind: z.literal('emulated'), how: z.string() }),
  ]),
  error: ErrorJsonSchema.optional(),
  /** Exactly what state the database is in after a failure, and how to recover. */
  recovery: z.string().optional(),
  /** What the tool printed (redacted, trimmed to its end). */
  output: z.string().optional(),
  source: SourceSchema,
  warnings: z.array(z.string()).default([]),
});
export type RunReport = z.infer<typeof RunReportSchema>;

export const HeadsReportSchema = z.object({
  project: z.string(),
  framework: FrameworkIdSchema,
  heads: z.array(z.string()),
  divergent: z.boolean(),
  history: HistoryDiagnosticSchema.nullable(),
  /** Human explanation of the options to resolve. */
  advice: z.array(z.string()),
  source: SourceSchema,
});
export type HeadsReport = z.infer<typeof HeadsReportSchema>;

export const MergeReportSchema = z.object({
  project: z.string(),
  framework: FrameworkIdSchema,
  headsBefore: z.array(z.string()),
  headsAfter: z.array(z.string()),
  /** Files written (relative to the project root). */
  created: z.array(z.string()),
  renamed: z.array(z.object({ from: z.string(), to: z.string() })),
  /** Files that were NOT touched and why (e.g. already applied). */
  refused: z.array(z.object({ file: z.string(), reason: z.string() })),
  message: z.string(),
  source: SourceSchema,
});
export type MergeReport = z.infer<typeof MergeReportSchema>;

export const CapabilitySchema = z.discriminatedUnion('support', [
  z.object({ support: z.literal('native'), command: z.string() }),
  z.object({ support: z.literal('emulated'), how: z.string() }),
  z.object({ support: z.literal('none'), why: z.string() }),
]);
export type Capability = z.infer<typeof CapabilitySchema>;

export const CapabilitiesSchema = z.object({
  status: CapabilitySchema,
  up: CapabilitySchema,
  down: CapabilitySchema,
  /** `plan`: the SQL that would run. */
  dryRun: CapabilitySchema,
  mergeHeads: CapabilitySchema,
  /** Up/down to a given migration id or by a number of steps. */
  stepTargets: CapabilitySchema,
  /** DDL inside a transaction, per engine, as the tool runs it. */
  transactionalDdl: z.record(z.string(), z.boolean()),
});
export type Capabilities = z.infer<typeof CapabilitiesSchema>;

export const ProjectSummarySchema = z.object({
  id: z.string(),
  framework: FrameworkIdSchema,
  root: z.string(),
  configFile: z.string(),
  database: DatabaseTargetSchema,
  toolchain: z.array(z.string()),
});
export type ProjectSummary = z.infer<typeof ProjectSummarySchema>;

export const ToolchainCheckSchema = z.object({
  name: z.string(),
  found: z.boolean(),
  path: z.string().optional(),
  version: z.string().optional(),
  hint: z.string().optional(),
});
export type ToolchainCheck = z.infer<typeof ToolchainCheckSchema>;

export const DoctorEntrySchema = z.object({
  project: z.string(),
  framework: FrameworkIdSchema,
  ok: z.boolean(),
  toolchains: z.array(ToolchainCheckSchema),
  capabilities: CapabilitiesSchema,
});
export type DoctorEntry = z.infer<typeof DoctorEntrySchema>;

// ---- verify --------------------------------------------------------------------------------------

export const SchemaDifferenceSchema = z.object({
  kind: z.enum(['missing', 'extra', 'changed']),
  object: z.enum(['table', 'column', 'index', 'constraint', 'sequence', 'enum', 'view', 'trigger', 'function', 'extension']),
  name: z.string(),
  attribute: z.string().optional(),
  expected: z.unknown().optional(),
  actual: z.unknown().optional(),
  /** In words: "column users.full_name still exists", "index ix_orders_user_id missing". */
  message: z.string(),
});
export type SchemaDifference = z.infer<typeof SchemaDifferenceSchema>;

export const LockObservationSchema = z.object({
  relation: z.string(),
  kind: z.enum(['table', 'index', 'other']),
  /** As PostgreSQL's documentation names it: "ACCESS EXCLUSIVE", "SHARE" … */
  mode: z.string(),
  /** The statement running when the lock was first seen. */
  statement: z.string(),
  heldMs: z.number().nonnegative(),
});
export type LockObservation = z.infer<typeof LockObservationSchema>;

export const MigrationObservationsSchema = z.object({
  locks: z.array(LockObservationSchema),
  /** Tables whose storage was replaced (a rewrite, or TRUNCATE). */
  rewrites: z.array(z.string()),
  samples: z.number().int(),
  /** The pause metamig adds to every DDL statement so sampling cannot miss its locks. */
  pauseMsPerDdl: z.number(),
});
export type MigrationObservations = z.infer<typeof MigrationObservationsSchema>;

export const SeedResultSchema = z.object({ table: z.string(), rows: z.number().int(), skipped: z.string().optional() });
export type SeedResult = z.infer<typeof SeedResultSchema>;

export const VerifyResultSchema = z.enum(['verified', 'failed', 'irreversible', 'down-error', 'up-error']);
export type VerifyResult = z.infer<typeof VerifyResultSchema>;

export const MigrationVerificationSchema = z.object({
  id: z.string(),
  name: z.string(),
  result: VerifyResultSchema,
  /** What differs from the schema before `up`, after `down` ran. */
  differences: z.array(SchemaDifferenceSchema),
  /** What differs from the first `up`, after `up` ran again. */
  upAgainDifferences: z.array(SchemaDifferenceSchema),
  /** Objects `up` added: a rollback drops them, with any data written since. */
  added: z.array(z.string()),
  /** Objects `up` removed: their data is gone after `up`, whatever `down` recreates. */
  removed: z.array(z.string()),
  /** Everything `up` did to the schema (expected = before, actual = after): the basis of expand/contract. */
  changes: z.array(SchemaDifferenceSchema).default([]),
  error: ErrorJsonSchema.optional(),
  timings: z.object({ upMs: z.number().optional(), downMs: z.number().optional(), upAgainMs: z.number().optional() }),
  observations: MigrationObservationsSchema.optional(),
  seeded: z.array(SeedResultSchema),
  notes: z.array(z.string()),
});
export type MigrationVerification = z.infer<typeof MigrationVerificationSchema>;

export const ProjectVerificationSchema = z.object({
  project: z.string(),
  framework: FrameworkIdSchema,
  engine: z.enum(['postgres', 'sqlite']),
  /** false when any rollback did not restore the schema. */
  ok: z.boolean(),
  scope: z.enum(['pending', 'all', 'from']),
  migrations: z.array(MigrationVerificationSchema),
  warnings: z.array(z.string()),
});
export type ProjectVerification = z.infer<typeof ProjectVerificationSchema>;

// ---- checklist -----------------------------------------------------------------------------------

export const ChecklistFindingSchema = z.object({
  rule: z.string(),
  severity: z.string(),
  message: z.string(),
  /** A waived policy finding, with the reason given and where the waiver lives. */
  waived: z.object({ reason: z.string(), source: z.string() }).optional(),
});
export type ChecklistFinding = z.infer<typeof ChecklistFindingSchema>;

export const ChecklistMigrationSchema = z.object({
  id: z.string(),
  name: z.string(),
  /** expand: adds (schema before code) · contract: drops, renames, tightens (code before schema) · data: rows only. */
  kind: z.enum(['expand', 'contract', 'data', 'mixed', 'unknown']),
  apply: z.string(),
  rollback: z.object({
    command: z.string().nullable(),
    mode: z.enum(['native', 'emulated', 'none']),
    verified: z.union([VerifyResultSchema, z.literal('not-verified')]),
    note: z.string().optional(),
  }),
  /** Data a rollback would lose: what `up` added, with anything written to it since. */
  rollbackLoses: z.array(z.string()),
  /** Data gone as soon as `up` runs (a rollback recreates the structure, not the data). */
  upLoses: z.array(z.string()),
  locks: z.array(LockObservationSchema),
  rewrites: z.array(z.string()),
  findings: z.array(ChecklistFindingSchema),
});
export type ChecklistMigration = z.infer<typeof ChecklistMigrationSchema>;

export const ProjectChecklistSchema = z.object({
  project: z.string(),
  framework: FrameworkIdSchema,
  database: z.string(),
  backup: z.object({ command: z.string(), restore: z.string() }),
  /** What the deployer does, in order. */
  deploy: z.array(z.string()),
  /** If it goes wrong: what to run, in order. */
  rollback: z.array(z.string()),
  migrations: z.array(ChecklistMigrationSchema),
  warnings: z.array(z.string()),
});
export type ProjectChecklist = z.infer<typeof ProjectChecklistSchema>;

/** A project whose command failed: other projects' results are still reported beside it. */
export const ProjectErrorSchema = z.object({
  project: z.string(),
  framework: FrameworkIdSchema,
  error: ErrorJsonSchema,
});
export type ProjectError = z.infer<typeof ProjectErrorSchema>;

const orError = <T extends z.ZodTypeAny>(s: T) => z.union([s, ProjectErrorSchema]);
const doc = <T extends z.ZodTypeAny>(entry: T) => z.object({ projects: z.array(orError(entry)) });

/** One schema per command: `{ "projects": [ … ] }`, an entry per project. */
export const OutputSchemas = {
  discover: doc(ProjectSummarySchema),
  status: doc(MigrationStateSchema),
  up: doc(RunReportSchema),
  down: doc(RunReportSchema),
  plan: doc(PlanSchema),
  heads: doc(HeadsReportSchema),
  merge: doc(MergeReportSchema),
  doctor: doc(DoctorEntrySchema),
  verify: doc(ProjectVerificationSchema),
  checklist: doc(ProjectChecklistSchema),
} as const;
export type CommandName = keyof typeof OutputSchemas;
/** The parsed `--json` document of a command. */
export type CommandOutput<C extends CommandName> = z.infer<(typeof OutputSchemas)[C]>;

export const isProjectError = (x: unknown): x is ProjectError =>
  typeof x === 'object' && x !== null && 'error' in x && !('ok' in x);
