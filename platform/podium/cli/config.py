"""``podium config``: the settings the core and each plugin declare."""

from __future__ import annotations

import os
from typing import Any

import click
from pyramid.paster import get_appsettings

from ..plugins.discovery import discover
from ..plugins.errors import PluginError
from ..plugins.loader import load
from ..plugins.plugin_settings import environment_name
from ..plugins.resolution import resolve
from ..settings.core import CORE_SETTINGS, apply_environment, check
from ..settings.types import Setting
from .plugins import echo_table


def _describe(setting: Setting, key: str, env: str | None) -> tuple[str, ...]:
    default = "(required)" if setting.required else (
        "(none)" if setting.default in (None, "", [], ()) else str(setting.default)
    )
    flags = " [secret]" if setting.secret else ""
    kind = f"{setting.type_name} {setting.bounds}".strip()
    return (key, kind, default, env or "-", setting.description + flags)


@click.group()
def config() -> None:
    """Describe and check settings."""


@config.command()
@click.argument("plugin", required=False)
def describe(plugin: str | None) -> None:
    """List the settings of the core and of each installed plugin (or of PLUGIN only)."""
    header = ("KEY", "TYPE", "DEFAULT", "ENVIRONMENT", "DESCRIPTION")
    if plugin in (None, "podium"):
        click.echo("podium (core)")
        echo_table(header, [_describe(s, s.key, s.env) for s in CORE_SETTINGS])
        if plugin:
            return
    installed = discover()
    if plugin and plugin not in installed:
        names = ", ".join(installed) or "(none)"
        raise click.ClickException(f"no installed plugin is named {plugin!r}; installed: {names}")
    for name, entry in installed.items():
        if plugin and name != plugin:
            continue
        click.echo(f"\n{name} ({entry.distribution} {entry.version})")
        try:
            schema = load(entry, {}).definition.settings
        except PluginError as exc:
            click.echo(f"  cannot be loaded: {exc}")
            continue
        if not schema:
            click.echo("  declares no settings")
            continue
        echo_table(header, [_describe(s, f"{name}.{s.key}", environment_name(name, s.key))
                            for s in schema])


def config_problems(config_uri: str) -> tuple[dict[str, Any], list[str]]:
    """Every problem of a configuration file, settings and plugins, at once."""
    path = config_uri.split("#", 1)[0]
    if not os.path.exists(path):
        raise FileNotFoundError(f"configuration file {path} does not exist")
    settings = dict(get_appsettings(config_uri))
    apply_environment(settings, os.environ)
    problems = [str(p) for p in check(settings)]
    resolution = resolve(settings, os.environ)
    problems.extend(str(e) for e in resolution.errors)
    return settings, problems


@config.command("check")
@click.argument("config_uri")
def check_config(config_uri: str) -> None:
    """Validate CONFIG_URI: exit 0 if every setting is valid, else list them all."""
    _, problems = config_problems(config_uri)
    if problems:
        for problem in problems:
            click.echo(f"- {problem}", err=True)
        raise SystemExit(1)
    click.echo(f"{config_uri}: settings are valid.")
