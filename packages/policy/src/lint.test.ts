import type { Plan, PlanStep } from '@metamig/core';
import { describe, expect, it } from 'vitest';
import { defaultPolicy, resolvePolicy } from './config.js';
import { lintPlan, lintSqlFile, lintSqlFiles } from './lint.js';
import { summarize } from './summary.js';

const repo = '/repo';
const source = { command: [], native: 'alembic upgrade head --sql', durationMs: 1, via: 'tool' as const };

function step(id: string, statements: PlanStep['statements'], extra: Partial<PlanStep> = {}, migration: Partial<PlanStep['migration']> = {}): PlanStep {
  return {
    migration: { id, name: id, parents: [], state: 'pending', reversible: true, file: `migrations/${id}.py`, ...migration },
    direction: 'up',
    sqlSource: 'native-preview',
    statements,
    transactional: true,
    ...extra,
  };
}

function plan(steps: PlanStep[], framework: Plan['framework'] = 'alembic'): Plan {
  return { project: 'services/billing:alembic', framework, direction: 'up', target: { kind: 'latest' }, steps, sideEffects: [], source, warnings: [] };
}

describe('lintPlan', () => {
  it('lints each step as its own migration, with the framework, project and migration id', async () => {
    const p = plan([step('a1', [{ sql: 'CREATE INDEX ix ON users (email)', kind: 'sql' }]), step('b2', [{ sql: 'ALTER TABLE users ADD COLUMN n int', kind: 'sql' }])]);
    const d = await lintPlan(p, defaultPolicy(repo), { projectRoot: `${repo}/services/billing` });
    const idx = d.find((x) => x.rule === 'create-index-non-concurrent')!;
    expect(idx).toMatchObject({ project: 'services/billing:alembic', migration: 'a1', framework: 'alembic', file: 'services/billing/migrations/a1.py', statementIndex: 0, statement: 'CREATE INDEX ix ON users (email)' });
    expect(idx.line).toBeUndefined();
    expect(idx.help.framework).toContain('postgresql_concurrently=True');
    expect(idx.docs).toBe('docs/rules/create-index-non-concurrent.md');
  });

  it('maps lines of SQL that came from a file to that file', async () => {
    const p = plan(
      [step('0002', [{ sql: 'SET lock_timeout = \'2s\';\n\nALTER TABLE orders\n  ADD COLUMN token uuid DEFAULT gen_random_uuid();', kind: 'sql', file: 'prisma/migrations/0002/migration.sql', line: 3 }], { sqlSource: 'migration-file' })],
      'prisma',
    );
    const d = await lintPlan(p, defaultPolicy(repo), { projectRoot: `${repo}/app` });
    const f = d.find((x) => x.rule === 'add-column-volatile-default')!;
    expect(f).toMatchObject({ file: 'app/prisma/migrations/0002/migration.sql', line: 5, column: 1, endLine: 6 });
    expect(f.help.framework).toContain('dbgenerated');
  });

  it('uses the step’s transaction mode (concurrently in a transactional step fails)', async () => {
    const sql = [{ sql: 'CREATE INDEX CONCURRENTLY ix ON users (email)', kind: 'sql' as const }];
    const inTx = await lintPlan(plan([step('a', sql)]), defaultPolicy(repo));
    expect(inTx.map((d) => d.rule)).toContain('concurrently-in-transaction');
    const outside = await lintPlan(plan([step('a', sql, { transactional: false })]), defaultPolicy(repo));
    expect(outside.map((d) => d.rule)).not.toContain('concurrently-in-transaction');
  });

  it('carries schema knowledge from one step to the next (tables created earlier in the plan)', async () => {
    const p = plan([
      step('1', [{ sql: 'CREATE TABLE users (id bigint, name varchar(50))', kind: 'sql' }]),
      step('2', [{ sql: 'ALTER TABLE users ALTER COLUMN name TYPE varchar(100)', kind: 'sql' }]),
      step('3', [{ sql: 'CREATE INDEX ON users (name)', kind: 'sql' }]),
    ]);
    const d = await lintPlan(p, defaultPolicy(repo));
    expect(d.filter((x) => x.rule === 'change-column-type-rewrite')).toEqual([]);
    // a table created by an earlier migration is not new any more: its lock matters
    expect(d.filter((x) => x.rule === 'create-index-non-concurrent').map((x) => x.migration)).toEqual(['3']);
  });

  it('reports irreversible migrations and SQL it could not see', async () => {
    const p = plan([
      step('x', [{ sql: 'ALTER TABLE t ADD COLUMN a int', kind: 'sql' }, { sql: '', kind: 'opaque', note: 'RunPython(forwards)' }], {}, { reversible: false, irreversibleReason: 'no reverse_code' }),
      step('y', [], { sqlSource: 'unavailable', reason: 'knex cannot preview this migration' }),
    ], 'django');
    const d = await lintPlan(p, defaultPolicy(repo));
    expect(d.filter((x) => x.rule === 'irreversible-migration')[0]!.message).toContain('no reverse_code');
    expect(d.filter((x) => x.rule === 'uninspected-sql').map((x) => [x.migration, x.messageId])).toEqual([
      ['x', 'opaque'],
      ['y', 'unavailable'],
    ]);
  });

  it('uses sandbox observations of the right migration and statement', async () => {
    const p = plan([step('m1', [{ sql: 'SELECT 1', kind: 'sql' }, { sql: 'ALTER TABLE users ADD COLUMN bio text', kind: 'sql' }])]);
    const d = await lintPlan(p, defaultPolicy(repo), {
      observations: [
        { migration: 'm1', statement: 1, locks: [{ relation: 'users', mode: 'ACCESS EXCLUSIVE', heldMs: 2100 }] },
        { migration: 'other', statement: 1, rewritten: ['users'] },
      ],
    });
    const obs = d.filter((x) => x.rule.startsWith('observed-'));
    expect(obs.map((x) => [x.rule, x.statementIndex])).toEqual([['observed-long-lock', 1]]);
    expect(obs[0]!.message).toContain('ACCESS EXCLUSIVE on users for 2.1 s');
  });
});

