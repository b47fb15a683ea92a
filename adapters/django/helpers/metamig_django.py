"""metamig's bridge to Django: the project's own manage.py and Django's migration API.

Usage (run from the project root, the folder of manage.py, with the project's Python):
  metamig_django.py version
  metamig_django.py status
  metamig_django.py sqlmigrate [--backwards] -- <app.name> ...
  metamig_django.py manage -- <manage.py arguments, e.g. migrate shop 0002_product_sku>

The project is set up exactly as `python manage.py` sets it up: manage.py itself runs (it chooses
DJANGO_SETTINGS_MODULE, loads .env files, extends sys.path …) and hands its argv to
`execute_from_command_line`, which this helper intercepts. Before Django connects, the database
override (if any) replaces settings.DATABASES['default']: it is read from the environment variable
METAMIG_DJANGO_DATABASE (a JSON settings dict, never argv, which `ps` shows).
METAMIG_DJANGO_SETTINGS, when set, forces DJANGO_SETTINGS_MODULE.

`status` prints one JSON document and never creates django_migrations (Django's recorder only
checks has_table()); on SQLite it does not even connect while the database file does not exist
(connecting would create an empty file).

Exit codes: 0 ok; 1 Python exception (traceback on stderr, as manage.py itself) or a management
command's CommandError; 2 usage; 3 Django cannot be imported; 4 the database override did not
reach the connection; 5 manage.py missing or it never called execute_from_command_line.
"""
import io
import json
import os
import platform
import runpy
import sys

EXIT_USAGE = 2
EXIT_NOT_INSTALLED = 3
EXIT_OVERRIDE_LOST = 4
EXIT_NO_MANAGE = 5

DATABASE_ENV = "METAMIG_DJANGO_DATABASE"
SETTINGS_ENV = "METAMIG_DJANGO_SETTINGS"


def die(code, message):
    sys.stderr.write("metamig: " + message.rstrip("\n") + "\n")
    sys.exit(code)


def module_version(name):
    try:
        module = __import__(name)
    except Exception:  # a broken driver (e.g. psycopg without libpq) counts as missing
        return None
    return str(getattr(module, "__version__", "unknown")).split(" ")[0]


def import_django():
    try:
        import django  # noqa: F401
    except ImportError as e:
        die(EXIT_NOT_INSTALLED, "cannot import django in %s: %s" % (sys.executable, e))


# ---- project setup through manage.py ---------------------------------------------------------------

def run_manage_py(argv, then):
    """Run ./manage.py with `argv`; when it calls execute_from_command_line, call then(argv) instead."""
    import django.core.management as management

    if not os.path.isfile("manage.py"):
        die(EXIT_NO_MANAGE, "no manage.py in %s" % os.getcwd())
    called = []

    def intercepted(command_argv=None):
        called.append(True)
        then(list(command_argv if command_argv is not None else sys.argv))

    management.execute_from_command_line = intercepted
    sys.argv = ["manage.py"] + argv
    # manage.py runs as a script: its folder first on sys.path, not this helper's.
    sys.path[0] = os.getcwd()
    runpy.run_path("manage.py", run_name="__main__")
    if not called:
        die(EXIT_NO_MANAGE, "manage.py finished without calling django.core.management.execute_from_command_line")


def apply_database_override(override):
    """Replace DATABASES['default'] before anything connects (Django reads it lazily)."""
    from django.conf import settings

    if override is None:
        return
    databases = dict(getattr(settings, "DATABASES", {}) or {})
    databases["default"] = override
    settings.DATABASES = databases


def check_override_reached(override):
    from django.db import connections

    if override is None:
        return
    actual = connections["default"].settings_dict
    if actual.get("ENGINE") != override["ENGINE"] or str(actual.get("NAME")) != str(override["NAME"]):
        die(
            EXIT_OVERRIDE_LOST,
            "the database override did not reach Django's connection: something configured "
            "connections before manage.py called execute_from_command_line (default is %s %s)"
            % (actual.get("ENGINE"), actual.get("NAME")),
        )


def setup_django(override):
    import django

    apply_database_override(override)
    django.setup()
    check_override_reached(override)


# ---- status -----------------------------------------------------------------------------------------

def key_id(key):
    return "%s.%s" % key


def sqlite_file(connection):
    """The SQLite file of `connection`, or None (not SQLite, in-memory, or a URI)."""
    if connection.vendor != "sqlite":
        return None
    name = str(connection.settings_dict.get("NAME") or "")
    if not name or name == ":memory:" or name.startswith("file:"):
        return None
    return os.path.abspath(name)


def describe_database(connection):
    s = connection.settings_dict
    if connection.vendor == "sqlite":
        return "sqlite %s" % (sqlite_file(connection) or s.get("NAME"))
    host = s.get("HOST") or "localhost"
    port = ":%s" % s["PORT"] if s.get("PORT") else ""
    user = "%s@" % s["USER"] if s.get("USER") else ""
    return "%s %s%s%s/%s" % (connection.vendor, user, host, port, s.get("NAME"))


