import { describe, expect, it } from 'vitest';
import { advisoryLockKey, effectiveRow, insertDeleteRow, javaHashCode, qualifiedTable } from './history.js';

const row = (rank: number, version: string, type = 'SQL', success = true) => ({ installed_rank: rank, version, description: 'd', type, script: `V${version}__d.sql`, checksum: 7, success });

describe('effectiveRow', () => {
  it('replays DELETE rows as Flyway does: each marks the latest row of its version', () => {
    expect(effectiveRow([row(1, '2')], '2')).toMatchObject({ installed_rank: 1 });
    expect(effectiveRow([row(1, '2'), row(4, '2', 'DELETE')], '2')).toBeUndefined();
    expect(effectiveRow([row(1, '2'), row(4, '2', 'DELETE'), row(5, '2')], '2')).toMatchObject({ installed_rank: 5 });
    expect(effectiveRow([row(5, '2'), row(1, '2'), row(4, '2', 'DELETE'), row(6, '2', 'DELETE')], '2')).toBeUndefined();
    expect(effectiveRow([row(1, '2', 'SQL', false)], '2')).toMatchObject({ success: false });
    expect(effectiveRow([row(1, '1', 'BASELINE')], '1')).toEqual({ baseline: expect.objectContaining({ type: 'BASELINE' }) });
    expect(effectiveRow([row(1, '3')], '2')).toBeUndefined();
  });
});

describe('the history table', () => {
  it("keys the advisory lock like Flyway's PostgreSQLAdvisoryLockTemplate", () => {
    expect(javaHashCode('hello')).toBe(99162322);
    // Read from pg_locks ((classid << 32) + objid) while Flyway 12.4.0 ran a migrate on public.flyway_schema_history.
    expect(advisoryLockKey('public', 'flyway_schema_history')).toBe('77433833903597');
    expect(qualifiedTable('my"schema', 'hist')).toBe('"my""schema"."hist"');
    expect(qualifiedTable(undefined, 'flyway_schema_history')).toBe('"flyway_schema_history"');
  });

  it('writes the DELETE row `flyway repair` writes, at the next installed_rank', () => {
    const v = { version: '4', description: 'seed admin user', script: 'V4__seed_admin_user.sql', checksum: -12, installedBy: 'app', executionTime: 5 };
    expect(insertDeleteRow('postgres', '"public"."flyway_schema_history"', v)).toEqual({
      sql: 'INSERT INTO "public"."flyway_schema_history" (installed_rank, version, description, type, script, checksum, installed_by, execution_time, success) SELECT COALESCE(MAX(installed_rank), 0) + 1, $1, $2, \'DELETE\', $3, $4, $5, $6, true FROM "public"."flyway_schema_history"',
      params: ['4', 'seed admin user', 'V4__seed_admin_user.sql', -12, 'app', 5],
    });
    expect(insertDeleteRow('sqlite', '"flyway_schema_history"', v).sql).toMatch(/ SELECT COALESCE\(MAX\(installed_rank\), 0\) \+ 1, \?, \?, 'DELETE', \?, \?, \?, \?, 1 FROM "flyway_schema_history"$/);
  });
});
