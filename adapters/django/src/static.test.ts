import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fixturesDir } from '@metamig/testkit';
import { NotExact, defaultAppConfig, readAppConfigs, readMigration, readSettings, settingsModule } from './static.js';

const fixture = (rel: string) => readFileSync(join(fixturesDir, 'django', rel), 'utf8');
const MANAGE = fixture('basic/manage.py');
const SETTINGS = fixture('basic/config/settings.py');

describe('settingsModule', () => {
  it("follows manage.py's setdefault unless metamig forces a module or the environment already has one", () => {
    expect(settingsModule(MANAGE, {})).toBe('config.settings');
    expect(settingsModule(MANAGE, { inherited: 'config.prod' })).toBe('config.prod');
    expect(settingsModule(MANAGE, { forced: 'config.forced', inherited: 'config.prod' })).toBe('config.forced');
  });

  it('a plain assignment in manage.py wins over everything; code that changes imports refuses', () => {
    const assigned = 'import os\nos.environ["DJANGO_SETTINGS_MODULE"] = "site.settings"\n';
    expect(settingsModule(assigned, { forced: 'x.y' })).toBe('site.settings');
    expect(() => settingsModule(`import sys\nsys.path.insert(0, "src")\n${MANAGE}`, {})).toThrow(/sys\.path/);
    expect(() => settingsModule(`from dotenv import load_dotenv\n${MANAGE}`, {})).toThrow(/dotenv/);
    expect(() => settingsModule('os.environ.setdefault("DJANGO_SETTINGS_MODULE", name)\n', {})).toThrow(NotExact);
  });
});

describe('readSettings', () => {
  it("reads the fixture's INSTALLED_APPS, USE_TZ and the default AUTH_USER_MODEL", () => {
    expect(readSettings(SETTINGS, 'config/settings.py')).toEqual({ installedApps: ['shop'], useTz: true, authUserModel: 'auth.User' });
    expect(readSettings('INSTALLED_APPS = ("a", "b.apps.BConfig")\nUSE_TZ = False\nAUTH_USER_MODEL = "accounts.User"\n', 's.py')).toEqual({
      installedApps: ['a', 'b.apps.BConfig'],
      useTz: false,
      authUserModel: 'accounts.User',
    });
  });

  it('refuses settings computed in code, with the reason', () => {
    const cases: [string, RegExp][] = [
      [`${SETTINGS}\nINSTALLED_APPS += ["debug_toolbar"]\n`, /computes INSTALLED_APPS in code/],
      [`${SETTINGS}\nINSTALLED_APPS.append("x")\n`, /computes INSTALLED_APPS in code/],
      ['INSTALLED_APPS = BASE_APPS + ["x"]\nUSE_TZ = True\n', /expression/],
      ['if DEBUG:\n    INSTALLED_APPS = ["a"]\nUSE_TZ = True\n', /computes INSTALLED_APPS in code/],
      ['from .base import *\nINSTALLED_APPS = ["a"]\n', /import \*/],
      ['INSTALLED_APPS = ["a"]\n', /USE_TZ/],
      ['INSTALLED_APPS = ["a"]\nUSE_TZ = True\nMIGRATION_MODULES = {}\n', /MIGRATION_MODULES/],
      ['INSTALLED_APPS = ["a"]\nUSE_TZ = True\nglobals().update(x)\n', /globals/],
      ['USE_TZ = True\n', /no INSTALLED_APPS/],
    ];
    for (const [src, why] of cases) expect(() => readSettings(src, 's.py'), src).toThrow(why);
  });
});

