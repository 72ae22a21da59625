"""``podium plugins``: what is installed and what runs."""

from __future__ import annotations

import click

from ..plugins.discovery import discover
from ..plugins.enabling import select_enabled
from ..plugins.loader import load
from ..store.migrations import app_settings


@click.group()
def plugins() -> None:
    """Inspect installed plugins."""


@plugins.command("list")
@click.argument("config_uri")
def list_plugins(config_uri: str) -> None:
    """List installed plugins and whether CONFIG_URI enables them."""
    settings = app_settings(config_uri)
    installed = discover()
    enabled = {p.name for p in select_enabled(installed, settings["podium.plugins"])}
    rows = []
    for name, plugin in installed.items():
        if name in enabled:
            loaded = load(plugin, settings)
            prefix, description = loaded.route_prefix or "/", loaded.description
        else:
            prefix, description = "-", plugin.summary
        rows.append((name, plugin.distribution or "-", plugin.version or "-",
                     "enabled" if name in enabled else "disabled", prefix, description))
    if not rows:
        click.echo("No plugin is installed (entry point group podium.plugins).")
        return
    header = ("NAME", "DISTRIBUTION", "VERSION", "STATUS", "PREFIX", "DESCRIPTION")
    widths = [max(len(str(r[i])) for r in [header, *rows]) for i in range(5)]
    for row in [header, *rows]:
        cells = [str(cell).ljust(width) for cell, width in zip(row, widths, strict=False)]
        click.echo("  ".join([*cells, row[5]]))
