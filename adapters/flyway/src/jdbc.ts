// JDBC URLs as Flyway's config holds them, read back into what metamig needs: the engine, a
// redacted description, and (for the emulated undo, which runs from Node) a connection.
import { isAbsolute, resolve } from 'node:path';
import type { DatabaseEngine } from '@metamig/core';

export type JdbcTarget =
  | { engine: 'postgres'; host: string; port: number; database: string; params: Record<string, string> }
  | { engine: 'sqlite'; file: string; memory: boolean }
  | { engine: Exclude<DatabaseEngine, 'postgres' | 'sqlite'>; raw: string };

/** `jdbc:postgresql://host:port/db?…`, `jdbc:sqlite:relative/or/absolute.db`; relative SQLite paths resolve against `cwd` (as the JVM does). */
export function parseJdbcUrl(url: string, cwd: string): JdbcTarget | undefined {
  const m = /^jdbc:([a-z0-9]+):(.*)$/is.exec(url.trim());
  if (!m) return undefined;
  const sub = m[1]!.toLowerCase();
  const rest = m[2]!;
  if (sub === 'sqlite') {
    const path = rest.replace(/^file:/, '').split('?')[0]!;
    const memory = path === '' || path === ':memory:' || /mode=memory/.test(rest);
    return { engine: 'sqlite', file: memory ? ':memory:' : isAbsolute(path) ? path : resolve(cwd, path), memory };
  }
  if (sub === 'postgresql' || sub === 'postgres') {
    const pm = /^\/\/([^/?]*)(?:\/([^?]*))?(?:\?(.*))?$/s.exec(rest);
    if (!pm) return undefined;
    const hostPort = pm[1] ?? '';
    if (hostPort.includes(',')) return { engine: 'unknown', raw: url }; // multi-host failover URLs
    const hp = /^(\[[^\]]+\]|[^:]*)(?::(\d+))?$/.exec(hostPort);
    const params: Record<string, string> = {};
    for (const [k, v] of new URLSearchParams(pm[3] ?? '')) params[k] = v;
    return {
      engine: 'postgres',
      host: hp?.[1] || 'localhost',
      port: hp?.[2] ? Number(hp[2]) : 5432,
      database: decodeURIComponent(pm[2] ?? '') || '',
      params,
    };
  }
  if (sub === 'mysql' || sub === 'mariadb') return { engine: 'mysql', raw: url };
  return { engine: 'unknown', raw: url };
}

/** Passwords in JDBC URLs are parameters: mask them. */
export const redactJdbc = (url: string): string => url.replace(/([?&;]password=)[^&;]*/gi, '$1***');

export function describeJdbc(t: JdbcTarget, user: string | undefined): string {
  if (t.engine === 'postgres') return `postgres ${user ?? t.params.user ?? ''}${user ?? t.params.user ? '@' : ''}${t.host}:${t.port}/${t.database}`;
  if (t.engine === 'sqlite') return `sqlite ${t.file}`;
  return `${t.engine} ${redactJdbc(t.raw)}`;
}
