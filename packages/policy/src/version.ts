// Target PostgreSQL versions: several hazards depend on them (PG 11 instant defaults, PG 12 CHECK →
// SET NOT NULL and REINDEX CONCURRENTLY, PG 14 DETACH CONCURRENTLY, the 14.0–14.3 CIC bug).
import type { PgVersion } from './types.js';

/** squawk's default too, and Debian 12's server; set `policy.postgresVersion` for yours. */
export const DEFAULT_POSTGRES_VERSION: PgVersion = { major: 15, minor: 0 };

export function parsePgVersion(v: number | string | undefined): PgVersion {
  if (v === undefined) return DEFAULT_POSTGRES_VERSION;
  const [major, minor = '0'] = String(v).split('.');
  return { major: Number(major), minor: Number(minor) };
}

export const pgAtLeast = (v: PgVersion, major: number, minor = 0): boolean => v.major > major || (v.major === major && v.minor >= minor);