def operation_reversibility(op):
    """(reversible, reason) for one operation, as Django's unapply() will see it."""
    from django.db.migrations.operations.special import RunPython, RunSQL, SeparateDatabaseAndState

    if isinstance(op, RunPython) and op.reverse_code is None:
        name = getattr(op.code, "__name__", repr(op.code))
        return False, "RunPython(%s) has no reverse_code" % name
    if isinstance(op, RunSQL) and op.reverse_sql is None:
        return False, "RunSQL has no reverse_sql"
    if isinstance(op, SeparateDatabaseAndState):
        for sub in op.database_operations:
            ok, why = operation_reversibility(sub)
            if not ok:
                return False, "SeparateDatabaseAndState: %s" % why
    if not op.reversible:
        return False, "%s is not reversible (operation.reversible is False)" % op.describe()
    return True, None


def migration_file(migration):
    module = sys.modules.get(type(migration).__module__)
    path = getattr(module, "__file__", None)
    if not path:
        return None
    rel = os.path.relpath(os.path.abspath(path), os.getcwd())
    return None if rel.startswith("..") else rel.replace(os.sep, "/")


def describe_migration(key, migration, loader, records):
    in_graph = key in loader.graph.nodes
    if in_graph:
        parents = sorted(key_id(p.key) for p in loader.graph.node_map[key].parents)
    else:
        parents = sorted(key_id(d) for d in migration.dependencies if d[1] not in ("__first__", "__latest__"))
    ops = []
    reasons = []
    for i, op in enumerate(migration.operations):
        ok, why = operation_reversibility(op)
        ops.append({"op": type(op).__name__, "describe": op.describe(), "reversible": ok})
        if not ok:
            reasons.append("operation %d: %s" % (i + 1, why))
    record = records.get(key)
    same_app_parents = [p for p in parents if p.split(".", 1)[0] == key[0]]
    return {
        "id": key_id(key),
        "app": key[0],
        "name": key[1],
        "file": migration_file(migration),
        "in_graph": in_graph,
        "parents": parents,
        "replaces": [key_id(tuple(r)) for r in (migration.replaces or [])],
        "is_merge": len(same_app_parents) > 1,
        "atomic": bool(migration.atomic),
        "initial": bool(migration.initial),
        "operations": ops,
        "reversible": not reasons,
        "irreversible_reasons": reasons,
        "recorded": record is not None,
        "record_id": record["id"] if record else None,
        "applied_at": record["applied"] if record else None,
        "applied": key in loader.applied_migrations,
    }


def collect_status():
    import django
    from django.db import DEFAULT_DB_ALIAS, connections
    from django.db.migrations.exceptions import InconsistentMigrationHistory
    from django.db.migrations.executor import MigrationExecutor
    from django.db.migrations.loader import MigrationLoader
    from django.db.migrations.recorder import MigrationRecorder

    connection = connections[DEFAULT_DB_ALIAS]
    file = sqlite_file(connection)
    exists = file is None or os.path.exists(file)
    records = {}
    rows = []
    has_table = False
    if exists:
        recorder = MigrationRecorder(connection)
        has_table = recorder.has_table()  # a check only: never ensure_schema()
        if has_table:
            for r in recorder.migration_qs.order_by("id").values("id", "app", "name", "applied"):
                row = {"id": r["id"], "app": r["app"], "name": r["name"], "applied": r["applied"].isoformat() if r["applied"] else None}
                rows.append(row)
                records[(r["app"], r["name"])] = row
    # No database file yet: a loader without a connection sees nothing applied, and creates nothing.
    loader = MigrationLoader(connection if exists else None, ignore_no_migrations=True)
    inconsistent = None
    if exists:
        try:
            loader.check_consistent_history(connection)
        except InconsistentMigrationHistory as e:
            inconsistent = str(e)

    executor = MigrationExecutor.__new__(MigrationExecutor)  # Django's planner over our loader
    executor.connection, executor.loader, executor.recorder, executor.progress_callback = connection, loader, None, None
    leaves = loader.graph.leaf_nodes()
    plan = ["%s.%s" % (m.app_label, m.name) for m, backwards in executor.migration_plan(leaves) if not backwards]
    full_plan = ["%s.%s" % (m.app_label, m.name) for m, _ in executor.migration_plan(leaves, clean_start=True)]

    migrations = [describe_migration(k, m, loader, records) for k, m in sorted(loader.disk_migrations.items())]
    replaced = {r for m in migrations for r in m["replaces"]}
    return {
        "django_version": django.get_version(),
        "python_version": platform.python_version(),
        "settings_module": os.environ.get("DJANGO_SETTINGS_MODULE"),
        "database": {
            "vendor": connection.vendor,
            "engine": connection.settings_dict.get("ENGINE"),
            "display": describe_database(connection),
            "can_rollback_ddl": bool(connection.features.can_rollback_ddl),
            "sqlite_file": file,
            "exists": exists,
        },
        "history_table": has_table,
        "apps": sorted(loader.migrated_apps),
        "migrations": migrations,
        "recorded": rows,
        "unknown_recorded": [
            "%s.%s" % k for k in records if k not in loader.disk_migrations and "%s.%s" % k not in replaced
        ],
        "leaf_nodes": [key_id(k) for k in leaves],
        "conflicts": {app: ["%s.%s" % (app, n) for n in names] for app, names in sorted(loader.detect_conflicts().items())},
        "plan": plan,
        "full_plan": full_plan,
        "inconsistent": inconsistent,
    }


