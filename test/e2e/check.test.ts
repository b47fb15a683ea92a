// End-to-end `metamig check` on every adapter: each adapter's rollback-gaps fixture, cut to its first
// two migrations (create accounts; index accounts.email without CONCURRENTLY), run through the built
// binary. The SQL comes from each real tool in a throwaway PostgreSQL (check --all starts one), so the
// hazard is found in what the framework really executes, and attributed to the right migration/file.
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { makeRepo, metamig } from './helpers.js';

interface Diagnostic {
  rule: string;
  severity: string;
  migration?: string;
  file?: string;
  waived?: { reason: string; source: string };
}
interface CheckDocument {
  projects: { project: string; framework: string; diagnostics: Diagnostic[] }[];
}

// `later`: the fixture's migrations 3 and 4 (a type change and a column drop, other hazards), removed.
const CASES = [
  { framework: 'alembic', later: ['migrations/versions/0003_balance_bigint.py', 'migrations/versions/0004_drop_legacy_code.py'], migration: '0002', file: 'migrations/versions/0002_index_email.py' },
  { framework: 'django', later: ['accounts/migrations/0003_account_balance_bigint.py', 'accounts/migrations/0004_remove_account_legacy_code.py'], migration: 'accounts.0002_accounts_email_index', file: 'accounts/migrations/0002_accounts_email_index.py' },
  { framework: 'flyway', later: ['sql/U3__accounts_balance_bigint.sql', 'sql/V3__accounts_balance_bigint.sql', 'sql/V4__drop_accounts_legacy_code.sql'], migration: '2', file: 'sql/V2__index_accounts_email.sql' },
  { framework: 'knex', later: ['migrations/20240903090000_balance_bigint.cjs', 'migrations/20240904090000_drop_legacy_code.cjs'], migration: '20240902090000_index_email.cjs', file: 'migrations/20240902090000_index_email.cjs' },
  {
    framework: 'laravel',
    later: ['database/migrations/2024_09_03_090000_change_accounts_balance_to_bigint.php', 'database/migrations/2024_09_04_090000_drop_legacy_code_from_accounts.php'],
    migration: '2024_09_02_090000_add_index_on_accounts_email',
    file: 'database/migrations/2024_09_02_090000_add_index_on_accounts_email.php',
  },
  {
    framework: 'prisma',
    later: ['prisma/migrations/20240903090000_accounts_balance_bigint', 'prisma/migrations/20240904090000_drop_accounts_legacy_code'],
    migration: '20240902090000_add_accounts_email_index',
    file: 'prisma/migrations/20240902090000_add_accounts_email_index/migration.sql',
  },
  { framework: 'rails', later: ['db/migrate/20240903090000_change_accounts_balance_to_bigint.rb', 'db/migrate/20240904090000_remove_legacy_code_from_accounts.rb'], migration: '20240902090000', file: 'db/migrate/20240902090000_add_index_on_accounts_email.rb' },
  {
    framework: 'typeorm',
    later: ['src/migrations/1725354000000-AccountsBalanceBigint.ts', 'src/migrations/1725440400000-DropAccountsLegacyCode.ts'],
    migration: 'AddAccountsEmailIndex1725267600000',
    file: 'src/migrations/1725267600000-AddAccountsEmailIndex.ts',
  },
];

const errorsOf = (doc: CheckDocument) => doc.projects.flatMap((p) => p.diagnostics.filter((d) => d.severity === 'error' && !d.waived));

describe.each(CASES)('check on $framework', ({ framework, later, migration, file }) => {
  it('finds the index built without CONCURRENTLY in the right migration and file; exit 1; passes once waived', async () => {
    const repo = makeRepo({ svc: `${framework}/rollback-gaps` });
    for (const f of later) rmSync(join(repo, 'svc', f), { recursive: true });

    const r = await metamig(['check', '--all', '--json'], { cwd: repo });
    expect(r.exitCode, r.stdout.slice(-2000) + r.stderr).toBe(1);
    const doc = JSON.parse(r.stdout) as CheckDocument;
    expect(doc.projects.map((p) => p.framework)).toEqual([framework]);
    expect(errorsOf(doc).map((d) => [d.rule, d.migration, d.file])).toEqual([['create-index-non-concurrent', migration, `svc/${file}`]]);

    const text = await metamig(['check', '--all'], { cwd: repo });
    expect(text.exitCode).toBe(1);
    expect(text.stdout).toContain('error create-index-non-concurrent [PG101]');
    expect(text.stdout).toContain(`migration ${migration} › svc/${file}`);

    const reason = 'accounts has 40 rows: the build takes milliseconds';
    writeFileSync(join(repo, 'metamig.config.yaml'), `policy:\n  waivers:\n    - migration: "${migration}"\n      rule: create-index-non-concurrent\n      reason: "${reason}"\n`);
    const waived = await metamig(['check', '--all', '--json'], { cwd: repo });
    expect(waived.exitCode, waived.stdout.slice(-2000) + waived.stderr).toBe(0);
    const after = JSON.parse(waived.stdout) as CheckDocument;
    expect(errorsOf(after)).toEqual([]);
    const finding = after.projects[0]!.diagnostics.find((d) => d.rule === 'create-index-non-concurrent');
    expect(finding?.waived).toEqual({ reason, source: 'config metamig.config.yaml: policy.waivers[0]' });
  });
});

describe('check config errors', () => {
  it('an unknown rule, and a waiver without a reason: exit 2, each named by its config path', async () => {
    const repo = makeRepo({ svc: 'knex/rollback-gaps' });
    writeFileSync(join(repo, 'metamig.config.yaml'), 'policy:\n  rules:\n    drop-colum: error\n');
    let r = await metamig(['check', '--all'], { cwd: repo });
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toContain('metamig.config.yaml: policy.rules.drop-colum: unknown rule "drop-colum" (did you mean "drop-column"?)');

    writeFileSync(join(repo, 'metamig.config.yaml'), 'policy:\n  waivers:\n    - migration: "20240902090000_index_email.cjs"\n      rule: create-index-non-concurrent\n');
    r = await metamig(['check', '--all'], { cwd: repo });
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toContain('metamig.config.yaml: policy.waivers[0].reason: a waiver needs a reason');
  });
});
