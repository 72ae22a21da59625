"""``podium assets``: which overrides are in effect, and which file is served.

Pyramid applies overrides without a trace; this command loads the
application exactly as ``pserve`` does (``pyramid.paster.bootstrap``, so a
downstream app's own ``main`` and code overrides count) and prints what
:mod:`podium.assets` recorded.
"""

from __future__ import annotations

import os
from typing import Any

import click
from pyramid.exceptions import ConfigurationError
from pyramid.registry import Registry

from ..assets.chain import resolve
from ..assets.overrides import override_table
from ..plugins.errors import PluginError


def _load(config_uri: str) -> tuple[Registry, Any]:
    from pyramid.paster import bootstrap

    path = config_uri.split("#", 1)[0]
    if not os.path.exists(path):
        raise FileNotFoundError(f"configuration file {path} does not exist")
    try:
        env = bootstrap(config_uri)
    except (ConfigurationError, PluginError) as exc:
        raise click.ClickException(str(exc).strip()) from exc
    return env["registry"], env["closer"]


def _show_overrides(registry: Registry) -> None:
    table = override_table(registry)
    if not table.declarations:
        click.echo("No asset is overridden.")
        return
    click.echo("Overrides in precedence order (the first that has a file wins):")
    for rank, d in enumerate(table.declarations, start=1):
        click.echo(f"{rank:>3}. [{d.level.label}] {d.target} -> {d.source}")
        click.echo(f"       from {d.origin}")


def _show_spec(registry: Registry, spec: str) -> None:
    if ":" not in spec:
        raise click.ClickException(f"{spec!r} is not an asset spec (package:path)")
    try:
        resolution = resolve(registry, spec)
    except ImportError as exc:
        raise click.ClickException(f"{spec}: {exc}") from exc
    served = resolution.served
    click.echo(spec)
    click.echo(f"  served: {served or '(nothing: no such file in any override or the package)'}")
    click.echo("  chain:")
    for number, step in enumerate(resolution.steps, start=1):
        marker = "  <- served" if step.filename and step.filename == served else ""
        click.echo(f"   {number}. {step.describe()}{marker}")
    files = resolution.files
    if len(files) > 1:
        click.echo(f"  '{spec}' | original, in the served template, is {files[1]}")
    if served is None:
        raise SystemExit(1)


@click.command()
@click.argument("config_uri")
@click.argument("spec", required=False)
def assets(config_uri: str, spec: str | None) -> None:
    """List the asset overrides of CONFIG_URI, or show which file serves SPEC.

    Without SPEC: every override in precedence order (application code, then
    the podium.asset_overrides setting, then plugins, then the core), each
    with where it was declared.  With SPEC (e.g.
    podium_notes:templates/list.jinja2): the file served and the chain of
    overrides that led there.
    """
    registry, closer = _load(config_uri)
    try:
        if spec:
            _show_spec(registry, spec)
        else:
            _show_overrides(registry)
    finally:
        closer()
