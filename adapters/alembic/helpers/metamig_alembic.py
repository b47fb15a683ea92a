"""metamig's bridge to Alembic: Alembic's own API and command line, plus one JSON status document.

Usage (run from the project root, with the project's Python):
  metamig_alembic.py version
  metamig_alembic.py status [--url-env VAR] [-- <alembic global options: -c/-n/-x>]
  metamig_alembic.py cli    [--url-env VAR] -- <alembic arguments, e.g. upgrade heads>

--url-env VAR: the database URL is read from the environment variable VAR (never from argv, which
`ps` shows), set as the `sqlalchemy.url` main option and exported as DATABASE_URL for env.py files
that read the environment. If env.py then connects somewhere else, the run stops before any
migration (exit 4) instead of silently using the project's own database.

Exit codes: 0 ok; 1 Python exception (traceback on stderr, as `alembic` itself); 2 usage;
3 alembic or a database driver cannot be imported; 4 env.py ignored the injected URL;
255 Alembic's own `FAILED: ...` errors (as `alembic` itself).
"""
import ast
import contextlib
import json
import os
import platform
import sys

EXIT_USAGE = 2
EXIT_NOT_INSTALLED = 3
EXIT_URL_IGNORED = 4


class UrlIgnored(Exception):
    """env.py connected to another database than the one metamig passed."""


def die(code, message):
    sys.stderr.write(message.rstrip("\n") + "\n")
    sys.exit(code)


def import_alembic():
    try:
        import alembic  # noqa: F401
        import sqlalchemy  # noqa: F401
    except ImportError as e:
        die(EXIT_NOT_INSTALLED, "metamig: cannot import alembic in %s: %s" % (sys.executable, e))


def module_version(name):
    try:
        module = __import__(name)
    except Exception:  # a broken driver (e.g. psycopg without libpq) counts as missing
        return None
    return str(getattr(module, "__version__", "unknown")).split(" ")[0]


# ---- database URL injection ---------------------------------------------------------------------

def injected_url(env_var):
    url = os.environ.pop(env_var, None)
    if not url:
        die(EXIT_USAGE, "metamig: --url-env %s given but the variable is empty" % env_var)
    # Prefer psycopg (v3); fall back to psycopg2 when only that one is installed.
    prefix = "postgresql+psycopg://"
    if url.startswith(prefix) and module_version("psycopg") is None:
        if module_version("psycopg2") is None:
            die(EXIT_NOT_INSTALLED, "metamig: neither psycopg (v3) nor psycopg2 can be imported in %s" % sys.executable)
        url = "postgresql+psycopg2://" + url[len(prefix):]
    os.environ["DATABASE_URL"] = url
    return url


def same_database(actual, expected):
    if actual.get_backend_name() != expected.get_backend_name():
        return False
    if expected.get_backend_name() == "sqlite":
        a, e = actual.database or "", expected.database or ""
        return a == e or (a not in ("", ":memory:") and os.path.realpath(a) == os.path.realpath(e))
    default_port = 5432 if expected.get_backend_name() == "postgresql" else None
    return (
        (actual.host or "localhost") == (expected.host or "localhost")
        and (actual.port or default_port) == (expected.port or default_port)
        and actual.database == expected.database
        and actual.username == expected.username
    )


def guard_url(expected_url):
    """Check, when env.py configures Alembic, that it uses the injected database."""
    import inspect

    from alembic.runtime.environment import EnvironmentContext
    from sqlalchemy.engine import make_url

    expected = make_url(expected_url)
    original = EnvironmentContext.configure
    signature = inspect.signature(original)

    def configure(self, *args, **kw):
        bound = signature.bind_partial(self, *args, **kw).arguments
        actual = None
        if bound.get("connection") is not None:
            actual = bound["connection"].engine.url
        elif bound.get("url") is not None:
            actual = make_url(bound["url"])
        if actual is not None and not same_database(actual, expected):
            raise UrlIgnored(
                "env.py connected to %s, not to the database metamig passed (%s). metamig sets the "
                "sqlalchemy.url option and DATABASE_URL; make env.py use one of them."
                % (actual.render_as_string(hide_password=True), expected.render_as_string(hide_password=True))
            )
        return original(self, *args, **kw)

    EnvironmentContext.configure = configure


# ---- static reversibility check -------------------------------------------------------------------

def _body_without_docstring(fn):
    body = list(fn.body)
    if body and isinstance(body[0], ast.Expr) and isinstance(getattr(body[0], "value", None), ast.Constant) \
            and isinstance(body[0].value.value, str):
        body = body[1:]
    return body


def _is_noop(stmt):
    return isinstance(stmt, ast.Pass) or (
        isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Constant) and stmt.value.value is Ellipsis
    )


def _raised_name(stmt):
    exc = stmt.exc
    if isinstance(exc, ast.Call):
        exc = exc.func
    if isinstance(exc, ast.Name):
        return exc.id
    if isinstance(exc, ast.Attribute):
        return exc.attr
    return "an exception"


def analyse_source(path):
    """Cheap, honest facts from the revision's source: is downgrade() a no-op or an unconditional raise?"""
    result = {"reversible": "unknown", "irreversible_reason": None, "autocommit_block": False}
    if not path or not path.endswith(".py"):
        return result
    try:
        with open(path, "rb") as f:
            tree = ast.parse(f.read(), filename=path)
    except (OSError, SyntaxError, ValueError):
        return result
    funcs = {n.name: n for n in tree.body if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))}
    up, down = funcs.get("upgrade"), funcs.get("downgrade")
    result["autocommit_block"] = up is not None and any(
        isinstance(n, ast.Attribute) and n.attr == "autocommit_block" for n in ast.walk(up)
    )
    up_body = _body_without_docstring(up) if up else []
    up_is_noop = all(_is_noop(s) for s in up_body)
    if down is None:
        result.update(reversible=False, irreversible_reason="the revision has no downgrade() function")
        return result
    body = _body_without_docstring(down)
    raises = [s for s in body if isinstance(s, ast.Raise)]
    if raises:
        result.update(reversible=False, irreversible_reason="downgrade() always raises %s" % _raised_name(raises[0]))
    elif all(_is_noop(s) for s in body) and not up_is_noop:
        result.update(
            reversible=False,
            irreversible_reason="downgrade() is empty (pass): rolling back would only delete the version row "
            "and leave what upgrade() did",
        )
    else:
        result["reversible"] = True
    return result


