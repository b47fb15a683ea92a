import { describe, expect, it } from 'vitest';
import { HELPER_PATH, cliFor, helperArgs, isEsmTypeScript, nativeRevert, nativeRun, nativeRunSelected, nativeStatus, overrideEnv, typeormOverride } from './argv.js';

const JS = { file: 'ds.js', esm: false };
const URL_WITH_PASSWORD = 'postgresql://app:pa55-word@db.internal:5433/shop?sslmode=require&application_name=metamig';

describe('helper argv', () => {
  it('builds one argv per operation, the helper first', () => {
    expect(helperArgs({ op: 'status' }, 'src/data-source.ts')).toEqual([HELPER_PATH, 'status', '--data-source', 'src/data-source.ts']);
    expect(helperArgs({ op: 'up' }, 'ds.js').slice(1)).toEqual(['up', '--data-source', 'ds.js']);
    expect(helperArgs({ op: 'up', names: ['A1705300000000', 'B1705400000000'] }, 'ds.js').slice(3)).toEqual(['ds.js', '--name', 'A1705300000000', '--name', 'B1705400000000']);
    expect(helperArgs({ op: 'down', names: ['B1705400000000'] }, 'ds.js').slice(1)).toEqual(['down', '--data-source', 'ds.js', '--name', 'B1705400000000']);
    expect(helperArgs({ op: 'plan', direction: 'down', names: ['B1705400000000'] }, 'ds.js').slice(1)).toEqual(['plan', '--data-source', 'ds.js', '--direction', 'down', '--name', 'B1705400000000']);
    expect(HELPER_PATH).toMatch(/adapters\/typeorm\/helpers\/metamig-typeorm\.cjs$/);
  });

  it('passes an override connection in the environment, never in argv', () => {
    const override = typeormOverride(URL_WITH_PASSWORD, '/p');
    expect(override).toEqual({ engine: 'postgres', host: 'db.internal', port: 5433, username: 'app', password: 'pa55-word', database: 'shop', ssl: { rejectUnauthorized: false }, applicationName: 'metamig' });
    expect(JSON.parse(overrideEnv(URL_WITH_PASSWORD, '/p').METAMIG_TYPEORM_OVERRIDE!)).toEqual(override);
    expect(overrideEnv(undefined, '/p')).toEqual({});
    expect(typeormOverride('postgresql://postgres@127.0.0.1:5432/app?sslmode=verify-full', '/p')).toEqual({ engine: 'postgres', host: '127.0.0.1', port: 5432, username: 'postgres', database: 'app', ssl: true });
    expect(typeormOverride('postgresql://postgres@localhost/app?host=/var/run/postgresql', '/p')).toMatchObject({ host: '/var/run/postgresql', port: 5432 });
    expect(typeormOverride('sqlite:///var/data/app.db', '/p')).toEqual({ engine: 'sqlite', database: '/var/data/app.db' });
    expect(typeormOverride('sqlite:data/app.db', '/proj')).toEqual({ engine: 'sqlite', database: '/proj/data/app.db' });
  });
});

describe('the typeorm CLI equivalents', () => {
  it('uses the ts-node CLI for TypeScript data sources, the plain one for JavaScript', () => {
    expect(cliFor('src/data-source.ts')).toBe('typeorm-ts-node-commonjs');
    expect(cliFor('src/data-source.cts')).toBe('typeorm-ts-node-commonjs');
    expect(cliFor('dist/data-source.js')).toBe('typeorm');
    expect(cliFor('src/data-source.ts', true)).toBe('typeorm-ts-node-esm');
    expect(isEsmTypeScript('src/data-source.mts', undefined)).toBe(true);
    expect(isEsmTypeScript('src/data-source.ts', 'module')).toBe(true);
    expect(isEsmTypeScript('src/data-source.ts', 'commonjs')).toBe(false);
    expect(isEsmTypeScript('dist/data-source.js', 'module')).toBe(false);
    expect(helperArgs({ op: 'status' }, 'src/data-source.ts', true)).toEqual(['--loader', 'ts-node/esm', '--no-warnings', HELPER_PATH, 'status', '--data-source', 'src/data-source.ts']);
    expect(nativeRun({ file: 'src/data-source.ts', esm: true }, undefined, '/p')).toBe('npx typeorm-ts-node-esm migration:run -d src/data-source.ts');
    expect(nativeStatus({ file: 'src/data-source.ts', esm: false }, undefined, '/p')).toBe('npx typeorm-ts-node-commonjs migration:show -d src/data-source.ts');
    expect(nativeRun({ file: 'dist/data-source.js', esm: false }, undefined, '/p')).toBe('npx typeorm migration:run -d dist/data-source.js');
  });

  it('reverts once per step, and says when the connection was replaced (without the password)', () => {
    expect(nativeRevert(JS, undefined, '/p', 1)).toBe('npx typeorm migration:revert -d ds.js');
    expect(nativeRevert(JS, undefined, '/p', 3)).toBe('npx typeorm migration:revert -d ds.js && npx typeorm migration:revert -d ds.js && npx typeorm migration:revert -d ds.js');
    const withUrl = nativeRevert(JS, URL_WITH_PASSWORD, '/p', 2);
    expect(withUrl).toBe("npx typeorm migration:revert -d ds.js && npx typeorm migration:revert -d ds.js   # with the data source's connection replaced by postgres app@db.internal:5433/shop");
    expect(withUrl).not.toContain('pa55-word');
  });

  it('says that no command runs only some pending migrations', () => {
    expect(nativeRunSelected({ file: 'src/data-source.ts', esm: false }, undefined, '/p', ['Seed1705600000000'])).toBe(
      '(none: `npx typeorm-ts-node-commonjs migration:run -d src/data-source.ts` runs every pending migration, including Seed1705600000000)',
    );
  });
});
