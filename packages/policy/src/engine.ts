// The rule engine: one walk per migration, visitors dispatched by parse-node type (no rule re-parses
// or re-walks the SQL), the shared LintState updated after each statement. Produces findings; waivers
// are applied afterwards by suppress.ts (rules never see them).
import type { FrameworkId } from '@metamig/core';
import { as, tableRef } from './ast.js';
import { interpolate } from './define.js';
import type { Comment } from './lexer.js';
import { LintState, type SchemaModel } from './state.js';
import type {
  Diagnostic,
  LintSettings,
  MigrationInfo,
  NodePath,
  Observation,
  ReportDescriptor,
  Rule,
  RuleContext,
  Severity,
  SeveritySetting,
  StatementInfo,
  TableRef,
} from './types.js';

export interface RuleSetting {
  severity: SeveritySetting;
  options: unknown;
}

/** One source text of a migration (a file, or one `Statement.sql` of a plan step). */
export interface SourceText {
  text: string;
  /** Repo-relative file, when the text came from a file. */
  file?: string;
  /** Line of the file where `text` starts (1-based). */
  firstLine?: number;
  comments: Comment[] | undefined;
}

export interface SyntaxFinding {
  message: string;
  source: number;
  offset: number;
  sql: string;
  line?: number;
  column?: number;
  file?: string;
}

/** A migration ready to lint: its statements (parsed), syntax errors and effective rules. */
export interface Unit {
  info: MigrationInfo;
  project?: string;
  framework?: FrameworkId;
  statements: StatementInfo[];
  syntaxErrors: SyntaxFinding[];
  sources: SourceText[];
  rules: Map<string, RuleSetting>;
  observations: Map<number, Observation[]>;
  /** Parses the sources as the engine walks them, filling `statements`, `syntaxErrors`, `sources`. */
  load(): Iterable<StatementInfo>;
}

/** A diagnostic plus what the suppression pass needs to place it. */
export interface Finding extends Diagnostic {
  unit: number;
  stmt?: StatementInfo;
  /** (source, offset) for ordering and comment association. */
  sortKey: [number, number];
}

export const docsPath = (id: string) => `docs/rules/${id}.md`;

const TRIM_AT = 400;
export function trimStatement(sql: string): string {
  const s = sql.trim().replace(/\s+\n/g, '\n');
  return s.length > TRIM_AT ? `${s.slice(0, TRIM_AT)} …` : s;
}

export function makeFinding(
  rule: Rule,
  severity: Severity,
  messageId: string,
  message: string,
  unit: Unit,
  unitIndex: number,
  stmt: StatementInfo | undefined,
): Finding {
  const m = rule.meta;
  const f: Finding = {
    rule: m.id,
    code: m.code,
    messageId,
    severity,
    message,
    statement: stmt ? trimStatement(stmt.sql) : '',
    help: { safeAlternative: m.docs.safeAlternative },
    docs: docsPath(m.id),
    unit: unitIndex,
    sortKey: stmt ? [stmt.source, stmt.start] : [-1, 0],
  };
  const fw = unit.framework;
  if (fw) {
    f.framework = fw;
    const advice = m.docs.frameworks[fw];
    if (advice) f.help.framework = advice;
  }
  if (unit.project) f.project = unit.project;
  if (unit.info.id) f.migration = unit.info.id;
  const file = stmt?.file ?? unit.info.file;
  if (file) f.file = file;
  if (stmt) {
    f.statementIndex = stmt.index;
    f.stmt = stmt;
    if (stmt.line !== undefined) {
      f.line = stmt.line;
      if (stmt.column !== undefined) f.column = stmt.column;
      if (stmt.endLine !== undefined) f.endLine = stmt.endLine;
      if (stmt.endColumn !== undefined) f.endColumn = stmt.endColumn;
    }
  }
  return f;
}

type Handler = (node: never, path: NodePath) => void;

/** The context one rule sees for one migration (a class: one object per rule per migration, cheap). */
class Ctx implements RuleContext<unknown> {
  readonly options: unknown;
  constructor(
    private readonly rule: Rule,
    private readonly severity: Severity,
    private readonly unit: Unit,
    private readonly unitIndex: number,
    readonly settings: LintSettings,
    readonly state: LintState,
    private readonly cursor: { statement: StatementInfo | undefined },
    private readonly findings: Finding[],
  ) {
    this.options = unit.rules.get(rule.meta.id)!.options;
  }

  get migration(): MigrationInfo {
    return this.unit.info;
  }

  get statement(): StatementInfo | undefined {
    return this.cursor.statement;
  }

  report(d: ReportDescriptor): void {
    const template = this.rule.meta.messages[d.messageId];
    if (template === undefined) throw new Error(`Rule ${this.rule.meta.id} reported unknown messageId "${d.messageId}".`);
    const stmt = d.statement === null ? undefined : (d.statement ?? this.cursor.statement);
    this.findings.push(makeFinding(this.rule, this.severity, d.messageId, interpolate(template, d.data, this.rule.meta.id), this.unit, this.unitIndex, stmt));
  }

  observations(s?: StatementInfo): Observation[] {
    const st = s ?? this.cursor.statement;
    return st ? (this.unit.observations.get(st.index) ?? []) : [];
  }
}

interface Active {
  rule: Rule;
  severity: Severity;
}

