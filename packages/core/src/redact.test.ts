import { afterEach, describe, expect, it } from 'vitest';
import { clearSecrets, redact, redactDeep, registerSecret, registerUrl } from './redact.js';

afterEach(() => clearSecrets());

describe('redact', () => {
  it('masks the password of any URL, whatever the scheme', () => {
    expect(redact('connect postgresql://app:s3cret@db:5432/x failed')).toBe('connect postgresql://app:***@db:5432/x failed');
    expect(redact('postgresql+psycopg://u:p%40ss@h/d')).toBe('postgresql+psycopg://u:***@h/d');
    expect(redact('mysql://root:hunter2@localhost/db')).toBe('mysql://root:***@localhost/db');
  });

  it('masks key=value passwords, JDBC parameters and PGPASSWORD', () => {
    expect(redact('host=h password=topsecret dbname=x')).toBe('host=h password=*** dbname=x');
    expect(redact('PGPASSWORD=abc123 psql')).toBe('PGPASSWORD=*** psql');
    expect(redact('jdbc:postgresql://h/db?user=a&password=xyz&ssl=true')).toBe('jdbc:postgresql://h/db?user=a&password=***&ssl=true');
    expect(redact('"password": "quoted"')).toBe('"password": "***"');
  });

  it('masks a registered secret wherever it appears later, in decoded and encoded forms', () => {
    registerUrl('postgresql://app:p%40ss%3Aword@db/x');
    expect(redact('FATAL: password authentication failed; tried p@ss:word')).toBe('FATAL: password authentication failed; tried ***');
    expect(redact('raw p%40ss%3Aword')).toBe('raw ***');
  });

  it('ignores too-short secrets rather than destroying output', () => {
    registerSecret('a');
    expect(redact('a banana')).toBe('a banana');
  });

  it('redacts every string of a nested report', () => {
    registerSecret('sekrit-value');
    const out = redactDeep({ a: ['x sekrit-value y'], b: { c: 'postgresql://u:pw@h/d' }, n: 3 });
    expect(out).toEqual({ a: ['x *** y'], b: { c: 'postgresql://u:***@h/d' }, n: 3 });
  });
});
