// What the engine knows while it walks a migration, computed once per statement and shared by every
// rule (rules never re-derive it): transaction state, timeouts set so far, objects created in this
// migration, locks held in the open transaction — and, across the whole run, a small schema model
// (column types, NOT NULL, validated CHECK (col IS NOT NULL) constraints) built from the statements
// seen so far, so a later migration in the same plan can be judged on what an earlier one did.
import { as, columnType, constValue, keyNames, notNullCheckColumn, refFromNames, strings, tableRef, type ColumnType } from './ast.js';
import { droppedNames, isBlocking, staticLocks, strength, type StaticLock } from './locks.js';
import type { LockMode, MigrationInfo, NodeOf, StatementInfo, TableRef } from './types.js';

export interface ColumnModel {
  type?: ColumnType;
  notNull: boolean;
}

export interface CheckModel {
  /** The column when the check is exactly `col IS NOT NULL` (or a PG 18 NOT NULL constraint). */
  column?: string;
  validated: boolean;
}

export interface TableModel {
  ref: TableRef;
  columns: Map<string, ColumnModel>;
  checks: Map<string, CheckModel>;
  /** Name of the primary key constraint, when one was seen. */
  primaryKey?: string;
}

export interface IndexModel {
  table: string;
  columns: (string | undefined)[];
  unique: boolean;
}

/** Schema knowledge for one lint run (all migrations of a plan, or all files of a `--sql` run). */
export class SchemaModel {
  readonly tables = new Map<string, TableModel>();
  readonly indexes = new Map<string, IndexModel>();
  readonly domainsWithChecks = new Set<string>();
  readonly enumTypes = new Set<string>();

  /** Look a table up; `t` and `public.t` are the same table. */
  table(ref: TableRef | undefined): TableModel | undefined {
    if (!ref) return undefined;
    return this.tables.get(ref.key) ?? (ref.schema === 'public' ? this.tables.get(ref.name) : ref.schema ? undefined : this.tables.get(`public.${ref.name}`));
  }

  ensure(ref: TableRef): TableModel {
    let t = this.table(ref);
    if (!t) {
      t = { ref, columns: new Map(), checks: new Map() };
      this.tables.set(ref.key, t);
    }
    return t;
  }

  column(ref: TableRef | undefined, column: string): ColumnModel | undefined {
    return this.table(ref)?.columns.get(column);
  }

  /** A validated `CHECK (col IS NOT NULL)` (or NOT NULL constraint) proves the column has no NULLs. */
  hasValidatedNotNullCheck(ref: TableRef | undefined, column: string): boolean {
    const t = this.table(ref);
    if (!t) return false;
    for (const c of t.checks.values()) if (c.validated && c.column === column) return true;
    return false;
  }

  drop(ref: TableRef): void {
    const t = this.table(ref);
    if (t) this.tables.delete(t.ref.key);
  }
}

export interface TimeoutSetting {
  /** Milliseconds; 0 = disabled; undefined = a value metamig could not read (treated as set). */
  ms: number | undefined;
  text: string;
  local: boolean;
  statement: StatementInfo;
}

export interface HeldLock {
  mode: LockMode;
  statement: StatementInfo;
}

const UNITS: Record<string, number> = { us: 0.001, ms: 1, s: 1000, min: 60_000, h: 3_600_000, d: 86_400_000 };

/** `'2s'`, `'500ms'`, `1000`, `'1min'` → milliseconds (a bare number is milliseconds). */
export function timeoutMs(value: string | number | boolean | undefined): number | undefined {
  if (typeof value === 'number') return value;
  if (typeof value !== 'string') return undefined;
  const m = /^\s*(\d+(?:\.\d+)?)\s*(us|ms|s|min|h|d)?\s*$/.exec(value);
  if (!m) return undefined;
  return Number(m[1]) * (UNITS[m[2] ?? 'ms'] ?? 1);
}

const key = (table: TableRef, col: string) => `${table.key}\u0000${col}`;

