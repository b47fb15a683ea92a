import { describe, expect, it } from 'vitest';
import { flywayArgs, flywayOverride, locationsOption, nativeCommand, overrideEnv, resolveLocations } from './argv.js';
import { parseMigrationName, compareVersions } from './files.js';

const inv = { root: '/p', configFile: '/p/flyway.toml', locations: ['/p/sql', '/p/more'] };

describe('argv', () => {
  it('names the config file and the locations, fails on a missing location, JSON out, several commands in one JVM', () => {
    expect(flywayArgs(inv, ['info', 'validate'])).toEqual([
      '-configFiles=/p/flyway.toml',
      '-locations=filesystem:/p/sql,filesystem:/p/more',
      '-failOnMissingLocations=true',
      '-outputType=json',
      'info',
      'validate',
    ]);
    expect(flywayArgs({ ...inv, outOfOrder: true }, ['migrate'], ['-target=3'])).toEqual([
      '-configFiles=/p/flyway.toml',
      '-locations=filesystem:/p/sql,filesystem:/p/more',
      '-failOnMissingLocations=true',
      '-outOfOrder=true',
      '-target=3',
      '-outputType=json',
      'migrate',
    ]);
  });

  it('hands an override database to Flyway through its environment variables, never argv', () => {
    const o = flywayOverride('postgresql://app:p%40ss@db:5433/billing?sslmode=require', '/p');
    expect(overrideEnv(o)).toEqual({ FLYWAY_URL: 'jdbc:postgresql://db:5433/billing?sslmode=require', FLYWAY_USER: 'app', FLYWAY_PASSWORD: 'p@ss' });
    const args = flywayArgs({ ...inv, override: o }, ['migrate']).join(' ');
    expect(args).not.toContain('p@ss');
    expect(args).not.toContain('FLYWAY_');
    // SQLite: the user/password of the project's config must not apply to the override either.
    expect(overrideEnv(flywayOverride('sqlite:///tmp/x.db', '/p'))).toEqual({ FLYWAY_URL: 'jdbc:sqlite:/tmp/x.db', FLYWAY_USER: '', FLYWAY_PASSWORD: '' });
  });

  it('shows what a person would type, relative to the project and with the password masked', () => {
    expect(nativeCommand(inv, ['info', 'validate'])).toBe('flyway -configFiles=flyway.toml -locations=filesystem:sql,filesystem:more info validate');
    const o = flywayOverride('postgresql://app:pw123@db:5433/billing', '/p');
    expect(nativeCommand({ ...inv, override: o }, ['migrate'], ['-target=2'])).toBe('FLYWAY_URL=jdbc:postgresql://db:5433/billing FLYWAY_USER=app FLYWAY_PASSWORD=*** flyway -configFiles=flyway.toml -locations=filesystem:sql,filesystem:more -target=2 migrate');
  });
});

describe('resolveLocations', () => {
  const existing = new Set(['/p/sql', '/p/migrations', '/p/src/main/resources/db/migration']);
  const exists = (p: string) => existing.has(p);

  it('metamig config first, then the Flyway config, relative to the project', () => {
    expect(resolveLocations('/p', ['filesystem:sql'], ['db/x', 'filesystem:/abs'], exists).dirs).toEqual(['/p/db/x', '/abs']);
    expect(resolveLocations('/p', ['filesystem:sql', 'filesystem:/abs/more'], undefined, exists)).toMatchObject({ dirs: ['/p/sql', '/abs/more'], origin: 'flyway-config', problems: [] });
  });

  it('maps classpath locations to src/main/resources, refuses what it cannot read', () => {
    const r = resolveLocations('/p', ['classpath:db/migration', 'db/migration'], undefined, exists);
    expect(r.dirs).toEqual(['/p/src/main/resources/db/migration', '/p/src/main/resources/db/migration']);
    expect(r.warnings[0]).toContain('the Flyway command line does not see the project');
    expect(resolveLocations('/p', ['classpath:nope', 's3:bucket/x', 'filesystem:sql/*'], undefined, exists).problems).toEqual([
      expect.stringContaining('classpath:nope: a classpath location'),
      expect.stringContaining('s3: locations are not supported'),
      expect.stringContaining('wildcard locations'),
    ]);
  });

  it('falls back to the first conventional folder that holds migrations, and says so', () => {
    const r = resolveLocations('/p', undefined, undefined, exists, (d) => d === '/p/migrations');
    expect(r).toMatchObject({ dirs: ['/p/migrations'], origin: 'default' });
    expect(r.warnings[0]).toContain('metamig uses migrations');
    expect(resolveLocations('/q', undefined, undefined, exists).problems[0]).toContain('no locations configured');
  });

  it('reads options.locations', () => {
    expect(locationsOption({ locations: 'a, b' })).toEqual(['a', 'b']);
    expect(locationsOption({ locations: ['a'] })).toEqual(['a']);
    expect(locationsOption({})).toBeUndefined();
    expect(locationsOption({ locations: 3 })).toEqual([]);
  });
});

describe('Flyway file names and versions', () => {
  const naming = { sqlMigrationPrefix: 'V', undoSqlMigrationPrefix: 'U', repeatableSqlMigrationPrefix: 'R', sqlMigrationSeparator: '__', sqlMigrationSuffixes: ['.sql'] };
  it('reads V, U and R names as Flyway does', () => {
    expect(parseMigrationName('V1_2__add_users_email.sql', naming)).toEqual({ kind: 'versioned', version: '1.2', description: 'add users email' });
    expect(parseMigrationName('U3__x.sql', naming)).toEqual({ kind: 'undo', version: '3', description: 'x' });
    expect(parseMigrationName('R__users_view.sql', naming)).toEqual({ kind: 'repeatable', description: 'users view' });
    for (const bad of ['V1_init.sql', 'Vx__a.sql', 'V1__a.txt', 'R1__a.sql', 'B1__baseline.sql', 'v1__a.sql']) expect(parseMigrationName(bad, naming)).toBeUndefined();
    expect(parseMigrationName('M1-x.sql.up', { ...naming, sqlMigrationPrefix: 'M', sqlMigrationSeparator: '-', sqlMigrationSuffixes: ['.sql.up'] })).toEqual({ kind: 'versioned', version: '1', description: 'x' });
  });
  it('compares versions numerically, trailing zeros ignored', () => {
    expect(compareVersions('1.10', '1.9')).toBe(1);
    expect(compareVersions('1.0', '1')).toBe(0);
    expect(compareVersions('2', '10')).toBe(-1);
    expect(compareVersions('1_1', '1.1')).toBe(0);
  });
});
