// The static reversibility/transaction analysis (helpers/analysis.rb, Ruby's own parser) on sample
// migrations, checked against ActiveRecord itself: __fixtures__/analysis-oracle.rb reverts each sample
// with a real CommandRecorder, which raises IrreversibleMigration exactly where a rollback would.
import { execFileSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { whichSync } from '@metamig/core';
import { HELPER_PATH } from './argv.js';

const samples = join(dirname(fileURLToPath(import.meta.url)), '__fixtures__/analysis');
const oracle = join(dirname(fileURLToPath(import.meta.url)), '__fixtures__/analysis-oracle.rb');
const files = readdirSync(samples).filter((f) => f.endsWith('.rb')).sort();

interface Verdict {
  file: string;
  reversible: boolean | 'unknown';
  irreversibleReason?: string;
  detail?: string;
  transactional: boolean | 'unknown';
  transactionDetail?: string;
}

let analysis: Map<string, Verdict>;
let activeRecord: Record<string, string>;

beforeAll(() => {
  const ruby = whichSync('ruby');
  expect(ruby, 'Ruby is needed: run `npm run setup` (or apt-get install ruby ruby-rails ruby-pg ruby-sqlite3 rake)').toBeTruthy();
  const out = execFileSync(ruby!, [HELPER_PATH, 'analyze', ...files.map((f) => join(samples, f))], { encoding: 'utf8' });
  const doc = JSON.parse(out.trim().split('\n').pop()!) as { files: Verdict[] };
  analysis = new Map(doc.files.map((f) => [f.file.split('/').pop()!, f]));
  activeRecord = JSON.parse(execFileSync(ruby!, [oracle, ...files], { cwd: samples, encoding: 'utf8' }).trim()) as Record<string, string>;
});

describe('static analysis of migration files', () => {
  it('classifies every sample as expected', () => {
    const table = Object.fromEntries(files.map((f) => [f, [analysis.get(f)!.reversible, analysis.get(f)!.transactional]]));
    expect(table).toEqual({
      '001_create_accounts.rb': [true, true],
      '002_backfill_with_execute.rb': [false, true],
      '003_remove_untyped_column.rb': [false, true],
      '004_remove_typed_column.rb': [true, true],
      '005_execute_inside_reversible.rb': [true, true],
      '006_down_raises_with_new.rb': [false, true],
      '007_only_up.rb': ['unknown', true],
      '008_change_table_remove.rb': [false, true],
      '009_change_table_remove_typed.rb': [true, true],
      '010_model_call.rb': ['unknown', true],
      '011_concurrent_index.rb': [true, false],
      '012_custom_base.rb': [true, 'unknown'],
      '013_drop_table_bare.rb': [false, true],
      '014_drop_table_with_block.rb': [true, true],
      '015_remove_index_by_name.rb': [false, true],
      '016_change_default_from_to.rb': [true, true],
      '017_change_default_bare.rb': [false, true],
      '018_conditional_raise.rb': ['unknown', true],
      '019_change_column.rb': [false, true],
      '020_syntax_error.rb': ['unknown', 'unknown'],
      '021_old_style_class_methods.rb': [false, true],
    });
  });

  it('agrees with ActiveRecord wherever ActiveRecord can decide without a database', () => {
    const decided = files.filter((f) => activeRecord[f] === 'reversible' || activeRecord[f] === 'irreversible');
    expect(decided.length).toBeGreaterThanOrEqual(15);
    for (const f of decided) {
      const ours = analysis.get(f)!.reversible;
      if (activeRecord[f] === 'irreversible') expect(ours, f).toBe(false);
      // 007 (up only) rolls back as a no-op: ActiveRecord "succeeds", metamig says it cannot tell.
      else expect([true, f === '007_only_up.rb' ? 'unknown' : true], f).toContain(ours);
    }
  });

  it('explains each verdict with the migration’s own words', () => {
    expect(analysis.get('006_down_raises_with_new.rb')!.irreversibleReason).toBe('its down raises ActiveRecord::IrreversibleMigration: audit logs are gone for good');
    expect(analysis.get('002_backfill_with_execute.rb')!.irreversibleReason).toBe('change uses execute, which ActiveRecord cannot reverse (write up/down or a reversible block)');
    expect(analysis.get('008_change_table_remove.rb')!.irreversibleReason).toBe('change_table uses t.remove without type:');
    expect(analysis.get('010_model_call.rb')!.detail).toBe('change calls Account.reset_column_information, which metamig cannot classify');
    expect(analysis.get('007_only_up.rb')!.detail).toContain('defines up but no down');
    expect(analysis.get('011_concurrent_index.rb')!.transactionDetail).toBe('disable_ddl_transaction!');
    expect(analysis.get('012_custom_base.rb')!.transactionDetail).toContain('inherits from ApplicationMigration');
    expect(analysis.get('020_syntax_error.rb')!.detail).toBe('Ruby could not parse the file');
  });
});