/** The state at the statement being visited. Rules read it; only the engine writes it. */
export class LintState {
  /** Inside a transaction at this statement (the runner's, or an explicit BEGIN). */
  inTransaction: boolean;
  /** The runner's own transaction is still open (no explicit COMMIT ended it). */
  runnerTransaction: boolean;
  /** The open explicit BEGIN, if any. */
  explicitBegin: StatementInfo | undefined;
  /** Changes at every transaction start; 0 = autocommit. */
  transactionId: number;
  lockTimeout: TimeoutSetting | undefined;
  statementTimeout: TimeoutSetting | undefined;
  readonly createdTables = new Set<string>();
  readonly createdIndexes = new Set<string>();
  /** `table\0column` of columns added in this migration. */
  readonly createdColumns = new Set<string>();
  /** Locks on pre-existing tables held by the open transaction. */
  readonly heldLocks = new Map<string, HeldLock>();
  /** Constraints added NOT VALID in this migration: name → table key and transaction. */
  readonly notValid = new Map<string, { table: string; transactionId: number; statement: StatementInfo }>();
  /** Enum values added in this migration: value → transaction. */
  readonly enumValuesAdded = new Map<string, { type: string; transactionId: number; statement: StatementInfo }>();
  /** First DDL and first DML on a pre-existing table in this migration. */
  firstDdl: StatementInfo | undefined;
  firstDml: StatementInfo | undefined;
  private nextTransaction = 1;

  constructor(
    readonly schema: SchemaModel,
    readonly migration: MigrationInfo,
  ) {
    this.runnerTransaction = migration.transactional === true;
    this.inTransaction = this.runnerTransaction;
    this.transactionId = this.inTransaction ? this.nextTransaction++ : 0;
  }

  /** Created earlier in this migration: no other session uses it yet, so its locks do not matter. */
  isNew(ref: TableRef | undefined): boolean {
    if (!ref) return false;
    return this.createdTables.has(ref.key) || (ref.schema === 'public' && this.createdTables.has(ref.name)) || (!ref.schema && this.createdTables.has(`public.${ref.name}`));
  }

  isNewColumn(ref: TableRef | undefined, column: string): boolean {
    return !!ref && (this.isNew(ref) || this.createdColumns.has(key(ref, column)) || (!ref.schema && this.createdColumns.has(key({ schema: 'public', name: ref.name, key: `public.${ref.name}` }, column))));
  }

  private lockCache: { stmt: StatementInfo; locks: StaticLock[] } | undefined;

  /** Static locks of a statement on tables that existed before this migration (computed once per statement). */
  locksOnExisting(stmt: StatementInfo): StaticLock[] {
    if (this.lockCache?.stmt === stmt) return this.lockCache.locks;
    const locks = staticLocks(stmt.type, stmt.node).filter((l) => !(l.index ? this.createdIndexes.has(l.relation.key) : this.isNew(l.relation)));
    this.lockCache = { stmt, locks };
    return locks;
  }

  // ---- updates (engine only) ----------------------------------------------------------------------

  private beginTransaction(): void {
    this.inTransaction = true;
    this.transactionId = this.nextTransaction++;
  }

  private endTransaction(): void {
    this.inTransaction = false;
    this.runnerTransaction = false;
    this.explicitBegin = undefined;
    this.transactionId = 0;
    this.heldLocks.clear();
    if (this.lockTimeout?.local) this.lockTimeout = undefined;
    if (this.statementTimeout?.local) this.statementTimeout = undefined;
  }

  private setTimeout(name: string | undefined, value: string | number | boolean | undefined, local: boolean, reset: boolean, stmt: StatementInfo): void {
    if (name !== 'lock_timeout' && name !== 'statement_timeout') return;
    if (local && !this.inTransaction) return; // SET LOCAL outside a transaction has no effect
    const setting: TimeoutSetting | undefined = reset ? undefined : { ms: timeoutMs(value), text: String(value), local, statement: stmt };
    if (name === 'lock_timeout') this.lockTimeout = setting;
    else this.statementTimeout = setting;
  }

