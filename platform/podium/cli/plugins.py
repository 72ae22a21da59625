"""``podium plugins``: what is installed, what runs, and in which order."""

from __future__ import annotations

import os
from collections.abc import Sequence

import click

from ..plugins.resolution import Resolution, resolve
from ..settings.core import load_settings
from .plugin_remove import remove


def resolve_for(config_uri: str) -> Resolution:
    return resolve(load_settings(config_uri), os.environ)


def echo_table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> None:
    """Columns padded to their widest cell; the last column runs free."""
    widths = [max(len(str(r[i])) for r in [header, *rows]) for i in range(len(header) - 1)]
    for row in [header, *rows]:
        cells = [str(cell).ljust(width) for cell, width in zip(row, widths, strict=False)]
        click.echo("  ".join([*cells, str(row[-1])]).rstrip())


@click.group()
def plugins() -> None:
    """Inspect installed plugins, and remove one from a site."""


@plugins.command("list")
@click.argument("config_uri")
def list_plugins(config_uri: str) -> None:
    """List installed plugins and whether CONFIG_URI enables them."""
    resolution = resolve_for(config_uri)
    if not resolution.installed:
        click.echo("No plugin is installed (entry point group podium.plugins).")
        return
    enabled = {p.name: p for p in resolution.enabled}
    rows = []
    for name, installed in resolution.installed.items():
        plugin = enabled.get(name)
        if plugin is not None:
            status, prefix, about = "enabled", plugin.route_prefix or "/", plugin.description
        elif name in resolution.broken:
            status, prefix, about = "broken", "-", resolution.broken[name]
        else:
            status, prefix, about = "disabled", "-", installed.summary
        rows.append((name, installed.distribution or "-", installed.version or "-", status,
                     prefix, about))
    echo_table(("NAME", "DISTRIBUTION", "VERSION", "STATUS", "PREFIX", "DESCRIPTION"), rows)
    exit_on_errors(resolution)


def exit_on_errors(resolution: Resolution) -> None:
    """Problems go to stderr, one line each, and make the command fail."""
    for error in resolution.errors:
        click.echo(f"Error: {error}", err=True)
    if resolution.errors:
        raise SystemExit(1)


@plugins.command("order")
@click.argument("config_uri")
def order(config_uri: str) -> None:
    """Print the order plugins are included in, and why each stands where it does."""
    resolution = resolve_for(config_uri)
    rows = [(str(i), p.name, resolution.reasons.get(p.name, ""))
            for i, p in enumerate(resolution.enabled, start=1)]
    if rows:
        echo_table(("#", "PLUGIN", "WHY HERE"), rows)
    else:
        click.echo("No plugin is enabled.")
    exit_on_errors(resolution)


plugins.add_command(remove)
