import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { listRepo } from '@metamig/core';
import { fixturesDir } from '@metamig/testkit';
import { detector, engineFromSettings, settingsFiles, settingsModuleFromManagePy } from './detect.js';

const scratch = mkdtempSync(join(tmpdir(), 'metamig-django-detect-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

function tree(files: Record<string, string>): string {
  const root = mkdtempSync(join(scratch, 'repo-'));
  for (const [rel, text] of Object.entries(files)) {
    mkdirSync(join(root, rel, '..'), { recursive: true });
    writeFileSync(join(root, rel), text);
  }
  return root;
}

const MANAGE = readFileSync(join(fixturesDir, 'django/basic/manage.py'), 'utf8');

describe('detect', () => {
  it('finds every Django fixture by its manage.py', () => {
    const found = detector.detect(listRepo(join(fixturesDir, 'django')));
    expect(found).toEqual(
      ['basic', 'conflicting-leaves', 'failed-migration', 'irreversible', 'rollback-gaps', 'squashed', 'two-apps-dependency'].map((root) => ({
        framework: 'django',
        root,
        configFile: `${root}/manage.py`,
      })),
    );
  });

  it('needs a manage.py that sets DJANGO_SETTINGS_MODULE and an app migrations package of its own', () => {
    const root = tree({
      'svc/a/manage.py': MANAGE,
      'svc/a/shop/migrations/__init__.py': '',
      'svc/b/manage.py': MANAGE, // Django, but no app has migrations yet
      'svc/b/shop/models.py': '',
      'svc/c/manage.py': 'import click\n\n@click.command()\ndef main():\n    pass\n', // another tool's manage.py
      'svc/c/jobs/migrations/__init__.py': '',
      'svc/d/manage.py': 'import os\nos.environ["DJANGO_SETTINGS_MODULE"] = "d.settings"\n',
      'svc/d/apps/billing/migrations/__init__.py': '',
      // A project inside a project: each owns the migrations below it.
      'mono/manage.py': MANAGE,
      'mono/core/migrations/__init__.py': '',
      'mono/tools/manage.py': MANAGE,
      'mono/tools/apps.py': '',
    });
    expect(detector.detect(listRepo(root))).toEqual([
      { framework: 'django', root: 'mono', configFile: 'mono/manage.py' },
      { framework: 'django', root: 'svc/a', configFile: 'svc/a/manage.py' },
      { framework: 'django', root: 'svc/d', configFile: 'svc/d/manage.py' },
    ]);
  });

  it('reads the settings module manage.py chooses, without running it', () => {
    expect(settingsModuleFromManagePy(MANAGE)).toBe('config.settings');
    expect(settingsModuleFromManagePy('os.environ.setdefault(\n    "DJANGO_SETTINGS_MODULE", "mysite.settings.dev"\n)')).toBe('mysite.settings.dev');
    expect(settingsModuleFromManagePy("os.environ['DJANGO_SETTINGS_MODULE'] = 'x.settings'")).toBe('x.settings');
    expect(settingsModuleFromManagePy('os.environ.setdefault("DJANGO_SETTINGS_MODULE", get_settings())')).toBeUndefined();
    expect(settingsFiles('config.settings')).toEqual(['config/settings.py', 'config/settings/__init__.py']);
  });
});

describe('describeDatabase', () => {
  it('names the settings module and never evaluates it', () => {
    const root = join(fixturesDir, 'django');
    expect(detector.describeDatabase({ framework: 'django', root: 'basic', configFile: 'basic/manage.py' }, root)).toEqual({
      engine: 'unknown', // the fixture's settings name both backends (chosen by DB_ENGINE at run time)
      source: 'tool-config',
      description: "from config.settings DATABASES['default'] (Django settings are code)",
    });
  });

  it('guesses the engine only when the settings name exactly one backend', () => {
    expect(engineFromSettings('DATABASES = {"default": {"ENGINE": "django.db.backends.postgresql", "NAME": env("DB")}}')).toBe('postgres');
    expect(engineFromSettings("ENGINE = 'django.contrib.gis.db.backends.postgis'")).toBe('postgres');
    expect(engineFromSettings('"ENGINE": "django.db.backends.sqlite3"')).toBe('sqlite');
    expect(engineFromSettings('x = "django.db.backends.sqlite3" if DEBUG else "django.db.backends.postgresql"')).toBe('unknown');
    expect(engineFromSettings('DATABASES = dj_database_url.config()')).toBe('unknown');
    expect(engineFromSettings(undefined)).toBe('unknown');
    const root = tree({
      'manage.py': MANAGE,
      'shop/migrations/__init__.py': '',
      'config/settings/__init__.py': 'DATABASES = {"default": {"ENGINE": "django.db.backends.postgresql"}}\n',
    });
    expect(detector.describeDatabase({ framework: 'django', root: '.', configFile: 'manage.py' }, root).engine).toBe('postgres');
  });
});