  after(stmt: StatementInfo): void {
    const node = stmt.node as Record<string, unknown>;
    const locks = stmt.type === 'TransactionStmt' ? [] : this.locksOnExisting(stmt);
    switch (stmt.type) {
      case 'TransactionStmt': {
        const t = as(node, 'TransactionStmt')!;
        const kind = t.kind;
        if (kind === 'TRANS_STMT_BEGIN' || kind === 'TRANS_STMT_START') {
          if (!this.inTransaction) {
            this.beginTransaction();
            this.explicitBegin = stmt;
          }
        } else if (kind === 'TRANS_STMT_COMMIT' || kind === 'TRANS_STMT_ROLLBACK' || kind === 'TRANS_STMT_PREPARE') {
          if (this.inTransaction) this.endTransaction();
          if (t.chain) {
            this.beginTransaction();
            this.explicitBegin = stmt;
          }
        }
        return;
      }
      case 'VariableSetStmt': {
        const s = as(node, 'VariableSetStmt')!;
        if (s.kind === 'VAR_RESET_ALL') {
          this.lockTimeout = undefined;
          this.statementTimeout = undefined;
        } else this.setTimeout(s.name, constValue(s.args?.[0]), !!s.is_local, s.kind !== 'VAR_SET_VALUE', stmt);
        break;
      }
      case 'SelectStmt': {
        // SELECT set_config('lock_timeout', '2s', false)
        for (const rt of as(node, 'SelectStmt')!.targetList ?? []) {
          const f = as(as(rt, 'ResTarget')?.val, 'FuncCall');
          if (!f || strings(f.funcname).pop() !== 'set_config') continue;
          const [n, v, l] = (f.args ?? []).map(constValue);
          this.setTimeout(typeof n === 'string' ? n : undefined, v, l === true, false, stmt);
        }
        break;
      }
      case 'CreateStmt': {
        const s = as(node, 'CreateStmt')!;
        const ref = tableRef(s.relation);
        if (!ref) break;
        this.createdTables.add(ref.key);
        this.schema.drop(ref);
        const t = this.schema.ensure(ref);
        for (const e of s.tableElts ?? []) {
          const col = as(e, 'ColumnDef');
          if (col?.colname) this.addColumn(ref, col);
          const con = as(e, 'Constraint');
          if (con) this.addConstraint(t, con);
        }
        break;
      }
      case 'CreateTableAsStmt': {
        const ref = tableRef(as(node, 'CreateTableAsStmt')!.into?.rel);
        if (ref) {
          this.createdTables.add(ref.key);
          this.schema.drop(ref);
          this.schema.ensure(ref);
        }
        break;
      }
      case 'AlterTableStmt':
        this.alterTable(as(node, 'AlterTableStmt')!, stmt);
        break;
      case 'RenameStmt': {
        const s = as(node, 'RenameStmt')!;
        const ref = tableRef(s.relation);
        const t = this.schema.table(ref);
        if (!ref || !s.newname) break;
        if (s.renameType === 'OBJECT_TABLE' && t) {
          this.schema.tables.delete(t.ref.key);
          const next = { ...(ref.schema ? { schema: ref.schema } : {}), name: s.newname, key: ref.schema ? `${ref.schema}.${s.newname}` : s.newname };
          t.ref = next;
          this.schema.tables.set(next.key, t);
          if (this.createdTables.delete(ref.key)) this.createdTables.add(next.key);
        } else if (s.renameType === 'OBJECT_COLUMN' && t && s.subname) {
          const c = t.columns.get(s.subname);
          if (c) {
            t.columns.delete(s.subname);
            t.columns.set(s.newname, c);
          }
        }
        break;
      }
      case 'DropStmt': {
        const s = as(node, 'DropStmt')!;
        if (s.removeType === 'OBJECT_TABLE') for (const r of droppedNames(s)) this.schema.drop(r);
        if (s.removeType === 'OBJECT_INDEX') for (const r of droppedNames(s)) this.schema.indexes.delete(r.key);
        break;
      }
      case 'IndexStmt': {
        const s = as(node, 'IndexStmt')!;
        const ref = tableRef(s.relation);
        if (s.idxname && ref) {
          const k = ref.schema ? `${ref.schema}.${s.idxname}` : s.idxname;
          this.createdIndexes.add(k);
          this.schema.indexes.set(k, { table: ref.key, columns: (s.indexParams ?? []).map((p) => as(p, 'IndexElem')?.name), unique: !!s.unique });
        }
        break;
      }
      case 'CreateDomainStmt': {
        const s = as(node, 'CreateDomainStmt')!;
        if ((s.constraints ?? []).some((c) => as(c, 'Constraint')?.contype === 'CONSTR_CHECK')) {
          const ref = refFromNames(strings(s.domainname));
          if (ref) this.schema.domainsWithChecks.add(ref.key);
        }
        break;
      }
      case 'AlterDomainStmt': {
        const s = as(node, 'AlterDomainStmt')!;
        if (s.subtype === 'C' && as(s.def, 'Constraint')?.contype === 'CONSTR_CHECK') {
          const ref = refFromNames(strings(s.typeName));
          if (ref) this.schema.domainsWithChecks.add(ref.key);
        }
        break;
      }
      case 'CreateEnumStmt': {
        const ref = refFromNames(strings(as(node, 'CreateEnumStmt')!.typeName));
        if (ref) this.schema.enumTypes.add(ref.key);
        break;
      }
      case 'AlterEnumStmt': {
        const s = as(node, 'AlterEnumStmt')!;
        if (s.newVal && !s.oldVal) this.enumValuesAdded.set(s.newVal, { type: strings(s.typeName).join('.'), transactionId: this.transactionId, statement: stmt });
        break;
      }
      default:
        break;
    }
    // DDL / DML on pre-existing tables, and the locks the open transaction now holds.
    const dml = stmt.type === 'UpdateStmt' || stmt.type === 'DeleteStmt' || stmt.type === 'InsertStmt' || stmt.type === 'MergeStmt';
    if (locks.length) {
      if (dml) this.firstDml ??= stmt;
      else this.firstDdl ??= stmt;
    }
    if (this.inTransaction) {
      for (const l of locks) {
        if (!isBlocking(l.mode)) continue;
        const prev = this.heldLocks.get(l.relation.key);
        if (!prev || strength(l.mode) > strength(prev.mode)) this.heldLocks.set(l.relation.key, { mode: l.mode, statement: stmt });
      }
    }
  }