describe('waivers', () => {
  it('inline: the next statement, or the statement on the same line; the finding stays, marked waived', async () => {
    const sql = [
      '-- metamig:allow create-index-non-concurrent reason: users has 40 rows',
      'CREATE INDEX a ON users (a);',
      'CREATE INDEX b ON users (b); -- metamig:allow PG101 reason: same table',
      'CREATE INDEX c ON users (c);',
    ].join('\n');
    const d = (await lintSqlFile('db/001.sql', sql, defaultPolicy(repo))).filter((x) => x.rule === 'create-index-non-concurrent');
    expect(d.map((x) => [x.line, x.waived?.reason, x.waived?.source])).toEqual([
      [2, 'users has 40 rows', 'inline comment at db/001.sql:1'],
      [3, 'same table', 'inline comment at db/001.sql:3'],
      [4, undefined, undefined],
    ]);
    expect(summarize(d)).toMatchObject({ errors: 1, waived: 2, failed: true });
  });

  it('file-level waivers cover every statement of the file', async () => {
    const sql = '/* metamig:allow-file drop-table, DS101 reason: cleanup release, backups taken */\nDROP TABLE a;\nALTER TABLE b DROP COLUMN c;';
    const d = await lintSqlFile('db/002.sql', sql, defaultPolicy(repo));
    expect(d.filter((x) => x.rule === 'drop-table' || x.rule === 'drop-column').every((x) => x.waived?.source === 'file-level comment at db/002.sql:1')).toBe(true);
  });

  it('config waivers: by migration id or file glob, per project, with expiry', async () => {
    const policy = await resolvePolicy(
      {
        waivers: [
          { migration: 'db/*.sql', rule: 'drop-table', reason: 'legacy tables, archived', project: 'api' },
          { migration: 'db/003.sql', rule: 'DS101', reason: 'column unused since v3', expires: '2026-01-31' },
          { migration: 'db/004.sql', rule: 'truncate-table', reason: 'never used' },
        ],
      },
      { configDir: repo, repoRoot: repo, configFile: 'metamig.config.yaml' },
    );
    const files = [
      { path: 'db/003.sql', text: 'DROP TABLE a;\nALTER TABLE b DROP COLUMN c;' },
      { path: 'db/004.sql', text: 'SELECT 1;' },
    ];
    const d = await lintSqlFiles(files, policy, { project: 'api', now: new Date('2026-03-01T00:00:00Z') });
    const byRule = (r: string) => d.filter((x) => x.rule === r);
    expect(byRule('drop-table')[0]!.waived).toEqual({ reason: 'legacy tables, archived', source: 'config metamig.config.yaml: policy.waivers[0]' });
    expect(byRule('drop-column')[0]!.waived).toBeUndefined();
    expect(byRule('expired-waiver').map((x) => x.migration)).toEqual(['db/003.sql']);
    expect(byRule('unused-waiver').map((x) => [x.migration, x.message.includes('policy.waivers[2]')])).toEqual([['db/004.sql', true]]);
    expect(byRule('expired-waiver')[0]!.message).toContain('the finding it covered is reported again');
    const other = await lintSqlFiles(files.slice(0, 1), policy, { project: 'web', now: new Date('2026-03-01T00:00:00Z') });
    expect(other.find((x) => x.rule === 'drop-table')!.waived).toBeUndefined();
  });

  it('a waiver without a reason is an error and waives nothing', async () => {
    const d = (await lintSqlFile('db/005.sql', '-- metamig:allow drop-table\nDROP TABLE a;', defaultPolicy(repo))).filter((x) => x.rule !== 'missing-lock-timeout');
    expect(d.map((x) => [x.rule, x.severity, !!x.waived])).toEqual([
      ['invalid-waiver', 'error', false],
      ['drop-table', 'error', false],
    ]);
  });
});

describe('lintSqlFiles', () => {
  it('keeps going after a syntax error and reports it with the parser position', async () => {
    const d = await lintSqlFile('db/006.sql', 'ALTER TABLE t ADD COLUMN a int NOT NULL;\nALTER TABLE t ADD COLUMN;\nDROP TABLE t;', defaultPolicy(repo));
    expect(d.map((x) => [x.rule, x.line])).toEqual([
      ['missing-lock-timeout', 1],
      ['add-column-not-null-no-default', 1],
      ['syntax-error', 2],
      ['drop-table', 3],
    ]);
    expect(d[2]!.message).toContain('syntax error at or near ";" (line 2, column 25)');
  });

  it('honours assumeInTransaction for plain SQL', async () => {
    const policy = { ...defaultPolicy(repo), assumeInTransaction: true };
    const d = await lintSqlFile('db/007.sql', 'CREATE INDEX CONCURRENTLY i ON t (a);', policy);
    expect(d.map((x) => x.rule)).toContain('concurrently-in-transaction');
  });
});
