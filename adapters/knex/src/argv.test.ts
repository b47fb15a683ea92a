import { describe, expect, it } from 'vitest';
import { HELPER_PATH, environmentOption, helperArgs, knexOverride, nativeDown, nativeStatus, nativeUp, overrideEnv } from './argv.js';

const URL_WITH_PASSWORD = 'postgresql://app:pa55-word@db.internal:5433/shop?sslmode=require';

describe('helper argv', () => {
  it('builds one argv per operation, the helper first', () => {
    const t = { knexfile: 'knexfile.cjs' };
    expect(helperArgs({ op: 'status' }, t)).toEqual([HELPER_PATH, 'status', '--knexfile', 'knexfile.cjs']);
    expect(helperArgs({ op: 'up' }, { ...t, environment: 'production' })).toEqual([HELPER_PATH, 'up', '--knexfile', 'knexfile.cjs', '--env', 'production']);
    expect(helperArgs({ op: 'up', to: 'b.cjs' }, t).slice(2)).toEqual(['--knexfile', 'knexfile.cjs', '--to', 'b.cjs']);
    expect(helperArgs({ op: 'down', names: ['c.cjs', 'b.cjs'] }, t).slice(2)).toEqual(['--knexfile', 'knexfile.cjs', '--name', 'c.cjs', '--name', 'b.cjs']);
    expect(helperArgs({ op: 'plan', direction: 'down', names: ['c.cjs'] }, t).slice(2)).toEqual(['--knexfile', 'knexfile.cjs', '--direction', 'down', '--name', 'c.cjs']);
    expect(HELPER_PATH).toMatch(/adapters\/knex\/helpers\/metamig-knex\.cjs$/);
  });

  it('passes an override connection in the environment, never in argv', () => {
    const override = knexOverride(URL_WITH_PASSWORD, '/p');
    expect(override).toEqual({ engine: 'postgres', connectionString: 'postgresql://app:pa55-word@db.internal:5433/shop?sslmode=require' });
    expect(JSON.parse(overrideEnv(override).METAMIG_KNEX_OVERRIDE!)).toEqual(override);
    expect(overrideEnv(undefined)).toEqual({});
    expect(knexOverride('sqlite:///var/data/app.db', '/p')).toEqual({ engine: 'sqlite', filename: '/var/data/app.db' });
    expect(knexOverride('sqlite:data/app.db', '/proj')).toEqual({ engine: 'sqlite', filename: '/proj/data/app.db' });
  });

  it('checks options.environment', () => {
    expect(environmentOption({}, 'api:knex')).toBeUndefined();
    expect(environmentOption({ environment: 'staging' }, 'api:knex')).toBe('staging');
    expect(() => environmentOption({ environment: 3 }, 'api:knex')).toThrow(/options.environment must be a knexfile environment name/);
  });
});

describe('knex CLI equivalents', () => {
  const cjs = { knexfile: 'knexfile.cjs' };
  it('adds --knexfile only where the CLI would not find the knexfile', () => {
    expect(nativeStatus(cjs)).toBe('npx knex --knexfile knexfile.cjs migrate:list');
    expect(nativeStatus({ knexfile: 'knexfile.js', environment: 'production' })).toBe('npx knex --env production migrate:list');
  });

  it('names what really ran, with passwords masked', () => {
    const o = knexOverride(URL_WITH_PASSWORD, '/p');
    expect(nativeUp(cjs, o, 'latest', ['a.cjs', 'b.cjs'])).toBe("npx knex --knexfile knexfile.cjs --client pg --connection 'postgresql://app:***@db.internal:5433/shop?sslmode=require' migrate:latest");
    expect(nativeUp(cjs, undefined, 'to', ['a.cjs', 'b.cjs'])).toBe('npx knex --knexfile knexfile.cjs migrate:to b.cjs');
    expect(nativeUp(cjs, undefined, 'up-each', ['a.cjs', 'b.cjs'])).toBe('npx knex --knexfile knexfile.cjs migrate:up a.cjs && npx knex --knexfile knexfile.cjs migrate:up b.cjs');
    expect(nativeDown({ knexfile: 'knexfile.ts' }, knexOverride('sqlite:///tmp/x.db', '/'), ['c.ts', 'b.ts'])).toBe(
      'npx knex --client better-sqlite3 --connection /tmp/x.db migrate:down c.ts && npx knex --client better-sqlite3 --connection /tmp/x.db migrate:down b.ts',
    );
  });
});
