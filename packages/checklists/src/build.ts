// Pure: what is pending, what verify proved and observed, the native commands and the policy findings
// → the checklist a deployer follows. No I/O here; the CLI gathers the inputs.
import type {
  ChecklistFinding,
  ChecklistMigration,
  DatabaseTarget,
  FrameworkId,
  Migration,
  MigrationVerification,
  NativeCommands,
  ProjectChecklist,
  ProjectVerification,
} from '@metamig/core';

export interface ChecklistInput {
  project: { id: string; framework: FrameworkId; database: DatabaseTarget };
  /** The migrations this deploy applies, in order. */
  pending: Migration[];
  commands: Record<string, NativeCommands>;
  verification?: ProjectVerification;
  findings?: Record<string, ChecklistFinding[]>;
}

/**
 * expand/contract from what `up` measurably did to the schema (verify), never from names:
 * adding objects or relaxing NOT NULL expands; dropping objects, or tightening (NOT NULL, a validated
 * constraint) contracts; a type or default change needs a person's judgement (mixed).
 */
export function classify(v: MigrationVerification | undefined): ChecklistMigration['kind'] {
  if (!v || v.result === 'up-error') return 'unknown';
  const newTables = new Set(v.changes.filter((d) => d.kind === 'extra' && d.object === 'table').map((d) => d.name));
  let expands = false;
  let contracts = false;
  let other = false;
  for (const d of v.changes) {
    if (d.kind === 'missing') contracts = true;
    else if (d.kind === 'extra') {
      const table = (d.actual as { table?: string } | undefined)?.table ?? d.name.split('.')[0] ?? '';
      const column = d.object === 'column' ? (d.actual as { nullable?: boolean; default?: unknown; identity?: unknown; generated?: unknown }) : undefined;
      if (newTables.has(table) && d.object !== 'table') continue; // part of a brand-new table
      // A required column without default breaks the running code's inserts; a new constraint rejects its writes.
      if (column && column.nullable === false && column.default === null && !column.identity && !column.generated) contracts = true;
      else if (d.object === 'constraint') contracts = true;
      else expands = true;
    } else if (d.attribute === 'nullable') {
      if (d.actual === false) contracts = true;
      else expands = true;
    } else if (d.attribute === 'validated' && d.actual === true) contracts = true;
    else other = true;
  }
  if ((contracts && expands) || other) return 'mixed';
  if (contracts) return 'contract';
  if (expands) return 'expand';
  return 'data';
}

