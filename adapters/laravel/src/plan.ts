// `--pretend` output (+ the queries the helper saw with their bindings) → plan steps. Pure.
import type { Direction, Migration, PlanStep, Statement } from '@metamig/core';
import type { HelperPlan } from './helper.js';
import type { PretendOutput } from './parse.js';

const READ_NOTE =
  'a read: under --pretend Laravel returns no rows for it, so any statement the migration would derive from its result (e.g. one UPDATE per row) is missing from this preview';

const isRead = (sql: string) => /^\s*(?:select|with)\b/i.test(sql);

export function planSteps(migrations: Migration[], direction: Direction, pretend: PretendOutput, queries: HelperPlan['queries'] | undefined): PlanStep[] {
  // The helper saw the same queries, in the same order, with their bindings (Laravel < 10.30 prints "?").
  const flat = pretend.steps.flatMap((s) => s.statements);
  const bindings = queries && queries.length === flat.length ? queries.map((q) => q.bindings) : undefined;
  let k = 0;
  const bindingsOf = new Map<string, unknown[][]>();
  for (const s of pretend.steps) bindingsOf.set(s.id, s.statements.map(() => bindings?.[k++] ?? []));

  return migrations.map((m): PlanStep => {
    const found = pretend.steps.find((s) => s.id === m.id);
    const transactional = m.transactional ?? 'unknown';
    const base = { migration: m, direction, transactional };
    if (found?.failedToDump) {
      return { ...base, sqlSource: 'unavailable', statements: [], reason: `Laravel: ${found.failedToDump}` };
    }
    const values = bindingsOf.get(m.id) ?? [];
    const statements = (found?.statements ?? []).map((sql, i): Statement => {
      const notes: string[] = [];
      const v = values[i] ?? [];
      if (v.length && sql.includes('?')) notes.push(`values: ${JSON.stringify(v)}`);
      if (isRead(sql)) notes.push(READ_NOTE);
      return { sql, kind: 'sql', ...(notes.length ? { note: notes.join('; ') } : {}) };
    });
    const step: PlanStep = { ...base, sqlSource: 'native-preview', statements };
    if (direction === 'down' && m.reversible === false) step.reason = m.irreversibleReason ?? 'declared irreversible';
    else if (!statements.length) step.reason = `--pretend recorded no query for this migration's ${direction}()`;
    return step;
  });
}

/** What the preview did to the database, measured by the helper before and after. */
export function planSideEffects(doc: HelperPlan): { sideEffects: string[]; warnings: string[] } {
  const sideEffects: string[] = [];
  const warnings: string[] = [];
  if (!doc.tableBefore && doc.tableAfter) {
    sideEffects.push(
      `created the migrations table "${doc.table}": Laravel's --pretend runs migrate:install first when the table is missing, and ${doc.driver} commits DDL at once, so the transaction metamig wrapped around the preview could not undo it`,
    );
  } else if (!doc.tableBefore) {
    warnings.push(
      `Laravel's --pretend creates the migrations table when it is missing (migrate:install); metamig ran the preview inside a transaction that was rolled back, so "${doc.table}" still does not exist.`,
    );
  }
  if (doc.temporaryDatabase) warnings.push('The SQLite database file does not exist yet: the preview ran against an empty temporary database.');
  return { sideEffects, warnings };
}
