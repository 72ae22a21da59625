"""Commands that plugins add to ``podium``: ``podium <plugin> <command>``.

Plugins are imported only when a plugin command or the help is asked for,
so ``podium db upgrade`` never pays for them.
"""

from __future__ import annotations

import logging
from typing import Any

import click

from ..plugins.definition import definition_of
from ..plugins.discovery import discover

log = logging.getLogger(__name__)


def plugin_commands() -> dict[str, click.Command]:
    commands: dict[str, click.Command] = {}
    for name, installed in discover().items():
        try:
            definition = definition_of(installed.entry_point.load())
        except Exception as exc:  # a broken plugin must not break the podium command
            log.warning("plugin %r cannot be imported for its commands: %s", name, exc)
            continue
        group = definition.commands if definition else None
        if isinstance(group, str):
            from pyramid.path import DottedNameResolver

            group = DottedNameResolver().resolve(group)
        if isinstance(group, click.Command):
            commands[name] = group
    return commands


class PodiumGroup(click.Group):
    """The ``podium`` group: built-in commands, then one group per plugin."""

    _plugins: dict[str, click.Command] | None = None

    def _plugin_commands(self) -> dict[str, click.Command]:
        if self._plugins is None:
            self._plugins = {k: v for k, v in plugin_commands().items() if k not in self.commands}
        return self._plugins

    def list_commands(self, ctx: click.Context) -> list[str]:
        return [*sorted(self.commands), *sorted(self._plugin_commands())]

    def get_command(self, ctx: click.Context, name: str) -> Any:
        return self.commands.get(name) or self._plugin_commands().get(name)