export function backupCommands(db: DatabaseTarget, projectId: string): { command: string; restore: string } {
  const file = `${projectId.replace(/[^a-z0-9]+/gi, '-').replace(/^-|-$/g, '')}-before-deploy`;
  if (db.engine === 'sqlite') {
    // "sqlite /abs/file.db", or a tool's own "sqlite:////abs/file.db (…)" description.
    const hit = /sqlite:\/*(\/[^\s()'"]+)/.exec(`${db.url ?? ''} ${db.description}`) ?? /^sqlite (\S+)/.exec(db.description);
    const path = hit?.[1] ?? 'database.sqlite3';
    return { command: `sqlite3 ${path} ".backup '${file}.sqlite3'"`, restore: `cp ${file}.sqlite3 ${path}` };
  }
  if (db.engine === 'postgres') {
    const m = /^postgres (\S+?)@([^:]+):(\d+)\/(\S+)/.exec(db.description);
    const conn = m ? `-h ${m[2]} -p ${m[3]} -U ${m[1]} -d ${m[4]}` : '"$DATABASE_URL"';
    return { command: `pg_dump ${conn} --format=custom --file=${file}.dump`, restore: `pg_restore ${conn} --clean --if-exists ${file}.dump` };
  }
  return { command: `(back up the database with its own tool: ${db.description})`, restore: '(restore it with the same tool)' };
}

const byId = (v: ProjectVerification | undefined) => new Map((v?.migrations ?? []).map((m) => [m.id, m]));

export function buildChecklist(input: ChecklistInput): ProjectChecklist {
  const verified = byId(input.verification);
  const warnings: string[] = [];
  if (!input.verification) warnings.push('Rollbacks were not verified (run without --no-verify to prove them in a throwaway database).');
  const migrations: ChecklistMigration[] = input.pending.map((m) => {
    const v = verified.get(m.id);
    const cmd = input.commands[m.id] ?? { apply: '(unknown)', rollback: null, rollbackMode: 'none' as const };
    const rollback: ChecklistMigration['rollback'] = { command: cmd.rollback, mode: cmd.rollbackMode, verified: v?.result ?? 'not-verified' };
    if (cmd.note) rollback.note = cmd.note;
    return {
      id: m.id,
      name: m.name,
      kind: classify(v),
      apply: cmd.apply,
      rollback,
      rollbackLoses: v?.added ?? [],
      upLoses: v?.removed ?? [],
      locks: (v?.observations?.locks ?? []).filter((l) => l.kind === 'table' && l.mode !== 'ACCESS SHARE'),
      rewrites: v?.observations?.rewrites ?? [],
      findings: input.findings?.[m.id] ?? [],
    };
  });
  const backup = backupCommands(input.project.database, input.project.id);
  return {
    project: input.project.id,
    framework: input.project.framework,
    database: input.project.database.description,
    backup,
    deploy: deploySteps(input.project.id, migrations, backup.command),
    rollback: rollbackSteps(migrations, backup.restore),
    migrations,
    warnings,
  };
}

/** Schema before code for expand steps; code before schema for contract steps. */
export function deploySteps(project: string, ms: ChecklistMigration[], backup: string): string[] {
  if (!ms.length) return ['Nothing to deploy: no pending migrations.'];
  const steps = [`Back up the database: \`${backup}\``];
  const firstContract = ms.findIndex((m) => m.kind === 'contract' || m.kind === 'mixed');
  const early = firstContract < 0 ? ms : ms.slice(0, firstContract);
  const late = firstContract < 0 ? [] : ms.slice(firstContract);
  if (early.length) {
    const last = early[early.length - 1]!;
    steps.push(
      `Apply ${early.map((m) => m.id).join(', ')} BEFORE deploying the new code (they ${early.some((m) => m.kind === 'expand') ? 'add what it needs; the running code ignores it' : 'change data only'}): \`metamig up ${project}${late.length ? ` --to ${last.id}` : ''}\``,
    );
  }
  steps.push('Deploy the new code, and wait until no instance runs the old code.');
  if (late.length) {
    steps.push(`Then apply ${late.map((m) => m.id).join(', ')} (they drop, rename or tighten what the old code used): \`metamig up ${project}\``);
    const expandAfter = late.filter((m) => m.kind === 'expand');
    if (expandAfter.length) {
      const one = expandAfter.length === 1;
      steps.push(`Note: ${expandAfter.map((m) => m.id).join(', ')} ${one ? 'expands' : 'expand'} the schema but ${one ? 'comes' : 'come'} after a contract step in the migration order; consider moving ${one ? 'it' : 'them'} to the next release.`);
    }
  }
  for (const m of ms) {
    for (const l of m.locks.filter((x) => x.mode === 'ACCESS EXCLUSIVE' || x.mode === 'SHARE' || x.mode === 'EXCLUSIVE' || x.mode === 'SHARE ROW EXCLUSIVE')) {
      steps.push(`Expect ${l.mode} on ${l.relation} during ${m.id} (${l.heldMs} ms in the sandbox with seeded rows; longer on real data): schedule it off-peak or make it non-blocking.`);
    }
    for (const r of m.rewrites) steps.push(`${m.id} rewrites table ${r}: time and disk grow with its size.`);
  }
  return steps;
}

/** The reverse order, each with its command, and the backup as the last resort. */
export function rollbackSteps(ms: ChecklistMigration[], restore: string): string[] {
  const steps: string[] = [];
  for (const m of [...ms].reverse()) {
    if (m.rollback.command === null) {
      steps.push(`${m.id} cannot be rolled back${m.rollback.note ? ` (${m.rollback.note})` : ''}: restore from the backup: \`${restore}\``);
      break; // nothing before it can be rolled back without first undoing it
    }
    const proof = m.rollback.verified === 'verified' ? 'verified' : m.rollback.verified === 'not-verified' ? 'NOT verified' : `verify said: ${m.rollback.verified}`;
    const loses = m.rollbackLoses.length ? `; loses the data in ${m.rollbackLoses.join(', ')}` : '';
    steps.push(`Roll back ${m.id}${m.rollback.mode === 'emulated' ? ' (emulated)' : ''}: \`${m.rollback.command}\` — ${proof}${loses}`);
  }
  if (ms.some((m) => m.upLoses.length)) steps.push(`Data dropped by the deploy (${ms.flatMap((m) => m.upLoses).join(', ')}) only comes back from the backup: \`${restore}\``);
  return steps;
}
