// The table-level locks a statement takes, from PostgreSQL's documentation ("Explicit Locking" and
// the lock level of each ALTER TABLE form). Used by the timeout rules, work-after-exclusive-lock and
// the messages. A sandbox run (observations) replaces this model with measured locks.
import { as, makeRef, refFromNames, strings, tableRef, typeOf } from './ast.js';
import { LOCK_MODES, type LockMode, type NodeOf, type TableRef } from './types.js';

export interface StaticLock {
  relation: TableRef;
  mode: LockMode;
  /** The relation is an index (its table is not named in the statement). */
  index?: boolean;
}

export const strength = (m: LockMode): number => LOCK_MODES.indexOf(m);
export const stronger = (a: LockMode, b: LockMode): LockMode => (strength(a) >= strength(b) ? a : b);

/** SHARE and above block writes; ACCESS EXCLUSIVE also blocks reads. */
export function blocks(mode: LockMode): 'reads and writes' | 'writes' | 'schema changes' {
  if (mode === 'ACCESS EXCLUSIVE') return 'reads and writes';
  if (strength(mode) >= strength('SHARE')) return 'writes';
  return 'schema changes';
}

/** A lock that blocks the application's reads or writes while it is held or queued. */
export const isBlocking = (mode: LockMode): boolean => strength(mode) >= strength('SHARE');

const SUE_ALTER = new Set([
  'AT_SetStatistics',
  'AT_SetOptions',
  'AT_ResetOptions',
  'AT_ClusterOn',
  'AT_DropCluster',
  'AT_ValidateConstraint',
  'AT_AttachPartition',
  'AT_DetachPartitionFinalize',
  'AT_SetRelOptions',
  'AT_ResetRelOptions',
]);
const SRE_ALTER = new Set([
  'AT_EnableTrig',
  'AT_EnableAlwaysTrig',
  'AT_EnableReplicaTrig',
  'AT_DisableTrig',
  'AT_EnableTrigAll',
  'AT_DisableTrigAll',
  'AT_EnableTrigUser',
  'AT_DisableTrigUser',
]);

export function alterCmdLock(cmd: NodeOf<'AlterTableCmd'>): LockMode {
  const sub = cmd.subtype ?? '';
  if (SUE_ALTER.has(sub)) return 'SHARE UPDATE EXCLUSIVE';
  if (SRE_ALTER.has(sub)) return 'SHARE ROW EXCLUSIVE';
  if (sub === 'AT_DetachPartition') return as(cmd.def, 'PartitionCmd')?.concurrent ? 'SHARE UPDATE EXCLUSIVE' : 'ACCESS EXCLUSIVE';
  if (sub === 'AT_AddConstraint' && as(cmd.def, 'Constraint')?.contype === 'CONSTR_FOREIGN') return 'SHARE ROW EXCLUSIVE';
  return 'ACCESS EXCLUSIVE';
}

const PG_LOCKMODE: Record<number, LockMode> = Object.fromEntries(LOCK_MODES.map((m, i) => [i + 1, m]));

