// Parsers on outputs recorded from the real Flyway 12.4.0 CLI (fixtures/flyway/*/recorded).
import { describe, expect, it } from 'vitest';
import { recorded } from '@metamig/testkit';
import { classifyMigrateError, databaseMessage, entriesFromInfo, errorText, extractJson, failedMigrationFrom, parseFlywayOutput } from './parse.js';

const out = (fixture: string, name: string) => parseFlywayOutput(recorded(`flyway/${fixture}`, `${name}.stdout`))!;
const states = (fixture: string, name: string) => {
  const p = out(fixture, name);
  return entriesFromInfo(p.info!, p.validate);
};
const summary = (fixture: string, name: string) => states(fixture, name).entries.map((e) => `${e.id}:${e.state}`);

describe('parseFlywayOutput', () => {
  it('splits `info validate` (one JVM) into both results', () => {
    const p = out('basic', 'info-validate-fresh-sqlite');
    expect(p.info?.migrations).toHaveLength(4);
    expect(p.validate?.validationSuccessful).toBe(false); // pending migrations fail validation: exit 0 anyway
    expect(p.flywayVersion).toBe('12.4.0');
    expect(p.error).toBeUndefined();
  });

  it('reads errors, which JSON mode prints on stdout', () => {
    const missing = out('basic', 'info-validate-missing-location-sqlite');
    expect(missing.info).toBeUndefined();
    expect(missing.error?.message).toMatch(/^Failed to find filesystem location: \/tmp\/metamig-flyway-record\/basic\/nope/);
    const teams = out('basic', 'info-validate-undo-sql-row-sqlite');
    expect(teams.error?.message).toContain("Unknown migration type 'UNDO_SQL' found in schema history.");
    expect(extractJson('not json')).toBeUndefined();
    expect(extractJson('WARNING: x\n{"a": 1}')).toEqual({ a: 1 });
  });
});

describe('entriesFromInfo', () => {
  it('fresh and applied, in apply order, on SQLite and PostgreSQL', () => {
    expect(summary('basic', 'info-validate-fresh-sqlite')).toEqual(['1:pending', '2:pending', '3:pending', '4:pending']);
    expect(summary('basic', 'info-validate-fresh-postgres')).toEqual(['1:pending', '2:pending', '3:pending', '4:pending']);
    const applied = states('basic', 'info-validate-applied-postgres');
    expect(applied.entries.map((e) => `${e.id}:${e.state}`)).toEqual(['1:applied', '2:applied', '3:applied', '4:applied']);
    expect(applied.entries[0]).toMatchObject({ name: 'create users', kind: 'versioned', version: '1', filepath: '/tmp/metamig-flyway-record/basic-postgres/sql/V1__create_users.sql', appliedAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/) });
    expect(applied.warnings).toEqual([]);
  });

  it('after the emulated undo: the Deleted row is history, the version is pending again', () => {
    const p = out('basic', 'info-validate-after-undo-sqlite');
    expect(p.info!.migrations.map((m) => `${m.version}:${m.state}`)).toEqual(['1:Success', '2:Success', '3:Success', '4:Deleted', '4:Pending']);
    expect(summary('basic', 'info-validate-after-undo-sqlite')).toEqual(['1:applied', '2:applied', '3:applied', '4:pending']);
    expect(p.info!.schemaVersion).toBe('3');
    expect(summary('basic', 'info-validate-after-undo-postgres')).toEqual(['1:applied', '2:applied', '3:pending', '4:pending']);
    expect(summary('with-undo', 'info-validate-after-undo-all-postgres')).toEqual(['1:pending', '2:pending', '3:pending']);
    const again = parseFlywayOutput(recorded('flyway/basic', 'info-after-reapply-sqlite.stdout'))!;
    expect(entriesFromInfo(again.info!, undefined).entries.map((e) => `${e.id}:${e.state}`)).toEqual(['1:applied', '2:applied', '3:applied', '4:applied']);
  });

  it('an edited applied file: only validate sees it', () => {
    const p = out('edited-applied', 'info-validate-edited-sqlite');
    expect(p.info!.migrations[0]!.state).toBe('Success');
    const { entries, warnings } = entriesFromInfo(p.info!, p.validate);
    expect(entries.map((e) => `${e.id}:${e.state}`)).toEqual(['1:edited', '2:applied', '3:pending']);
    expect(entries[0]!.detail).toMatch(/^Migration checksum mismatch for migration version 1\n-> Applied to database : -?\d+\n-> Resolved locally {4}: -?\d+/);
    expect(warnings).toEqual([]);
  });

  it('out of order: Ignored before, Out of Order once applied with outOfOrder=true', () => {
    const ignored = states('out-of-order', 'info-validate-ignored-sqlite');
    expect(ignored.entries.map((e) => `${e.id}:${e.state}`)).toEqual(['1:applied', '2:applied', '1.1:out-of-order']);
    expect(ignored.entries[2]!.detail).toContain('lower than the newest applied version (2)');
    const applied = states('out-of-order', 'info-validate-applied-out-of-order-sqlite');
    expect(applied.entries.map((e) => `${e.id}:${e.state}`)).toEqual(['1:applied', '2:applied', '1.1:applied']);
    expect(applied.entries[2]!.detail).toContain('applied out of order');
  });

  it('a failed migration: a Failed row on SQLite, nothing recorded on PostgreSQL', () => {
    expect(summary('failed-migration', 'info-validate-after-failure-sqlite')).toEqual(['1:applied', '2:failed', '3:pending']);
    expect(states('failed-migration', 'info-validate-after-failure-sqlite').entries[1]!.detail).toContain('flyway repair');
    expect(summary('failed-migration', 'info-validate-after-failure-postgres')).toEqual(['1:applied', '2:pending', '3:pending']);
  });

  it("in a schema Flyway created: its << Flyway Schema Creation >> marker is not a migration", () => {
    const p = out('with-undo', 'info-validate-own-schema-postgres');
    expect(p.info!.migrations[0]).toMatchObject({ type: 'SCHEMA', description: '<< Flyway Schema Creation >>', state: 'Success' });
    expect(summary('with-undo', 'info-validate-own-schema-postgres')).toEqual(['1:applied', '2:applied', '3:applied']);
  });

  it('repeatables: R__<description>, an outdated one is pending again, superseded runs are history', () => {
    const outdated = states('with-undo', 'info-validate-repeatable-outdated-sqlite');
    expect(outdated.entries.map((e) => `${e.id}:${e.state}`)).toEqual(['1:applied', '2:applied', '3:applied', 'R__accounts_view:pending']);
    expect(outdated.entries[3]).toMatchObject({ kind: 'repeatable', name: 'accounts view', detail: expect.stringContaining('changed since it last ran') });
    const superseded = parseFlywayOutput(recorded('flyway/with-undo', 'info-repeatable-superseded-sqlite.stdout'))!;
    expect(superseded.info!.migrations.map((m) => m.state)).toContain('Superseded');
    expect(entriesFromInfo(superseded.info!, undefined).entries.map((e) => `${e.id}:${e.state}`)).toEqual(['1:applied', '2:applied', '3:applied', 'R__accounts_view:applied']);
  });

  it('missing and future files, and states metamig does not know', () => {
    const info = {
      operation: 'info' as const,
      schemaVersion: '5',
      migrations: [
        { category: 'Versioned', version: '2', description: 'gone', type: 'SQL', installedOnUTC: '2026-01-01T00:00:00Z', state: 'Missing', filepath: '' },
        { category: 'Versioned', version: '3', description: 'gone failed', type: 'SQL', installedOnUTC: '2026-01-01T00:00:00Z', state: 'Failed (Missing)', filepath: '' },
        { category: 'Versioned', version: '5', description: 'newer', type: 'SQL', installedOnUTC: '2026-01-01T00:00:00Z', state: 'Future', filepath: '' },
        { category: 'Versioned', version: '0', description: 'old', type: 'SQL', installedOnUTC: '', state: 'Below Baseline', filepath: '/x/V0__old.sql' },
        { category: 'Versioned', version: '6', description: 'odd', type: 'SQL', installedOnUTC: '', state: 'Frobnicated', filepath: '/x/V6__odd.sql' },
      ],
    };
    const { entries, warnings } = entriesFromInfo(info, undefined);
    expect(entries.map((e) => `${e.id}:${e.state}`)).toEqual(['2:missing-file', '3:failed', '5:missing-file']);
    expect(entries[2]!.detail).toContain('database is ahead of this checkout');
    expect(warnings).toEqual(['6: unknown Flyway state "Frobnicated"; not shown.', 'Below the baseline, never run by Flyway: 0.']);
  });
});

