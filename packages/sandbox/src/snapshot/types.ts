// A normalized, deterministic description of a database schema: every collection is keyed by name
// and sorted, so two schemas built in different orders compare equal, and a diff reads in words.

export interface ColumnSnapshot {
  type: string;
  nullable: boolean;
  default: string | null;
  /** identity (`always`/`by default`), generated expression, or null. */
  identity: string | null;
  generated: string | null;
}

export interface IndexSnapshot {
  table: string;
  /** The definition with the index name removed, so a rename shows as a rename, not a change. */
  definition: string;
  unique: boolean;
  primary: boolean;
  valid: boolean;
}

export interface ConstraintSnapshot {
  table: string;
  type: 'check' | 'foreign key' | 'primary key' | 'unique' | 'exclusion' | 'trigger' | 'not null' | 'other';
  definition: string;
  validated: boolean;
}

export interface TableSnapshot {
  columns: Record<string, ColumnSnapshot>;
}

export interface SchemaSnapshot {
  engine: 'postgres' | 'sqlite';
  tables: Record<string, TableSnapshot>;
  indexes: Record<string, IndexSnapshot>;
  constraints: Record<string, ConstraintSnapshot>;
  sequences: Record<string, { type: string; increment: string; min: string; max: string; cycle: boolean }>;
  enums: Record<string, string[]>;
  views: Record<string, { materialized: boolean; definition: string }>;
  triggers: Record<string, { table: string; definition: string }>;
  functions: Record<string, { definition: string }>;
  extensions: Record<string, { version: string }>;
}

export const emptySnapshot = (engine: SchemaSnapshot['engine']): SchemaSnapshot => ({
  engine,
  tables: {},
  indexes: {},
  constraints: {},
  sequences: {},
  enums: {},
  views: {},
  triggers: {},
  functions: {},
  extensions: {},
});

/** Tables that belong to the migration tools themselves, never to the application schema. */
export const HISTORY_TABLES: Record<string, string[]> = {
  alembic: ['alembic_version'],
  django: ['django_migrations'],
  prisma: ['_prisma_migrations'],
  knex: ['knex_migrations', 'knex_migrations_lock'],
  typeorm: ['migrations', 'typeorm_metadata'],
  laravel: ['migrations'],
  rails: ['schema_migrations', 'ar_internal_metadata'],
  flyway: ['flyway_schema_history'],
};

/** Sort an object's keys so JSON output and iteration are deterministic. */
export function sortKeys<T>(o: Record<string, T>): Record<string, T> {
  const out: Record<string, T> = {};
  for (const k of Object.keys(o).sort()) out[k] = o[k]!;
  return out;
}
