import { describe, expect, it } from 'vitest';
import { describeDatabaseUrl, engineOf, formatPostgresUrl, parseDatabaseUrl, toJdbcUrl, toPgEnv, toSqlAlchemyUrl } from './database-url.js';

describe('database URLs', () => {
  it('recognises engines by scheme', () => {
    expect(engineOf('postgres://x')).toBe('postgres');
    expect(engineOf('postgresql+psycopg2://x')).toBe('postgres');
    expect(engineOf('sqlite:///a.db')).toBe('sqlite');
    expect(engineOf('file:a.db')).toBe('sqlite');
    expect(engineOf('mysql://x')).toBe('mysql');
    expect(engineOf('oracle://x')).toBe('unknown');
  });

  it('parses PostgreSQL URLs, decoding credentials', () => {
    const p = parseDatabaseUrl('postgresql://app:p%40ss@10.0.0.1:6543/my_db?sslmode=disable');
    expect(p).toEqual({ engine: 'postgres', host: '10.0.0.1', port: 6543, user: 'app', password: 'p@ss', database: 'my_db', params: { sslmode: 'disable' } });
  });

  it('keeps a unix-socket host apart from the TCP host', () => {
    const p = parseDatabaseUrl('postgresql://postgres@localhost:5433/app?host=/tmp/pg');
    expect(p.engine === 'postgres' && p.socketDir).toBe('/tmp/pg');
    expect(p.engine === 'postgres' && toPgEnv(p).PGHOST).toBe('/tmp/pg');
  });

  it('resolves relative SQLite paths against the base folder', () => {
    expect(parseDatabaseUrl('sqlite:///var/db/app.sqlite')).toEqual({ engine: 'sqlite', file: '/var/db/app.sqlite' });
    expect(parseDatabaseUrl('sqlite:data/app.db', '/repo/svc')).toEqual({ engine: 'sqlite', file: '/repo/svc/data/app.db' });
  });

  it('translates to each tool form', () => {
    const p = parseDatabaseUrl('postgres://u:pw@h:5432/d');
    expect(toSqlAlchemyUrl(p)).toBe('postgresql+psycopg://u:pw@h:5432/d');
    expect(toSqlAlchemyUrl(p, 'psycopg2')).toBe('postgresql+psycopg2://u:pw@h:5432/d');
    expect(toJdbcUrl(p)).toEqual({ url: 'jdbc:postgresql://h:5432/d', user: 'u', password: 'pw' });
    if (p.engine !== 'postgres') throw new Error('expected a PostgreSQL URL');
    expect(formatPostgresUrl(p)).toBe('postgresql://u:pw@h:5432/d');
    const s = parseDatabaseUrl('sqlite:////tmp/a.db');
    expect(toSqlAlchemyUrl(s)).toBe('sqlite:////tmp/a.db');
    expect(toJdbcUrl(s)).toEqual({ url: 'jdbc:sqlite:/tmp/a.db' });
    expect(describeDatabaseUrl(p)).toBe('postgres u@h:5432/d');
  });

  it('rejects unsupported or malformed URLs with a redacted message', () => {
    expect(() => parseDatabaseUrl('oracle://u:secretpw@h/d')).toThrow(expect.objectContaining({ why: expect.stringMatching(/not "oracle"/) }));
    try {
      parseDatabaseUrl('oracle://u:secretpw@h/d');
    } catch (e) {
      expect(String((e as Error).message)).not.toContain('secretpw');
    }
  });
});
