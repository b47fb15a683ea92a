// How Rails' failures read in metamig, on recorded helper documents and tool output.
import { describe, expect, it } from 'vitest';
import { type Project, buildState } from '@metamig/core';
import { recorded } from '@metamig/testkit';
import { failureOf, restampAdvice, schemaWarnings, setupError } from './failures.js';
import { migrationsFromStatus, parseHelperOutput } from './parse.js';

const project = { id: 'shop', absRoot: '/srv/shop' } as Project;
const run = (rel: string, name: string) => ({
  stdout: recorded(rel, `${name}.stdout`),
  stderr: recorded(rel, `${name}.stderr`),
  exitCode: Number(recorded(rel, `${name}.exit`).trim()),
});
const docOf = (rel: string, name: string) => parseHelperOutput(run(rel, name), name);

describe('setup errors', () => {
  it('a missing gem is TOOL.NOT_FOUND with how to install it', () => {
    const err = setupError(project, docOf('rails/irreversible', 'helper-status-missing-gem'), run('rails/irreversible', 'helper-status-missing-gem'), 'standalone');
    expect(err).toMatchObject({
      code: 'TOOL.NOT_FOUND',
      summary: 'shop: a gem the project needs cannot be loaded.',
      why: expect.stringContaining("Could not find gem 'metamig_no_such_gem' in locally installed gems."),
      fix: expect.stringContaining('bundle install'),
    });
  });

  it('an override the configuration ignores stops everything, and says why', () => {
    const err = setupError(project, docOf('rails/out-of-order', 'helper-status-override-ignored'), run('rails/out-of-order', 'helper-status-override-ignored'), 'standalone');
    expect(err.code).toBe('CONFIG.INVALID');
    expect(err.summary).toBe("shop: the project's configuration does not use the database metamig was asked to use; nothing was run.");
    expect(err.why).toContain('The primary database of the test environment resolves to sqlite /tmp/metamig-rails-record/out-of-order/db/test.sqlite3');
    expect(err.why).toContain('only into the configuration of the environment RAILS_ENV names');
  });
});

describe('failed migrations', () => {
  it('up on PostgreSQL: the failing version, the database message, what stays applied', () => {
    const r = run('rails/failed-migration', 'helper-run-migrate-postgres');
    const f = failureOf(project, parseHelperOutput(r, 'run'), r.stderr, 'up', []);
    expect(f.failedMigration).toBe('20240603090000');
    expect(f.error).toMatchObject({
      code: 'MIGRATION.FAILED',
      summary: 'shop: 20240603090000 failed: PG::UniqueViolation: ERROR:  could not create unique index "index_customers_on_email"',
      why: 'ActiveRecord runs each migration in its own transaction: 20240603090000 was rolled back as a whole. The 2 migration(s) applied before it in this run stay applied (20240601090000, 20240602090000); the ones after it did not run.',
    });
    expect(f.error.toolOutput).toContain('DETAIL:  Key (email)=(ada@example.com) is duplicated.');
    expect(f.warnings).toEqual([]);
  });

  it('a rollback ActiveRecord refuses (IrreversibleMigration)', () => {
    const r = run('rails/irreversible', 'helper-run-down-execute');
    const f = failureOf(project, parseHelperOutput(r, 'run'), r.stderr, 'down', []);
    expect(f.failedMigration).toBe('20240503090000');
    expect(f.error.summary).toBe('shop: rolling back 20240503090000 failed: ActiveRecord::IrreversibleMigration: This migration uses execute, which is not automatically reversible.');
    expect(f.error.why).toContain('Nothing else was rolled back in this run.');
  });

  it('finds the failed migration from what is applied afterwards when the tool printed nothing', () => {
    const doc = { ...docOf('rails/failed-migration', 'helper-run-migrate-postgres') };
    const steps = ['20240601090000', '20240602090000', '20240603090000', '20240604090000'].map((id) => ({ id }) as never);
    expect(failureOf(project, doc, 'rake aborted!', 'up', steps).failedMigration).toBe('20240603090000');
  });
});

describe('the schema dump and divergence advice', () => {
  it('discloses that the task rewrote db/schema.rb', () => {
    const doc = docOf('rails/basic', 'helper-run-migrate-postgres');
    expect(schemaWarnings(doc, { layout: 'app', bundler: true, railsEnv: 'development' }, [{ task: 'db:migrate', vars: {} }])).toEqual([
      'bin/rails db:migrate rewrote db/schema.rb (ActiveRecord dumps the schema after every migrate/rollback): commit it together with the migrations, or turn it off with config.active_record.dump_schema_after_migration = false.',
    ]);
  });

  it('explains out-of-order versions, restamping, and schema.rb version conflicts', () => {
    const db = docOf('rails/out-of-order', 'helper-status-out-of-order').databases![0]!;
    const state = buildState({ project: 'shop', framework: 'rails', database: 'x', migrations: migrationsFromStatus(db), current: [], heads: [], source: { command: [], native: '', durationMs: 0, via: 'tool' } });
    const advice = restampAdvice(state).join('\n');
    expect(advice).toContain('metamig merge shop --restamp` renames 20240405090000, 20240407090000');
    expect(advice).toContain('`down` reverts the highest version first');
    expect(advice).toContain('keep the HIGHER version');
  });
});
