// `metamig verify` on every landed adapter's rollback-gaps fixture (PostgreSQL): a correct down is
// verified, a forgetful down is caught with the exact difference (exit 1), an irreversible migration is
// reported without crashing, a non-concurrent index shows the SHARE lock it takes on the seeded table,
// and a type change shows the rewrite. Verify runs every migration three times through the real tools,
// so these tests get a longer budget than the rest.
import { describe, expect, it } from 'vitest';

const VERIFY_TIMEOUT = 300_000;
import { isProjectError, type ProjectVerification } from '@metamig/core';
import { makeRepo, metamig, parseJson } from './helpers.js';

// `index`: the name each tool gives the forgotten index; `irreversible`: how the adapter words the
// framework's own way of declaring a migration irreversible (a raise, no reverse, no undo file …).
const CASES = [
  { framework: 'alembic', fixture: 'alembic/rollback-gaps', index: 'ix_accounts_email', irreversible: /NotImplementedError|raise/ },
  { framework: 'knex', fixture: 'knex/rollback-gaps', index: 'accounts_email_index', irreversible: /irreversible/, text: true },
  { framework: 'django', fixture: 'django/rollback-gaps', index: 'accounts_email_idx', irreversible: /RunSQL has no reverse_sql/ },
  { framework: 'laravel', fixture: 'laravel/rollback-gaps', index: 'accounts_email_index', irreversible: /down\(\) only throws: "irreversible/ },
  { framework: 'rails', fixture: 'rails/rollback-gaps', index: 'index_accounts_on_email', irreversible: /ActiveRecord::IrreversibleMigration/ },
  { framework: 'prisma', fixture: 'prisma/rollback-gaps', index: 'accounts_email_idx', irreversible: /no down\.sql, and none can be generated: line \d+ changes data/, text: true },
  { framework: 'typeorm', fixture: 'typeorm/rollback-gaps', index: 'IDX_accounts_email', irreversible: /down\(\) throws: "irreversible/ },
  { framework: 'flyway', fixture: 'flyway/rollback-gaps', index: 'accounts_email_idx', irreversible: /no U4__\*\.sql undo file/ },
];

// Prisma sends a whole migration.sql as one query, so the observed statement starts with the file's
// `-- CreateIndex` comment: leading SQL comments are not part of what the statement does.
const withoutLeadingComments = (sql: string) => sql.replace(/^(\s*--[^\n]*\n)+\s*/, '');

// The text report is the same renderer for every framework: read on two (Prisma's statements start
// with a comment), the JSON on all.
describe.each(CASES)('verify on $framework', ({ framework, fixture, index, irreversible, text: readText }) => {
  it('verifies good rollbacks and catches the bad ones, with observed locks and rewrites', async () => {
    const repo = makeRepo({ svc: fixture });
    const r = await metamig(['verify', '--all', '--json'], { cwd: repo });
    expect(r.exitCode, r.stderr).toBe(1);
    const [v] = parseJson('verify', r).projects.filter((p) => !isProjectError(p)) as ProjectVerification[];
    expect(v!.framework).toBe(framework);
    expect(v!.engine).toBe('postgres');
    const [create, addIndex, bigint, drop] = v!.migrations;
    expect(v!.migrations.map((m) => m.result)).toEqual(['verified', 'failed', 'verified', 'irreversible']);
    expect(create!.added).toContain('table accounts');

    expect(addIndex!.differences.map((d) => d.message)).toEqual([`index ${index} still exists`]);
    const share = addIndex!.observations!.locks.find((l) => l.relation === 'accounts' && l.mode === 'SHARE');
    expect(withoutLeadingComments(share?.statement ?? '').toLowerCase()).toMatch(/^create index/);
    expect(addIndex!.seeded.find((s) => s.table === 'accounts')?.rows).toBe(500);

    expect(bigint!.observations!.rewrites).toEqual(['accounts']);
    expect(bigint!.observations!.locks.some((l) => l.relation === 'accounts' && l.mode === 'ACCESS EXCLUSIVE')).toBe(true);

    expect(drop!.removed).toEqual(['column accounts.legacy_code']);
    expect(drop!.notes.join(' ')).toMatch(irreversible);

    if (!readText) return;
    const text = await metamig(['verify', '--all'], { cwd: repo });
    expect(text.exitCode).toBe(1);
    expect(text.stdout).toContain(`after down: index ${index} still exists`);
    expect(text.stdout).toMatch(/lock: SHARE on accounts for \d+ ms \((-- \w+ )?create index/i); // one line: Prisma's comment joined
    expect(text.stdout).toContain('rewrite: table accounts was rewritten');
  }, VERIFY_TIMEOUT);
});

// Every migration of every polyglot service is verified by checklist.test.ts (its snapshot shows each proof).
describe('verify on the polyglot example', () => {
  it('by default verifies only what is pending in the project database', async () => {
    const repo = makeRepo({ 'services/web': 'polyglot/services/web' });
    expect((await metamig(['up', '--steps', '4'], { cwd: repo })).exitCode).toBe(0);
    const r = await metamig(['verify', '--json'], { cwd: repo });
    expect(r.exitCode, r.stderr).toBe(0);
    const [v] = parseJson('verify', r).projects as ProjectVerification[];
    expect(v!.scope).toBe('pending');
    expect(v!.migrations.map((m) => m.id)).toEqual(['20250305090000_drop_customer.cjs', '20250306090000_index_customer_email.cjs']);
  }, VERIFY_TIMEOUT);
});
