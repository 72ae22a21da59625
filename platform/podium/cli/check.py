"""``podium check``: load the application as pserve would, without serving."""

from __future__ import annotations

from typing import Any

import click
from alembic.util import CommandError
from pyramid.exceptions import ConfigurationError, ConfigurationExecutionError
from sqlalchemy.exc import DBAPIError

from ..hooks import REGISTRY_KEY as HOOKS_KEY
from ..hooks import hooks_of
from ..hooks.unknown import undeclared_warnings
from ..plugins.errors import PluginError
from ..plugins.permissions import unprotected_views
from ..settings.types import SettingsError
from ..slots.inventory import lost_contributions
from ..store.require_current import SchemaNotCurrentError
from .config import config_problems


def schema_problem(config_uri: str, settings: dict) -> str | None:
    """What is wrong with the database's schema, as ``podium db check`` and
    start-up (``podium.db.require_current``) see it; None when it is current."""
    from ..store.migrations import alembic_config
    from ..store.schema_status import schema_status

    try:
        status = schema_status(alembic_config(config_uri, settings))
    except (CommandError, DBAPIError) as exc:  # the database is part of what is checked
        return f"cannot read the database's revision: {exc}"
    return None if status.is_current else status.describe_problem(config_uri)


def problems_told_by(error: BaseException) -> list[str]:
    """The problems an error of Podium's stands for, each told once: several
    plugin problems or settings are one each, and an asset override error
    lists its own (``AssetOverrideError.problems``, one line each)."""
    listed = getattr(error, "problems", None)
    if listed and all(isinstance(p, str) for p in listed):
        return list(listed)
    nested = getattr(error, "errors", None)
    if isinstance(error, (PluginError, SettingsError)) and isinstance(nested, list) and nested:
        return [problem for e in nested for problem in problems_told_by(e)]
    return [str(error).strip()]


def _is_podiums(error: BaseException) -> bool:
    return isinstance(error, (PluginError, SettingsError)) or bool(getattr(error, "problems", None))


def app_problems(config_uri: str, unprotected: list[str] | None = None,
                 lost_slots: list[str] | None = None,
                 unknown_hooks: list[str] | None = None) -> list[str]:
    """Build the application ``CONFIG_URI`` names (``use = egg:podium`` or a
    host's own factory, such as ``egg:acme-site``) exactly as pserve does,
    through ``pyramid.paster.get_app``, and say what stops it.

    The host's ``main`` runs, so its conflicts and overrides are checked
    with Podium's own.  An exception that is not a configuration problem is a
    bug of the code loaded, and keeps its traceback.  The views that have no
    permission and are not declared public are added to ``unprotected``, the
    slot contributions no template in effect renders to ``lost_slots``, the
    implementations of hooks no installed plugin declares to ``unknown_hooks``."""
    from pyramid.paster import get_app

    try:
        app = get_app(config_uri)
    except SchemaNotCurrentError:
        return []  # podium.db.require_current is on: the schema check says it in full
    except ConfigurationExecutionError as exc:
        # An action failed: a check of Podium's tells it all; Pyramid's own
        # message is followed by the file and line of the registration.
        return problems_told_by(exc.evalue) if _is_podiums(exc.evalue) else [str(exc).strip()]
    except (PluginError, SettingsError, ConfigurationError) as exc:
        return problems_told_by(exc)
    except (ImportError, LookupError) as exc:
        return [unloadable(config_uri, exc)]
    if unprotected is not None:
        registry = getattr(app, "registry", None)
        if registry is not None:
            unprotected.extend(str(view) for view in unprotected_views(registry))
    if lost_slots is not None:
        registry = getattr(app, "registry", None)
        if registry is not None:
            lost_slots.extend(lost_contributions(registry))
    if unknown_hooks is not None:
        registry = getattr(app, "registry", None)
        if registry is not None and HOOKS_KEY in registry:
            unknown_hooks.extend(undeclared_warnings(hooks_of(registry), registry.settings))
    _close(app)
    return []


def unloadable(config_uri: str, error: BaseException) -> str:
    """``use = egg:...`` naming no installed distribution, ``call:`` no module..."""
    return (f"the application {config_uri} names cannot be loaded: "
            f"{type(error).__name__}: {error}")


def _close(app: Any) -> None:
    """Let go of the database connections the application opened."""
    registry = getattr(app, "registry", None)
    engine = registry.get("podium.engine") if registry is not None else None
    if engine is not None:
        engine.dispose()


@click.command()
@click.argument("config_uri")
@click.option("--strict", is_flag=True,
              help="Count views without a permission, lost slot contributions and "
                   "implementations of undeclared hooks as problems (exit 1).")
def check(config_uri: str, strict: bool) -> None:
    """Load CONFIG_URI as pserve would and report every problem found.

    Settings, missing or incompatible plugins, the application itself (the
    factory the ini file names, a host application's own included: its
    conflicts and asset overrides) and a database that is not current (as
    `podium db check` says); exits 0 only when there are none.

    It also lists every view that has no permission and is not declared
    public (permission=PUBLIC), by plugin, route and file:line, and every
    slot contribution no template in effect renders (an override dropped
    the slot), and every implementation of a hook no installed plugin
    declares (a misspelt name): warnings, or problems with --strict.
    """
    unprotected: list[str] = []
    lost: list[str] = []
    unknown_hooks: list[str] = []
    try:
        settings, problems = config_problems(config_uri)
    except (ImportError, LookupError) as exc:  # reading the settings loads the factory
        settings, problems = {}, [unloadable(config_uri, exc)]
    if not problems:
        problems.extend(app_problems(config_uri, unprotected, lost, unknown_hooks))
        try:
            problem = schema_problem(config_uri, settings)
        except PluginError as exc:  # the plugins the migrations are read for
            problem = None if str(exc) in problems else str(exc)
        if problem:
            problems.append(problem)
    if strict:
        problems.extend(unprotected)
        problems.extend(lost)
        problems.extend(unknown_hooks)
    elif unprotected:
        click.echo(f"{config_uri}: {len(unprotected)} view(s) without a permission "
                   "(default deny: each needs a permission, or PUBLIC)", err=True)
        for view in unprotected:
            click.echo(f"- warning: {view}", err=True)
    if lost and not strict:
        click.echo(f"{config_uri}: {len(lost)} slot contribution(s) never rendered", err=True)
        for line in lost:
            click.echo(f"- warning: {line}", err=True)
    if unknown_hooks and not strict:
        click.echo(f"{config_uri}: {len(unknown_hooks)} implementation(s) of undeclared "
                   "hooks", err=True)
        for line in unknown_hooks:
            click.echo(f"- warning: {line}", err=True)
    if problems:
        click.echo(f"{config_uri}: {len(problems)} problem(s)", err=True)
        for problem in problems:
            first, *rest = problem.splitlines() or [""]
            click.echo(f"- {first}", err=True)
            for line in rest:
                click.echo(f"  {line}", err=True)
        raise SystemExit(1)
    click.echo(f"{config_uri}: no problem found.")
