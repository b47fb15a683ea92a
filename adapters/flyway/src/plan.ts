// metamig plan for Flyway: the SQL files themselves (Flyway Community has no dry run; dryRunOutput
// is a paid feature). Up: the pending V/R files; down: the U files the emulated undo would run.
// Placeholders are expanded as Flyway expands them; the database-derived built-ins
// (${flyway:user}, ${flyway:database}, ${flyway:defaultSchema} when not configured) stay as written.
import { performance } from 'node:perf_hooks';
import type { Migration, Plan, PlanRequest, PlanStep } from '@metamig/core';
import { type FlywayProject, migrationFile, sqlOfFile } from './context.js';
import { type MigrationFile, undoFilesFor } from './files.js';
import { mixedStatementProblem, scriptTransactional } from './sql.js';

function fileFor(fp: FlywayProject, m: Migration, direction: 'up' | 'down'): MigrationFile | MigrationFile[] | undefined {
  if (direction === 'down') return m.id.startsWith('R__') ? undefined : undoFilesFor(fp.scan.files, m.id);
  return migrationFile(fp, m.id);
}

export function planSteps(fp: FlywayProject, req: PlanRequest): { steps: PlanStep[]; warnings: string[] } {
  const warnings: string[] = [];
  const dialect = fp.engine === 'unknown' ? 'postgres' : fp.engine;
  if (fp.engine === 'unknown') warnings.push('The database engine is unknown: statements were split with PostgreSQL rules.');
  const steps = req.steps.map((m): PlanStep => {
    const found = fileFor(fp, m, req.direction);
    const files = Array.isArray(found) ? found : found ? [found] : [];
    const unavailable = (reason: string): PlanStep => ({ migration: m, direction: req.direction, sqlSource: 'unavailable', statements: [], reason, transactional: m.transactional ?? 'unknown' });
    if (files.length !== 1) {
      if (req.direction === 'down') return unavailable(files.length ? `several undo files: ${files.map((f) => f.rel).join(', ')}` : m.id.startsWith('R__') ? 'repeatable migrations have no undo' : `no U${m.id}__*.sql undo file`);
      return unavailable(`no file for ${m.id} in the locations`);
    }
    const file = files[0]!;
    const sql = sqlOfFile(fp, file, dialect, undefined, true);
    const transactional = scriptTransactional(sql.statements, file.conf?.executeInTransaction, fp.settings.executeInTransaction);
    const notes: string[] = [];
    if (sql.deferred.length) notes.push(`${sql.deferred.join(', ')}: replaced by Flyway with values from the connection when it runs`);
    const mixed = mixedStatementProblem(sql.statements, fp.settings.mixed, file.conf?.executeInTransaction);
    const step: PlanStep = {
      migration: m,
      direction: req.direction,
      sqlSource: 'migration-file',
      statements: sql.statements.map((s) => ({
        sql: s.copyData !== undefined ? `${s.sql};\n${s.copyData}\\.` : s.sql,
        kind: 'sql' as const,
        file: file.rel,
        line: s.line,
        ...(s.transactional ? {} : { note: 'Flyway cannot run this statement in a transaction' }),
      })),
      transactional,
    };
    const reasons = [sql.error ? `Flyway will refuse this file: ${sql.error}` : '', mixed ? `Flyway will refuse this file: ${mixed}` : '', ...notes].filter(Boolean);
    if (reasons.length) step.reason = reasons.join('; ');
    if (sql.error || mixed) warnings.push(`${m.id}: ${sql.error ?? mixed}`);
    return step;
  });
  return { steps, warnings };
}

export function buildPlan(fp: FlywayProject, req: PlanRequest, started: number): Plan {
  const { steps, warnings } = planSteps(fp, req);
  if (req.direction === 'up') {
    const pendingR = req.state.migrations.filter((m) => m.id.startsWith('R__') && m.state === 'pending' && !req.steps.includes(m));
    if (req.target.kind !== 'latest' && pendingR.length) warnings.push(`Flyway's -target also runs the pending repeatable migrations (${pendingR.map((m) => m.id).join(', ')}): they are not in this plan.`);
  } else {
    warnings.push('Flyway Community has no undo: `metamig down` runs these U files itself and marks each version deleted in the schema history (emulated).');
  }
  return {
    project: fp.project.id,
    framework: 'flyway',
    direction: req.direction,
    target: req.target,
    steps,
    sideEffects: [],
    source: {
      command: [],
      native: '(none: Flyway Community has no dry run (dryRunOutput is a paid feature); metamig read the migration files)',
      durationMs: Math.round(performance.now() - started),
      via: 'tool',
    },
    warnings: [...fp.warnings, ...warnings],
  };
}