describe('AppConfig resolution', () => {
  it("picks the fixture's only AppConfig", () => {
    const classes = readAppConfigs(fixture('basic/shop/apps.py'), 'shop/apps.py');
    expect(defaultAppConfig(classes, 'apps.py')).toEqual({ isAppConfig: true, name: 'shop' });
  });

  it("follows Django's rules: default = False excluded, default = True preferred, attributes inherited within the file", () => {
    const admin = `from django.apps import AppConfig\nfrom django.utils.translation import gettext_lazy as _\n\nclass SimpleAdminConfig(AppConfig):\n    name = "django.contrib.admin"\n    default = False\n    verbose_name = _("Administration")\n\n    def ready(self):\n        pass\n\nclass AdminConfig(SimpleAdminConfig):\n    default = True\n`;
    expect(defaultAppConfig(readAppConfigs(admin, 'apps.py'), 'apps.py')).toEqual({ isAppConfig: true, name: 'django.contrib.admin', default: true });
    const two = 'from django.apps import AppConfig\nclass A(AppConfig):\n    name = "a"\nclass B(AppConfig):\n    name = "a"\n    label = "b"\n';
    expect(defaultAppConfig(readAppConfigs(two, 'apps.py'), 'apps.py')).toBeUndefined(); // two candidates, no default: plain AppConfig
    const both = two.replace('name = "a"\nclass B', 'name = "a"\n    default = True\nclass B').replace('label = "b"', 'label = "b"\n    default = True');
    expect(() => defaultAppConfig(readAppConfigs(both, 'apps.py'), 'apps.py')).toThrow(/several default/);
  });

  it('refuses what only importing the module could tell', () => {
    expect(() => readAppConfigs('from django.contrib.admin.apps import AdminConfig\n', 'apps.py')).toThrow(/imports AdminConfig/);
    expect(() => readAppConfigs('from django.apps import AppConfig\nclass A(AppConfig):\n    name = compute()\n', 'apps.py')).toThrow(/not a literal/);
    expect(() => readAppConfigs('from base import Base\nclass A(Base, AppConfig):\n    name = "a"\n', 'apps.py')).toThrow(/derives from/);
  });
});

describe('readMigration', () => {
  it('reads dependencies, replaces, run_before and atomic of real migrations', () => {
    expect(readMigration(fixture('basic/shop/migrations/0001_initial.py'), 'f')).toEqual({ dependencies: [], replaces: [], runBefore: [], atomic: true });
    expect(readMigration(fixture('two-apps-dependency/orders/migrations/0001_initial.py'), 'f').dependencies).toEqual([{ app: 'catalog', name: '0002_product_sku' }]);
    expect(readMigration(fixture('squashed/shop/migrations/0001_squashed_0003_product_sku_index.py'), 'f').replaces).toEqual([
      { app: 'shop', name: '0001_initial' },
      { app: 'shop', name: '0002_product_sku' },
      { app: 'shop', name: '0003_product_sku_index' },
    ]);
    const src = 'from django.conf import settings\nfrom django.db import migrations\n\nclass Migration(migrations.Migration):\n    atomic = False\n    dependencies = [\n        migrations.swappable_dependency(settings.AUTH_USER_MODEL),\n        ("contenttypes", "__first__"),\n    ]\n    run_before = [("other", "0001_initial")]\n    operations = [migrations.RunSQL("SELECT 1")]\n';
    expect(readMigration(src, 'f')).toEqual({
      dependencies: [{ swappable: 'settings.AUTH_USER_MODEL' }, { app: 'contenttypes', name: '__first__' }],
      replaces: [],
      runBefore: [{ app: 'other', name: '0001_initial' }],
      atomic: false,
    });
  });

  it('refuses a Migration class it cannot read exactly', () => {
    const base = 'from django.db import migrations\n\nclass Migration(migrations.Migration):\n    dependencies = [("a", "0001")]\n';
    const cases: [string, RegExp][] = [
      [base.replace('[("a", "0001")]', 'DEPS'), /dependencies is not a list/],
      [base.replace('[("a", "0001")]', '[("a", "0001")] + EXTRA'), /not a literal/],
      [`${base}\nMigration.dependencies.append(("b", "0001"))\n`, /defined or changed in code/],
      [base.replace('migrations.Migration', 'BaseMigration'), /derives from BaseMigration/],
      [base.replace('("a", "0001")', '["a", "0001"]'), /not an \("app", "name"\) tuple/],
      [`${base}\n    def __init__(self, *a):\n        super().__init__(*a)\n`, /defines methods/],
      [base.replace('class Migration', '@decorate\nclass Migration'), /decorated/],
      ['from django.db import migrations\n', /Migration class/],
    ];
    for (const [src, why] of cases) expect(() => readMigration(src, 'f'), src).toThrow(why);
  });
});
