// Watching a migration run in the sandbox: which locks it takes on relations that existed before it
// (from pg_locks, per statement via pg_stat_activity), for how long, and which tables it rewrote
// (relfilenode changed). Measured facts, not guesses from the SQL text.
import pg from 'pg';
import type { LockObservation, MigrationObservations } from '@metamig/core';

export type { LockObservation, MigrationObservations };

const PAUSE_MS = 50;
const LOCK_RANK = ['AccessShareLock', 'RowShareLock', 'RowExclusiveLock', 'ShareUpdateExclusiveLock', 'ShareLock', 'ShareRowExclusiveLock', 'ExclusiveLock', 'AccessExclusiveLock'];
/** `AccessExclusiveLock` → `ACCESS EXCLUSIVE`, as PostgreSQL's documentation names the modes. */
export const lockModeName = (mode: string) => mode.replace(/Lock$/, '').replace(/([a-z])([A-Z])/g, '$1 $2').toUpperCase();
export const lockRank = (mode: string) => LOCK_RANK.indexOf(mode);

interface Relation {
  oid: number;
  name: string;
  kind: string;
  filenode: number;
}

async function relations(client: pg.ClientBase): Promise<Map<number, Relation>> {
  const rows = (
    await client.query<{ oid: number; name: string; kind: string; filenode: number }>(`
      SELECT c.oid::int AS oid, CASE WHEN n.nspname = 'public' THEN c.relname ELSE n.nspname || '.' || c.relname END AS name,
             c.relkind AS kind, c.relfilenode::int AS filenode
      FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE c.relkind IN ('r', 'p', 'm', 'i') AND n.nspname NOT IN ('pg_catalog', 'information_schema', 'metamig_observe') AND n.nspname NOT LIKE 'pg_toast%'`)
  ).rows;
  return new Map(rows.map((r) => [r.oid, r]));
}

/**
 * Install the observation hook in a sandbox database: at the end of every DDL statement, an event
 * trigger records the locks the migrating session holds (exact attribution, whatever the machine
 * load) and pauses briefly so the poller also sees them (hold durations). Everything lives in the
 * `metamig_observe` schema, which snapshots ignore and tools never look at. Needs a superuser; on a
 * server where that fails, observation falls back to sampling alone.
 */
export async function installObservationPause(url: string): Promise<boolean> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    await c.query(`CREATE SCHEMA IF NOT EXISTS metamig_observe`);
    await c.query(`CREATE UNLOGGED TABLE IF NOT EXISTS metamig_observe.lock_log (seq bigserial PRIMARY KEY, at timestamptz NOT NULL, query text, relation oid, mode text)`);
    await c.query(`CREATE OR REPLACE FUNCTION metamig_observe.on_ddl() RETURNS event_trigger LANGUAGE plpgsql AS $$
      BEGIN
        INSERT INTO metamig_observe.lock_log (at, query, relation, mode)
        SELECT clock_timestamp(), current_query(), l.relation, l.mode FROM pg_locks l
        WHERE l.pid = pg_backend_pid() AND l.locktype = 'relation' AND l.granted
          AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database());
        PERFORM pg_sleep(${PAUSE_MS / 1000});
      END $$`);
    await c.query(`DROP EVENT TRIGGER IF EXISTS metamig_observe_ddl`);
    await c.query(`CREATE EVENT TRIGGER metamig_observe_ddl ON ddl_command_end EXECUTE FUNCTION metamig_observe.on_ddl()`);
    return true;
  } catch {
    return false;
  } finally {
    await c.end();
  }
}

export interface Observer {
  stop(): Promise<MigrationObservations>;
}