# ---- status -------------------------------------------------------------------------------------

def _tuple(value):
    if value is None:
        return []
    if isinstance(value, str):
        return [value]
    return list(value)


def collect_status(config):
    from alembic.runtime.environment import EnvironmentContext
    from alembic.script import ScriptDirectory
    from alembic.util import CommandError

    import alembic
    import sqlalchemy

    script = ScriptDirectory.from_config(config)
    seen = {}

    def record(rev, context):
        # Called by env.py's context.run_migrations(): read, migrate nothing (return no steps).
        seen["db_heads"] = list(context.get_current_heads())
        seen["dialect"] = context.dialect.name
        seen["transactional_ddl"] = bool(context.impl.transactional_ddl)
        seen["transaction_per_migration"] = bool(context.opts.get("transaction_per_migration", False))
        seen["version_table"] = context.version_table
        seen["database"] = context.connection.engine.url.render_as_string(hide_password=True)
        return []

    with EnvironmentContext(config, script, fn=record, dont_mutate=True):
        script.run_env()
    if "db_heads" not in seen:
        raise CommandError("env.py finished without calling context.run_migrations(): metamig cannot read the database")

    ordered = list(reversed(list(script.walk_revisions("base", "heads"))))
    known = set(r.revision for r in ordered)
    db_heads = seen["db_heads"]
    unknown_in_db = [h for h in db_heads if h not in known]
    pending_order = None
    if not unknown_in_db:
        # The exact order `alembic upgrade heads` would run from the database's current heads.
        steps = script.iterate_revisions("heads", tuple(db_heads), implicit_base=True)
        pending_order = [s.revision for s in reversed(list(steps))]

    cwd = os.getcwd()
    revisions = []
    for r in ordered:
        facts = analyse_source(r.path)
        deps = getattr(r, "_resolved_dependencies", None)
        revisions.append({
            "id": r.revision,
            "parents": _tuple(r.down_revision),
            "depends_on": list(deps) if deps is not None else _tuple(r.dependencies),
            "message": r.doc or "",
            "path": os.path.relpath(r.path, cwd) if r.path else None,
            "branch_labels": sorted(r.branch_labels or []),
            "is_head": bool(r.is_head),
            "is_merge": bool(r.is_merge_point),
            "reversible": facts["reversible"],
            "irreversible_reason": facts["irreversible_reason"],
            "autocommit_block": facts["autocommit_block"],
        })
    return {
        "alembic_version": alembic.__version__,
        "sqlalchemy_version": sqlalchemy.__version__,
        "python_version": platform.python_version(),
        "database": seen["database"],
        "dialect": seen["dialect"],
        "transactional_ddl": seen["transactional_ddl"],
        "transaction_per_migration": seen["transaction_per_migration"],
        "version_table": seen["version_table"],
        "revisions": revisions,
        "code_heads": list(script.get_heads()),
        "db_heads": db_heads,
        "unknown_in_db": unknown_in_db,
        "pending_order": pending_order,
    }


# ---- entry point ----------------------------------------------------------------------------------

def parse_args(argv):
    if not argv or argv[0] not in ("version", "status", "cli"):
        die(EXIT_USAGE, __doc__)
    command, rest = argv[0], argv[1:]
    passthrough = []
    if "--" in rest:
        i = rest.index("--")
        rest, passthrough = rest[:i], rest[i + 1:]
    url_env = None
    while rest:
        if rest[0] == "--url-env" and len(rest) > 1:
            url_env, rest = rest[1], rest[2:]
        else:
            die(EXIT_USAGE, "metamig: unexpected argument %r\n%s" % (rest[0], __doc__))
    return command, url_env, passthrough


def main(argv):
    command, url_env, passthrough = parse_args(argv)
    import_alembic()
    if command == "version":
        print(json.dumps({
            "python": platform.python_version(),
            "executable": sys.executable,
            "alembic": module_version("alembic"),
            "sqlalchemy": module_version("sqlalchemy"),
            "drivers": {"psycopg": module_version("psycopg"), "psycopg2": module_version("psycopg2")},
        }))
        return 0

    from alembic.config import CommandLine
    from alembic.util import CommandError

    url = injected_url(url_env) if url_env else None
    if url:
        guard_url(url)

    class MetamigCommandLine(CommandLine):
        """Alembic's own command line; the only change is the injected sqlalchemy.url."""

        result = None

        def run_cmd(self, config, options):
            if url:
                config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
            if command == "status":
                with contextlib.redirect_stdout(sys.stderr):  # stdout carries only the JSON
                    try:
                        self.result = collect_status(config)
                    except CommandError as e:
                        print("FAILED: %s" % e, file=sys.stderr)
                        sys.exit(-1)
            else:
                CommandLine.run_cmd(self, config, options)

    cli = MetamigCommandLine(prog="alembic")
    try:
        cli.main(argv=passthrough + ["current"] if command == "status" else passthrough)
    except UrlIgnored as e:
        die(EXIT_URL_IGNORED, "FAILED: %s" % e)
    if command == "status":
        sys.stdout.write(json.dumps(cli.result) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
