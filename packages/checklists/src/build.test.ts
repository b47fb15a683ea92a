import { describe, expect, it } from 'vitest';
import type { Migration, MigrationVerification, SchemaDifference } from '@metamig/core';
import { backupCommands, buildChecklist, classify } from './build.js';
import { renderChecklistMarkdown } from './markdown.js';

const diff = (kind: SchemaDifference['kind'], object: SchemaDifference['object'], name: string, extra: Partial<SchemaDifference> = {}): SchemaDifference => ({ kind, object, name, message: `${object} ${name}`, ...extra });
const ver = (id: string, changes: SchemaDifference[], extra: Partial<MigrationVerification> = {}): MigrationVerification => ({
  id, name: id, result: 'verified', differences: [], upAgainDifferences: [], added: [], removed: [], changes, timings: {}, seeded: [], notes: [], ...extra,
});
const mig = (id: string, extra: Partial<Migration> = {}): Migration => ({ id, name: id, parents: [], state: 'pending', reversible: true, ...extra });

describe('classify', () => {
  it.each([
    ['a new table (with its own constraints and indexes)', [diff('extra', 'table', 'orders', { actual: { columns: {} } }), diff('extra', 'index', 'ix', { actual: { table: 'orders' } }), diff('extra', 'constraint', 'orders.pk', { actual: { table: 'orders' } })], 'expand'],
    ['a nullable column', [diff('extra', 'column', 'users.nick', { actual: { nullable: true, default: null } })], 'expand'],
    ['a required column without default', [diff('extra', 'column', 'users.nick', { actual: { nullable: false, default: null } })], 'contract'],
    ['an index on an existing table', [diff('extra', 'index', 'ix_users_email', { actual: { table: 'users' } })], 'expand'],
    ['a new constraint on an existing table', [diff('extra', 'constraint', 'users.chk', { actual: { table: 'users' } })], 'contract'],
    ['SET NOT NULL', [diff('changed', 'column', 'users.email', { attribute: 'nullable', expected: true, actual: false })], 'contract'],
    ['DROP COLUMN', [diff('missing', 'column', 'users.name')], 'contract'],
    ['a type change', [diff('changed', 'column', 'users.age', { attribute: 'type', expected: 'integer', actual: 'bigint' })], 'mixed'],
    ['a rename (drop + add)', [diff('missing', 'column', 'users.name'), diff('extra', 'column', 'users.full_name', { actual: { nullable: true, default: null } })], 'mixed'],
    ['no schema change (backfill)', [], 'data'],
  ] as const)('%s → %s', (_label, changes, kind) => {
    expect(classify(ver('m', [...changes]))).toBe(kind);
  });
  it('is unknown without a verification', () => expect(classify(undefined)).toBe('unknown'));
});

describe('backupCommands', () => {
  it('never prints a password and names the database', () => {
    expect(backupCommands({ engine: 'postgres', source: 'config', description: 'postgres app@db.internal:5432/billing' }, 'services/billing:alembic')).toEqual({
      command: 'pg_dump -h db.internal -p 5432 -U app -d billing --format=custom --file=services-billing-alembic-before-deploy.dump',
      restore: 'pg_restore -h db.internal -p 5432 -U app -d billing --clean --if-exists services-billing-alembic-before-deploy.dump',
    });
    expect(backupCommands({ engine: 'sqlite', source: 'cli', description: 'sqlite /srv/app.db' }, 'web:knex').command).toBe(`sqlite3 /srv/app.db ".backup 'web-knex-before-deploy.sqlite3'"`);
    expect(backupCommands({ engine: 'sqlite', source: 'tool-config', description: 'sqlite:////srv/app.db (sqlalchemy.url in alembic.ini)' }, 'api').command).toBe(`sqlite3 /srv/app.db ".backup 'api-before-deploy.sqlite3'"`);
  });
});

describe('buildChecklist', () => {
  const input = {
    project: { id: 'api', framework: 'alembic' as const, database: { engine: 'postgres' as const, source: 'cli' as const, description: 'postgres u@h:5432/d' } },
    pending: [mig('0002'), mig('0003'), mig('0004', { reversible: false })],
    commands: {
      '0002': { apply: 'alembic upgrade 0002', rollback: 'alembic downgrade 0001', rollbackMode: 'native' as const },
      '0003': { apply: 'alembic upgrade 0003', rollback: 'alembic downgrade 0002', rollbackMode: 'native' as const },
      '0004': { apply: 'alembic upgrade 0004', rollback: null, rollbackMode: 'none' as const, note: 'downgrade() raises' },
    },
    verification: {
      project: 'api', framework: 'alembic' as const, engine: 'postgres' as const, ok: true, scope: 'pending' as const, warnings: [],
      migrations: [
        ver('0002', [diff('extra', 'column', 'users.full_name', { actual: { nullable: true, default: null } })], { added: ['column users.full_name'] }),
        ver('0003', [diff('changed', 'column', 'users.full_name', { attribute: 'nullable', expected: true, actual: false })], {
          observations: { locks: [{ relation: 'users', kind: 'table', mode: 'ACCESS EXCLUSIVE', statement: 'ALTER TABLE users ALTER COLUMN full_name SET NOT NULL', heldMs: 63 }], rewrites: [], samples: 10, pauseMsPerDdl: 50 },
        }),
        ver('0004', [diff('missing', 'column', 'users.name')], { result: 'irreversible', removed: ['column users.name'] }),
      ],
    },
    findings: { '0004': [{ rule: 'drop-column', severity: 'error', message: 'drops a column', waived: { reason: 'unused since v41', source: 'metamig.config.yaml' } }] },
  };
  const c = buildChecklist(input);

  it('orders the deploy: expand before the code, contract after it', () => {
    expect(c.migrations.map((m) => m.kind)).toEqual(['expand', 'contract', 'contract']);
    expect(c.deploy[1]).toContain('Apply 0002 BEFORE deploying the new code');
    expect(c.deploy[1]).toContain('metamig up api --to 0002');
    expect(c.deploy[2]).toMatch(/Deploy the new code/);
    expect(c.deploy[3]).toContain('Then apply 0003, 0004');
    expect(c.deploy.join('\n')).toContain('Expect ACCESS EXCLUSIVE on users during 0003 (63 ms');
  });

  it('rolls back in reverse order and stops at what cannot be undone, pointing at the backup', () => {
    expect(c.rollback[0]).toMatch(/^0004 cannot be rolled back \(downgrade\(\) raises\): restore from the backup: `pg_restore/);
    expect(c.rollback[1]).toContain('Data dropped by the deploy (column users.name)');
  });

  it('renders Markdown for a pull request', () => {
    const md = renderChecklistMarkdown([c]);
    expect(md).toContain('| 1 | `0002`  | expand (schema before code) | `alembic upgrade 0002` | `alembic downgrade 0001` | ✅ verified | column users.full_name |');
    expect(md).toContain('| 3 | `0004`  | contract (code before schema) | `alembic upgrade 0004` | cannot be rolled back | ⛔ irreversible | — |');
    expect(md).toContain('- `0004` **drop-column** waived: “unused since v41” (metamig.config.yaml)');
    expect(md).toContain('- [ ] Back up the database: `pg_dump -h h -p 5432 -U u -d d --format=custom');
  });
});
