import { describe, expect, it } from 'vitest';
import { defaultConfigFiles, envKeyToProperty, formatFor, parseConf, readFlywaySettings, resolveValue } from './config.js';
import { parseToml } from './toml.js';

const reader = (files: Record<string, string>) => (p: string) => files[p];
const base = { cwd: '/proj', home: '/home/u', installDir: '/opt/flyway', env: {} };

describe('parseToml', () => {
  it('reads the TOML Flyway files use', () => {
    const t = parseToml(
      [
        '# comment',
        '[environments.default]',
        'url = "jdbc:postgresql://db:5432/app" # trailing',
        "user = 'app'",
        'schemas = ["public",',
        '  "audit", ]',
        '',
        '[flyway]',
        'locations = ["filesystem:sql"]',
        'placeholders.owner = "ops"',
        'outOfOrder = true',
        'connectRetries = 3',
        '[flyway.placeholders]',
        'quoted = "a \\"b\\" \\u00e9"',
        'multi = """',
        'line"""',
        '"dotted.key" = { a = 1, b = [true, false] }',
      ].join('\n'),
    );
    expect(t).toEqual({
      environments: { default: { url: 'jdbc:postgresql://db:5432/app', user: 'app', schemas: ['public', 'audit'] } },
      flyway: {
        locations: ['filesystem:sql'],
        outOfOrder: true,
        connectRetries: 3,
        placeholders: { owner: 'ops', quoted: 'a "b" é', multi: 'line', 'dotted.key': { a: 1, b: [true, false] } },
      },
    });
  });

  it('says where a syntax error is', () => {
    expect(() => parseToml('[flyway]\nlocations = [\n"a"\nurl')).toThrow(/line 4/);
    expect(() => parseToml('a = 1\na = 2')).toThrow(/duplicate key "a"/);
  });
});

describe('Flyway config resolution', () => {
  it('merges files in Flyway order, then FLYWAY_* environment variables', () => {
    const files = {
      '/opt/flyway/conf/flyway.toml': '[flyway]\ntable = "from_install"\nsqlMigrationPrefix = "M"',
      '/home/u/flyway.user.toml': '[environments.default]\npassword = "home-secret"',
      '/proj/flyway.toml': '[environments.default]\nurl = "jdbc:sqlite:app.db"\nuser = "app"\n[flyway]\nlocations = ["filesystem:sql"]\n[flyway.placeholders]\nowner = "ops"',
      '/proj/flyway.user.toml': '[flyway]\ntable = "history"',
    };
    const s = readFlywaySettings({ ...base, configFile: '/proj/flyway.toml', read: reader(files), env: { FLYWAY_PLACEHOLDERS_REGION: 'eu', FLYWAY_OUT_OF_ORDER: 'true' } });
    expect(s).toMatchObject({
      format: 'toml',
      files: ['/opt/flyway/conf/flyway.toml', '/home/u/flyway.user.toml', '/proj/flyway.toml', '/proj/flyway.user.toml'],
      url: 'jdbc:sqlite:app.db',
      urlSource: 'flyway.toml',
      user: 'app',
      password: 'home-secret',
      table: 'history',
      sqlMigrationPrefix: 'M',
      locations: ['filesystem:sql'],
      placeholders: { owner: 'ops', region: 'eu' },
      outOfOrder: true,
      environment: 'default',
    });
    const env = readFlywaySettings({ ...base, configFile: '/proj/flyway.toml', read: reader(files), env: { FLYWAY_URL: 'jdbc:postgresql://x/y', FLYWAY_USER: 'o' } });
    expect(env).toMatchObject({ url: 'jdbc:postgresql://x/y', urlSource: 'FLYWAY_URL', user: 'o' });
  });

  it('uses the selected environment, whose [environments.x.flyway] overrides [flyway]', () => {
    const files = {
      '/proj/flyway.toml': [
        '[flyway]',
        'environment = "prod"',
        'locations = ["filesystem:sql"]',
        '[environments.default]',
        'url = "jdbc:sqlite:dev.db"',
        '[environments.prod]',
        'url = "jdbc:postgresql://prod:5432/app"',
        'password = "${env.PROD_PW}"',
        'schemas = ["app"]',
        '[environments.prod.flyway]',
        'locations = ["filesystem:prod-sql"]',
      ].join('\n'),
    };
    const s = readFlywaySettings({ ...base, configFile: '/proj/flyway.toml', read: reader(files), env: { PROD_PW: 'pw' } });
    expect(s).toMatchObject({ environment: 'prod', url: 'jdbc:postgresql://prod:5432/app', password: 'pw', schemas: ['app'], locations: ['filesystem:prod-sql'], unresolved: {} });
    const vault = readFlywaySettings({ ...base, configFile: '/proj/flyway.toml', read: reader({ '/proj/flyway.toml': '[environments.default]\npassword = "${vault.db-pw}"' }), env: {} });
    expect(vault.unresolved).toEqual({ password: '${vault.db-pw}' });
  });

  it('reads legacy flyway.conf with ${ENV} expansion', () => {
    const files = { '/proj/flyway.conf': 'flyway.url=jdbc:postgresql://${DB_HOST}:5432/app\nflyway.locations=filesystem:db/migration, filesystem:extra\nflyway.placeholders.Owner = ops\n# flyway.table=nope\nflyway.table=hist' };
    const s = readFlywaySettings({ ...base, configFile: '/proj/flyway.conf', read: reader(files), env: { DB_HOST: 'db' } });
    expect(s).toMatchObject({ format: 'conf', url: 'jdbc:postgresql://db:5432/app', locations: ['filesystem:db/migration', 'filesystem:extra'], table: 'hist', placeholders: { Owner: 'ops' } });
  });

  it('picks the configuration manager Flyway would', () => {
    expect(formatFor({ ...base, configFile: '/proj/flyway.conf', read: reader({}) })).toBe('conf');
    expect(formatFor({ ...base, read: reader({ '/proj/flyway.conf': '' }) })).toBe('conf');
    expect(formatFor({ ...base, read: reader({ '/proj/flyway.conf': '', '/home/u/flyway.toml': '' }) })).toBe('toml');
    expect(defaultConfigFiles('conf', base)).toEqual(['/opt/flyway/conf/flyway.conf', '/home/u/flyway.conf', '/proj/flyway.conf']);
  });

  it('maps environment variable names and resolvers', () => {
    expect(envKeyToProperty('FLYWAY_SQL_MIGRATION_PREFIX')).toBe('sqlMigrationPrefix');
    expect(envKeyToProperty('FLYWAY_PLACEHOLDERS_MY_NAME')).toBe('placeholders.my_name');
    expect(envKeyToProperty('FLYWAY_CONFIG_FILES')).toBeUndefined();
    expect(envKeyToProperty('PATH')).toBeUndefined();
    expect(resolveValue('!{${env.X}}', { X: 'y' })).toEqual({ value: '${env.X}', unresolved: false });
    expect(resolveValue('jdbc:postgresql://${env.HOST}/db', {})).toEqual({ value: 'jdbc:postgresql://${env.HOST}/db', unresolved: true });
    expect(parseConf('a.b = c\\\n  d\nx:y', {})).toEqual(new Map([['a.b', 'cd'], ['x', 'y']]));
  });
});