  private addColumn(ref: TableRef, col: NodeOf<'ColumnDef'>): void {
    const t = this.schema.ensure(ref);
    const type = columnType(col.typeName);
    let notNull = !!col.is_not_null;
    for (const c of col.constraints ?? []) {
      const con = as(c, 'Constraint');
      const k = con?.contype;
      if (k === 'CONSTR_NOTNULL' || k === 'CONSTR_PRIMARY' || k === 'CONSTR_IDENTITY') notNull = true;
      if (k === 'CONSTR_PRIMARY') t.primaryKey = con?.conname ?? `${ref.name}_pkey`;
    }
    t.columns.set(col.colname!, { ...(type ? { type } : {}), notNull });
  }

  private addConstraint(t: TableModel, con: NodeOf<'Constraint'>): void {
    if (con.contype === 'CONSTR_CHECK') {
      const column = notNullCheckColumn(con.raw_expr);
      t.checks.set(con.conname ?? `#${t.checks.size}`, { ...(column ? { column } : {}), validated: !con.skip_validation });
    } else if (con.contype === 'CONSTR_NOTNULL') {
      const [column] = keyNames(con.keys);
      if (column) {
        if (con.skip_validation) t.checks.set(con.conname ?? `#${t.checks.size}`, { column, validated: false });
        else {
          const c = t.columns.get(column);
          if (c) c.notNull = true;
        }
      }
    } else if (con.contype === 'CONSTR_PRIMARY') {
      t.primaryKey = con.conname ?? `${t.ref.name}_pkey`;
      for (const k of keyNames(con.keys)) {
        const c = t.columns.get(k);
        if (c) c.notNull = true;
      }
    }
  }

  private alterTable(s: NodeOf<'AlterTableStmt'>, stmt: StatementInfo): void {
    const ref = tableRef(s.relation);
    if (!ref) return;
    for (const c of s.cmds ?? []) {
      const cmd = as(c, 'AlterTableCmd');
      if (!cmd) continue;
      const t = this.schema.table(ref);
      switch (cmd.subtype) {
        case 'AT_AddColumn': {
          const col = as(cmd.def, 'ColumnDef');
          if (col?.colname) {
            this.addColumn(ref, col);
            this.createdColumns.add(key(ref, col.colname));
          }
          break;
        }
        case 'AT_AlterColumnType': {
          const type = columnType(as(cmd.def, 'ColumnDef')?.typeName);
          const col = cmd.name ? this.schema.ensure(ref).columns : undefined;
          if (col && cmd.name && type) col.set(cmd.name, { ...(col.get(cmd.name) ?? { notNull: false }), type });
          break;
        }
        case 'AT_DropColumn':
          if (cmd.name) t?.columns.delete(cmd.name);
          break;
        case 'AT_SetNotNull':
          if (cmd.name) this.schema.ensure(ref).columns.set(cmd.name, { ...(t?.columns.get(cmd.name) ?? {}), notNull: true });
          break;
        case 'AT_DropNotNull': {
          const col = cmd.name ? t?.columns.get(cmd.name) : undefined;
          if (col) col.notNull = false;
          break;
        }
        case 'AT_AddConstraint': {
          const con = as(cmd.def, 'Constraint');
          if (!con) break;
          this.addConstraint(this.schema.ensure(ref), con);
          if (con.skip_validation && con.conname) this.notValid.set(con.conname, { table: ref.key, transactionId: this.transactionId, statement: stmt });
          break;
        }
        case 'AT_ValidateConstraint': {
          const check = cmd.name ? t?.checks.get(cmd.name) : undefined;
          if (check) check.validated = true;
          // validated in another migration: the schema model did not see the ADD; keep what we know.
          if (cmd.name && !check) this.schema.ensure(ref).checks.set(cmd.name, { validated: true });
          break;
        }
        case 'AT_DropConstraint':
          if (cmd.name) t?.checks.delete(cmd.name);
          if (t && cmd.name === t.primaryKey) delete t.primaryKey;
          break;
        default:
          break;
      }
    }
  }
}
