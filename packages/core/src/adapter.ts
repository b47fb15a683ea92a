// The one abstraction every framework implements. Adapters are thin: data (commands, paths,
// capabilities) plus pure parse functions; spawning, timeouts and redaction live in the runner.
import type { MigratorError } from './errors.js';
import type { Logger } from './logger.js';
import type { Runner } from './runner.js';
import type {
  Capabilities,
  DatabaseTarget,
  Direction,
  FrameworkId,
  HeadsReport,
  MergeReport,
  Migration,
  MigrationState,
  Plan,
  Source,
  Target,
  ToolchainCheck,
} from './schemas.js';
import type { Toolchains } from './toolchain.js';

/** Every file under the repository root (posix paths relative to it), minus ignored folders. */
export interface RepoListing {
  root: string;
  files: readonly string[];
}

export interface DetectedProject {
  framework: FrameworkId;
  /** Project root, relative to the repository root ("." for the root itself). */
  root: string;
  /** The file that identified it, relative to the repository root. */
  configFile: string;
}

export interface Project extends DetectedProject {
  /** Stable id: "services/billing:laravel", or the framework name for a project at the repo root. */
  id: string;
  /** Absolute project root. */
  absRoot: string;
  /** Redacted description of the database this project will use. */
  database: DatabaseTarget;
  /** The override URL (CLI, sandbox or metamig config), unredacted; undefined = the tool's own config. */
  databaseUrl?: string;
  /** Extra environment from metamig config. */
  env: Record<string, string>;
  /** A protected environment: every change asks for confirmation. */
  protected: boolean;
  /** Adapter-specific options from metamig config (e.g. knex environment, TypeORM data source). */
  options: Record<string, unknown>;
}

/**
 * Direct, read-only access to a project's database for the fast status path (no framework boot).
 * Implemented once (PostgreSQL and SQLite) by the CLI; adapters only send SQL.
 */
export interface HistoryReader {
  /** Does the table exist? (`schema` defaults to the connection's search path / main.) */
  tableExists(url: string, table: string, schema?: string): Promise<boolean>;
  /** Rows of a read-only query. PostgreSQL placeholders are $1…; SQLite ones are ?. */
  query<T extends Record<string, unknown>>(url: string, sql: string, params?: unknown[]): Promise<T[]>;
}

export interface AdapterContext {
  runner: Runner;
  /** Present when the caller allows direct history-table reads (`status --fast`). */
  history?: HistoryReader;
  logger: Logger;
  toolchains: Toolchains;
  signal: AbortSignal;
  repoRoot: string;
  timeoutMs?: number;
}

/** What up/down selected, computed once by core from a fresh status. */
export interface RunRequest {
  target: Target;
  /** The migrations that will run, in execution order. */
  steps: Migration[];
  state: MigrationState;
}

/** The outcome of one native (or emulated) run; core turns it into a RunReport. */
export interface ToolRun {
  ok: boolean;
  source: Source;
  /** Combined, redacted output of the tool. */
  output: string;
  error?: MigratorError;
  failedMigration?: string;
  mode: { kind: 'native' } | { kind: 'emulated'; how: string };
  warnings: string[];
}

export interface PlanRequest {
  direction: Direction;
  target: Target;
  steps: Migration[];
  state: MigrationState;
}

export interface MergeOptions {
  message?: string;
  /** Timestamp-ordered tools: rename not-yet-applied out-of-order files to a new timestamp. */
  restamp?: boolean;
  state: MigrationState;
}

/** The commands a deployer types to apply or roll back ONE migration, for the rollback checklist. */
export interface NativeCommands {
  apply: string;
  /** null when the tool cannot roll it back (irreversible, or no down at all). */
  rollback: string | null;
  rollbackMode: 'native' | 'emulated' | 'none';
  note?: string;
}

export interface MigrationAdapter {
  framework: FrameworkId;
  displayName: string;
  capabilities: Capabilities;
  /** Toolchain names this adapter needs (shown by discover and doctor). */
  toolchain: string[];
  detect(listing: RepoListing): DetectedProject[];
  /** Best static description of the database a project uses when no override is given. */
  describeDatabase(project: DetectedProject, repoRoot: string): DatabaseTarget;
  checkToolchain(project: Project, ctx: AdapterContext): Promise<ToolchainCheck[]>;
  status(project: Project, ctx: AdapterContext): Promise<MigrationState>;
  /**
   * Optional fast path: the same MigrationState as `status`, read from the history table and the
   * migration files directly (ctx.history), without booting the framework. `source.via` must be
   * 'history-table'. Throws OPERATION.UNSUPPORTED (with why) when it cannot be exact for this
   * project — e.g. no database URL is known statically — and the CLI falls back to `status`.
   */
  statusFast?(project: Project, ctx: AdapterContext): Promise<MigrationState>;
  up(project: Project, req: RunRequest, ctx: AdapterContext): Promise<ToolRun>;
  down(project: Project, req: RunRequest, ctx: AdapterContext): Promise<ToolRun>;
  plan(project: Project, req: PlanRequest, ctx: AdapterContext): Promise<Plan>;
  /** Optional: tool-specific advice for divergent history; core has a generic default. */
  heads?(project: Project, state: MigrationState, ctx: AdapterContext): Promise<HeadsReport>;
  mergeHeads(project: Project, opts: MergeOptions, ctx: AdapterContext): Promise<MergeReport>;
  /** Per-migration native commands (pure); core falls back to the equivalent metamig commands. */
  commands?(project: Project, migration: Migration, state: MigrationState): NativeCommands;
}