# ---- sqlmigrate -------------------------------------------------------------------------------------

def operation_summary(op, backwards):
    """What sqlmigrate cannot show as SQL is named here: the Python function RunPython would call."""
    summary = {"op": type(op).__name__, "describe": op.describe(), "reduces_to_sql": bool(op.reduces_to_sql)}
    code = getattr(op, "reverse_code" if backwards else "code", None)
    if code is not None and callable(code):
        summary["code"] = getattr(code, "__qualname__", getattr(code, "__name__", repr(code)))
    return summary


def collect_sqlmigrate(ids, backwards):
    from django.core.management import call_command
    from django.core.management.base import CommandError
    from django.db import DEFAULT_DB_ALIAS, connections
    from django.db.migrations.loader import MigrationLoader
    from django.db.migrations.recorder import MigrationRecorder

    connection = connections[DEFAULT_DB_ALIAS]
    file = sqlite_file(connection)
    file_before = file is not None and os.path.exists(file)
    table_before = (file is None or file_before) and MigrationRecorder(connection).has_table()
    disk = MigrationLoader(None, ignore_no_migrations=True).disk_migrations
    results = []
    for mid in ids:
        app, _, name = mid.partition(".")
        out, err = io.StringIO(), io.StringIO()
        entry = {"id": mid, "operations": [operation_summary(op, backwards) for op in getattr(disk.get((app, name)), "operations", [])]}
        try:
            call_command("sqlmigrate", app, name, backwards=backwards, stdout=out, stderr=err, no_color=True)
            entry.update(ok=True, sql=out.getvalue(), stderr=err.getvalue())
        except CommandError as e:
            entry.update(ok=False, sql=out.getvalue(), stderr=err.getvalue(), error="CommandError: %s" % e)
        except Exception as e:  # IrreversibleError, a database error while introspecting …
            entry.update(ok=False, sql=out.getvalue(), stderr=err.getvalue(), error="%s: %s" % (type(e).__name__, e))
        results.append(entry)
    file_after = file is not None and os.path.exists(file)
    table_after = (file is None or file_after) and MigrationRecorder(connection).has_table()
    return {
        "results": results,
        "vendor": connection.vendor,
        "sqlite_file": file,
        "created_sqlite_file": bool(file) and not file_before and file_after,
        "created_history_table": bool(table_after and not table_before),
    }


# ---- entry point ------------------------------------------------------------------------------------

def split_dashdash(args):
    if "--" in args:
        i = args.index("--")
        return args[:i], args[i + 1:]
    return args, []


def main(argv):
    if not argv:
        die(EXIT_USAGE, "usage: metamig_django.py version|status|sqlmigrate|manage ...")
    command, rest = argv[0], argv[1:]
    if command == "version":
        import_django()
        import django

        print(json.dumps({
            "python": platform.python_version(),
            "django": django.get_version(),
            "drivers": {"psycopg": module_version("psycopg"), "psycopg2": module_version("psycopg2")},
        }))
        return
    if command not in ("status", "sqlmigrate", "manage"):
        die(EXIT_USAGE, "unknown command %r" % command)
    import_django()

    raw = os.environ.pop(DATABASE_ENV, None)
    override = json.loads(raw) if raw else None
    forced_settings = os.environ.pop(SETTINGS_ENV, None)
    if forced_settings:
        os.environ["DJANGO_SETTINGS_MODULE"] = forced_settings

    options, positional = split_dashdash(rest)
    if command == "manage":
        def then(command_argv):
            from django.core.management import ManagementUtility

            apply_database_override(override)
            if override is not None:
                import django

                django.setup()
                check_override_reached(override)
            ManagementUtility(command_argv).execute()

        run_manage_py(positional, then)
        return

    def then(_argv):
        setup_django(override)
        if command == "status":
            doc = collect_status()
        else:
            doc = collect_sqlmigrate(positional, "--backwards" in options)
        sys.stdout.write(json.dumps(doc) + "\n")

    # manage.py sees a harmless argv: its own logic (settings module, sys.path …) runs as usual.
    run_manage_py(["help"], then)


if __name__ == "__main__":
    main(sys.argv[1:])
