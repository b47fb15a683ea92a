// The rollback checklist of the polyglot example (all eight services, every migration pending, each
// proven in a throwaway PostgreSQL database), compared with a reviewed snapshot once the values that
// change from run to run are normalized: durations, the PostgreSQL version, temp paths.
// After an intended change: `npx vitest run e2e/checklist.test.ts -u`, then review the diff.
import { describe, expect, it } from 'vitest';
import { makeRepo, metamig } from './helpers.js';

const BUDGET = 600_000;

/** The checklist with run-dependent values replaced by placeholders. */
export function normalizeChecklist(markdown: string, repo: string): string {
  return markdown
    .split(repo)
    .join('<repo>')
    .replace(/\bpostgres \d+(\.\d+)*/g, 'postgres <version>')
    .replace(/\b\d+(\.\d+)? ?(ms|s)\b/g, '<duration>')
    .replace(/127\.0\.0\.1:\d+/g, '127.0.0.1:<port>')
    // A DML statement's ROW EXCLUSIVE lock is seen only when the sampler catches it (no event trigger
    // fires for DML): whether a quick backfill shows up is timing, not behaviour.
    .replace(/^- `[^`]+`: ROW EXCLUSIVE on .*\n/gm, '');
}

describe('the polyglot example', () => {
  it('rollback checklist: every service, every migration verified, deploy order, locks and data loss', async () => {
    const repo = makeRepo({ '.': 'polyglot' });
    const r = await metamig(['--sandbox', 'checklist'], { cwd: repo, timeoutMs: BUDGET });
    expect(r.exitCode, r.stderr).toBe(0);
    const md = normalizeChecklist(r.stdout, repo);
    await expect(md).toMatchFileSnapshot('__snapshots__/polyglot-checklist.md');
  }, BUDGET);
});