describe('migrate results', () => {
  it('success, with the migrations this run applied', () => {
    const m = out('basic', 'migrate-target-2-postgres').migrate!;
    expect(m).toMatchObject({ success: true, migrationsExecuted: 2, targetSchemaVersion: '2' });
    expect(out('out-of-order', 'migrate-out-of-order-sqlite').migrate!.warnings).toEqual(['outOfOrder mode is active. Migration of schema "main" may not be reproducible.']);
  });

  it("a failed migration: Flyway's message, the file it names, the completed ones", () => {
    const p = out('failed-migration', 'migrate-postgres');
    expect(p.migrate?.success).toBe(false);
    expect(p.error?.errorCode).toBe('FAILED_VERSIONED_MIGRATION');
    const text = errorText(p.error!);
    expect(text).toMatch(/^Failed to execute script V2__add_customers_email_unique.sql/);
    expect(text).toContain('could not create unique index "customers_email_unique"');
    expect(text).not.toContain('stackTrace');
    const entries = [
      { id: '1', filepath: '/tmp/metamig-flyway-record/failed-migration-postgres/sql/V1__create_customers.sql' },
      { id: '2', filepath: '/tmp/metamig-flyway-record/failed-migration-postgres/sql/V2__add_customers_email_unique.sql' },
    ];
    expect(failedMigrationFrom(p.error!, entries)).toBe('2');
    expect(p.migrate!.migrations.map((m) => m.version)).toEqual(['1']);
    expect(databaseMessage(text)).toBe('ERROR: could not create unique index "customers_email_unique"');
    expect(p.error!.lineNumber).toBe(4);
    expect(databaseMessage(errorText(out('failed-migration', 'migrate-sqlite').error!))).toBe('[SQLITE_CONSTRAINT_UNIQUE] A UNIQUE constraint failed (UNIQUE constraint failed: customers.email)');
    expect(databaseMessage('Validate failed: x\ny')).toBe('Validate failed: x');
  });

  it('refusals from validate-on-migrate, classified for advice', () => {
    const refused = (fixture: string, name: string) => classifyMigrateError(errorText(out(fixture, name).error!));
    expect(refused('out-of-order', 'migrate-refused-sqlite')).toBe('out-of-order');
    expect(refused('edited-applied', 'migrate-edited-sqlite')).toBe('checksum');
    expect(refused('failed-migration', 'migrate-sqlite')).toBe('other');
    expect(classifyMigrateError('Validate failed: Migrations have failed validation\nDetected failed migration to version 2 (x).')).toBe('failed-row');
    expect(classifyMigrateError('No value provided for placeholder: ${x}.  Check your configuration!')).toBe('placeholder');
  });
});