/** Lint every unit in order; the schema model carries knowledge from one unit to the next. */
export function runUnits(units: readonly Unit[], rulesById: ReadonlyMap<string, Rule>, settings: LintSettings, schema: SchemaModel): Finding[] {
  const findings: Finding[] = [];
  let lastRules: Map<string, RuleSetting> | undefined;
  let lastActive: Active[] = [];
  units.forEach((unit, unitIndex) => {
    const state = new LintState(schema, unit.info);
    const cursor: { statement: StatementInfo | undefined } = { statement: undefined };
    const unitSettings: LintSettings = { ...settings, ...(unit.framework ? { framework: unit.framework } : {}), ...(unit.project ? { project: unit.project } : {}) };
    const handlers = new Map<string, Handler[]>();
    const onStatement: ((s: StatementInfo) => void)[] = [];
    const onMigration: ((m: MigrationInfo) => void)[] = [];
    const onMigrationExit: ((m: MigrationInfo) => void)[] = [];
    let active = lastActive;
    if (unit.rules !== lastRules) {
      active = [];
      for (const [id, setting] of unit.rules) {
        if (setting.severity === 'off') continue;
        const rule = rulesById.get(id);
        if (rule) active.push({ rule, severity: setting.severity });
      }
      lastRules = unit.rules;
      lastActive = active;
    }
    for (const { rule, severity } of active) {
      const ctx = new Ctx(rule, severity, unit, unitIndex, unitSettings, state, cursor, findings);
      const visitors = rule.create(ctx) as Record<string, unknown>;
      for (const k in visitors) {
        const fn = visitors[k];
        if (typeof fn !== 'function') continue;
        if (k === 'statement') onStatement.push(fn as (s: StatementInfo) => void);
        else if (k === 'migration') onMigration.push(fn as (m: MigrationInfo) => void);
        else if (k === 'migration:exit') onMigrationExit.push(fn as (m: MigrationInfo) => void);
        else {
          let list = handlers.get(k);
          if (!list) handlers.set(k, (list = []));
          list.push(fn as Handler);
        }
      }
    }
    for (const fn of onMigration) fn(unit.info);
    const hColumnDef = handlers.get('ColumnDef');
    const hConstraint = handlers.get('Constraint');
    const hCmd = handlers.get('AlterTableCmd');
    for (const stmt of unit.load()) {
      cursor.statement = stmt;
      for (const fn of onStatement) fn(stmt);
      const top = handlers.get(stmt.type);
      const payload = (stmt.node as Record<string, unknown>)[stmt.type];
      let path: NodePath | undefined;
      if (top) {
        path = basePath(stmt, payload);
        for (const fn of top) (fn as (n: unknown, p: NodePath) => void)(payload, path);
      }
      if (stmt.type === 'AlterTableStmt' && (hCmd || hColumnDef || hConstraint)) {
        path ??= basePath(stmt, payload);
        const alter = payload as NonNullable<NodePath['alterTable']>;
        for (const c of alter.cmds ?? []) {
          const cmd = as(c, 'AlterTableCmd');
          if (!cmd) continue;
          const p: NodePath = { ...path, cmd };
          if (hCmd) for (const fn of hCmd) (fn as (n: unknown, p: NodePath) => void)(cmd, p);
          visitDefinition(cmd.def, p, hColumnDef, hConstraint);
        }
      } else if (stmt.type === 'CreateStmt' && (hColumnDef || hConstraint)) {
        path ??= basePath(stmt, payload);
        for (const e of (payload as NonNullable<NodePath['createTable']>).tableElts ?? []) visitDefinition(e, path, hColumnDef, hConstraint);
      }
      state.after(stmt);
      // The parse tree is not needed any more (findings keep the text and position): let it go.
      (stmt as { node: unknown }).node = null;
    }
    cursor.statement = undefined;
    for (const fn of onMigrationExit) fn(unit.info);
  });
  return findings;
}

function basePath(stmt: StatementInfo, payload: unknown): NodePath {
  const path: NodePath = { statement: stmt };
  let table: TableRef | undefined;
  if (stmt.type === 'AlterTableStmt') {
    path.alterTable = payload as NonNullable<NodePath['alterTable']>;
    table = tableRef(path.alterTable.relation);
  } else if (stmt.type === 'CreateStmt') {
    path.createTable = payload as NonNullable<NodePath['createTable']>;
    table = tableRef(path.createTable.relation);
  } else if (stmt.type === 'IndexStmt') {
    table = tableRef((payload as { relation?: Parameters<typeof tableRef>[0] }).relation);
  }
  if (table) path.table = table;
  return path;
}

function visitDefinition(def: unknown, path: NodePath, hColumnDef: Handler[] | undefined, hConstraint: Handler[] | undefined): void {
  const col = as(def, 'ColumnDef');
  if (col) {
    if (hColumnDef) for (const fn of hColumnDef) (fn as (n: unknown, p: NodePath) => void)(col, path);
    if (hConstraint && col.constraints?.length) {
      const p: NodePath = { ...path, column: col };
      for (const c of col.constraints) {
        const con = as(c, 'Constraint');
        if (con) for (const fn of hConstraint) (fn as (n: unknown, p: NodePath) => void)(con, p);
      }
    }
    return;
  }
  const con = as(def, 'Constraint');
  if (con && hConstraint) for (const fn of hConstraint) (fn as (n: unknown, p: NodePath) => void)(con, path);
}