/** Start sampling the sandbox database `url` until `stop()`; only relations that exist now count. */
export async function observeLocks(url: string, ignore: string[] = []): Promise<Observer> {
  const client = new pg.Client({ connectionString: url });
  client.on('error', () => {});
  await client.connect();
  const before = await relations(client);
  const ignored = new Set(ignore);
  const hooked = (await client.query(`SELECT to_regclass('metamig_observe.lock_log') IS NOT NULL AS ok`)).rows[0]?.ok === true;
  const logStart = hooked ? Number((await client.query<{ n: string }>(`SELECT coalesce(max(seq), 0) AS n FROM metamig_observe.lock_log`)).rows[0]?.n ?? 0) : 0;
  const seen = new Map<string, { rel: Relation; mode: string; statement: string; first: number; last: number }>();
  let samples = 0;
  let running = true;
  const started = performance.now();
  const loop = (async () => {
    while (running) {
      const t = performance.now() - started;
      const rows = (
        await client.query<{ relation: number; mode: string; query: string }>(`
          SELECT l.relation::int AS relation, l.mode, a.query
          FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
          WHERE l.locktype = 'relation' AND l.granted AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())
            AND l.pid <> pg_backend_pid()
            AND a.backend_type = 'client backend'`) // autovacuum's locks (ANALYZE after a bulk change) are not the migration's
      ).rows;
      samples++;
      for (const r of rows) {
        const rel = before.get(r.relation);
        if (!rel || ignored.has(rel.name)) continue;
        const key = `${rel.oid}|${r.mode}`;
        const hit = seen.get(key);
        if (hit) hit.last = t;
        else seen.set(key, { rel, mode: r.mode, statement: r.query.trim(), first: t, last: t });
      }
      await new Promise((res) => setTimeout(res, 2));
    }
  })();
  return {
    async stop() {
      running = false;
      await loop.catch(() => {});
      const after = await relations(client);
      // The hook's rows are exact: the statement that held each lock when it ended. They win over
      // sampling for attribution; sampling still gives hold durations.
      if (hooked) {
        const logged = (
          await client.query<{ relation: number; mode: string; query: string }>(
            `SELECT relation::int AS relation, mode, query FROM metamig_observe.lock_log WHERE seq > $1 ORDER BY seq`,
            [logStart],
          )
        ).rows;
        const firstLogged = new Map<string, string>();
        for (const r of logged) {
          const key = `${r.relation}|${r.mode}`;
          if (!firstLogged.has(key)) firstLogged.set(key, r.query.trim());
        }
        for (const [key, query] of firstLogged) {
          const rel = before.get(Number(key.split('|')[0]));
          if (!rel || ignored.has(rel.name)) continue;
          const hit = seen.get(key);
          if (hit) hit.statement = query;
          else seen.set(key, { rel, mode: key.split('|')[1]!, statement: query, first: Number.MAX_SAFE_INTEGER, last: Number.MAX_SAFE_INTEGER });
        }
      }
      await client.end();
      // Strongest mode per relation and statement.
      const strongest = new Map<string, { rel: Relation; mode: string; statement: string; first: number; last: number }>();
      for (const s of seen.values()) {
        const key = `${s.rel.oid}|${s.statement}`;
        const cur = strongest.get(key);
        if (!cur || lockRank(s.mode) > lockRank(cur.mode)) strongest.set(key, { ...s, first: Math.min(s.first, cur?.first ?? s.first), last: Math.max(s.last, cur?.last ?? s.last) });
      }
      const locks = [...strongest.values()]
        .sort((a, b) => a.first - b.first || a.rel.name.localeCompare(b.rel.name))
        .map((s) => ({
          relation: s.rel.name,
          kind: s.rel.kind === 'i' ? ('index' as const) : s.rel.kind === 'r' || s.rel.kind === 'p' ? ('table' as const) : ('other' as const),
          mode: lockModeName(s.mode),
          statement: s.statement,
          heldMs: s.first === Number.MAX_SAFE_INTEGER ? 0 : Math.round(s.last - s.first),
        }));
      const rewrites = [...before.values()]
        .filter((r) => (r.kind === 'r' || r.kind === 'm') && !ignored.has(r.name))
        .filter((r) => {
          const now = after.get(r.oid);
          return now !== undefined && now.filenode !== r.filenode;
        })
        .map((r) => r.name)
        .sort();
      return { locks, rewrites, samples, pauseMsPerDdl: PAUSE_MS };
    },
  };
}