/** The locks a top-level statement takes on existing relations, strongest per relation. */
export function staticLocks(type: string, node: unknown): StaticLock[] {
  const out = new Map<string, StaticLock>();
  const add = (relation: TableRef | undefined, mode: LockMode, index = false) => {
    if (!relation) return;
    const prev = out.get(relation.key);
    out.set(relation.key, { relation, mode: prev ? stronger(prev.mode, mode) : mode, ...(index ? { index } : {}) });
  };
  switch (type) {
    case 'AlterTableStmt': {
      const s = as(node, 'AlterTableStmt')!;
      if (s.objtype && s.objtype !== 'OBJECT_TABLE' && s.objtype !== 'OBJECT_MATVIEW' && s.objtype !== 'OBJECT_FOREIGN_TABLE') {
        // ALTER INDEX / SEQUENCE / VIEW: mostly catalog changes on that object.
        add(tableRef(s.relation), s.objtype === 'OBJECT_INDEX' ? 'SHARE UPDATE EXCLUSIVE' : 'ACCESS EXCLUSIVE', s.objtype === 'OBJECT_INDEX');
        break;
      }
      const t = tableRef(s.relation);
      for (const c of s.cmds ?? []) {
        const cmd = as(c, 'AlterTableCmd');
        if (!cmd) continue;
        add(t, alterCmdLock(cmd));
        const con = as(cmd.def, 'Constraint');
        if (con?.contype === 'CONSTR_FOREIGN') add(tableRef(con.pktable), 'SHARE ROW EXCLUSIVE');
        const col = as(cmd.def, 'ColumnDef');
        for (const cc of col?.constraints ?? []) {
          const k = as(cc, 'Constraint');
          if (k?.contype === 'CONSTR_FOREIGN') add(tableRef(k.pktable), 'SHARE ROW EXCLUSIVE');
        }
        if (cmd.subtype === 'AT_AttachPartition' || cmd.subtype === 'AT_DetachPartition') {
          add(tableRef(as(cmd.def, 'PartitionCmd')?.name), cmd.subtype === 'AT_AttachPartition' ? 'ACCESS EXCLUSIVE' : alterCmdLock(cmd));
        }
      }
      break;
    }
    case 'IndexStmt': {
      const s = as(node, 'IndexStmt')!;
      add(tableRef(s.relation), s.concurrent ? 'SHARE UPDATE EXCLUSIVE' : 'SHARE');
      break;
    }
    case 'DropStmt': {
      const s = as(node, 'DropStmt')!;
      const rel = ['OBJECT_TABLE', 'OBJECT_VIEW', 'OBJECT_MATVIEW', 'OBJECT_SEQUENCE', 'OBJECT_FOREIGN_TABLE', 'OBJECT_INDEX'];
      if (!rel.includes(s.removeType ?? '')) break;
      for (const o of s.objects ?? []) {
        const ref = refFromNames(strings(as(o, 'List')?.items));
        if (s.removeType === 'OBJECT_INDEX') add(ref, s.concurrent ? 'SHARE UPDATE EXCLUSIVE' : 'ACCESS EXCLUSIVE', true);
        else add(ref, 'ACCESS EXCLUSIVE');
      }
      break;
    }
    case 'RenameStmt': {
      const s = as(node, 'RenameStmt')!;
      if (s.relation) add(tableRef(s.relation), s.renameType === 'OBJECT_INDEX' ? 'SHARE UPDATE EXCLUSIVE' : 'ACCESS EXCLUSIVE', s.renameType === 'OBJECT_INDEX');
      break;
    }
    case 'AlterObjectSchemaStmt': {
      const s = as(node, 'AlterObjectSchemaStmt')!;
      if (s.relation) add(tableRef(s.relation), 'ACCESS EXCLUSIVE');
      break;
    }
    case 'TruncateStmt':
      for (const r of as(node, 'TruncateStmt')!.relations ?? []) add(tableRef(as(r, 'RangeVar')), 'ACCESS EXCLUSIVE');
      break;
    case 'VacuumStmt': {
      const s = as(node, 'VacuumStmt')!;
      const full = (s.options ?? []).some((o) => as(o, 'DefElem')?.defname === 'full');
      for (const r of s.rels ?? []) add(tableRef(as(r, 'VacuumRelation')?.relation), full ? 'ACCESS EXCLUSIVE' : 'SHARE UPDATE EXCLUSIVE');
      break;
    }
    case 'ClusterStmt':
      add(tableRef(as(node, 'ClusterStmt')!.relation), 'ACCESS EXCLUSIVE');
      break;
    case 'ReindexStmt': {
      const s = as(node, 'ReindexStmt')!;
      const concurrent = (s.params ?? []).some((p) => as(p, 'DefElem')?.defname === 'concurrently');
      if (s.kind === 'REINDEX_OBJECT_INDEX') add(tableRef(s.relation), concurrent ? 'SHARE UPDATE EXCLUSIVE' : 'ACCESS EXCLUSIVE', true);
      else if (s.kind === 'REINDEX_OBJECT_TABLE') add(tableRef(s.relation), concurrent ? 'SHARE UPDATE EXCLUSIVE' : 'SHARE');
      break;
    }
    case 'RefreshMatViewStmt': {
      const s = as(node, 'RefreshMatViewStmt')!;
      add(tableRef(s.relation), s.concurrent ? 'EXCLUSIVE' : 'ACCESS EXCLUSIVE');
      break;
    }
    case 'CreateTrigStmt':
      add(tableRef(as(node, 'CreateTrigStmt')!.relation), 'SHARE ROW EXCLUSIVE');
      break;
    case 'LockStmt': {
      const s = as(node, 'LockStmt')!;
      for (const r of s.relations ?? []) add(tableRef(as(r, 'RangeVar')), PG_LOCKMODE[s.mode ?? 8] ?? 'ACCESS EXCLUSIVE');
      break;
    }
    case 'CreateStmt': {
      const s = as(node, 'CreateStmt')!;
      for (const e of s.tableElts ?? []) {
        const con = as(e, 'Constraint');
        if (con?.contype === 'CONSTR_FOREIGN') add(tableRef(con.pktable), 'SHARE ROW EXCLUSIVE');
        for (const cc of as(e, 'ColumnDef')?.constraints ?? []) {
          const k = as(cc, 'Constraint');
          if (k?.contype === 'CONSTR_FOREIGN') add(tableRef(k.pktable), 'SHARE ROW EXCLUSIVE');
        }
      }
      if (s.partbound) for (const p of s.inhRelations ?? []) add(tableRef(as(p, 'RangeVar')), 'ACCESS EXCLUSIVE');
      break;
    }
    case 'UpdateStmt':
    case 'DeleteStmt':
    case 'InsertStmt':
    case 'MergeStmt': {
      const rv = (node as Record<string, { relation?: NodeOf<'RangeVar'> }>)[type]?.relation;
      add(tableRef(rv), 'ROW EXCLUSIVE');
      break;
    }
    case 'CommentStmt':
      break;
    default:
      break;
  }
  return [...out.values()];
}

/** Relations named by a DROP statement of the given object type. */
export function droppedNames(s: NodeOf<'DropStmt'>): TableRef[] {
  const out: TableRef[] = [];
  for (const o of s.objects ?? []) {
    const list = as(o, 'List');
    const ref = list ? refFromNames(strings(list.items)) : typeOf(o) === 'String' ? makeRef(undefined, as(o, 'String')!.sval ?? '') : undefined;
    if (ref) out.push(ref);
  }
  return out;
}
