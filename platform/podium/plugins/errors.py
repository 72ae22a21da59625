"""Errors that stop start-up because of a plugin.

Each names the plugin, its distribution and version and its entry point, so
the operator knows which package to fix or remove; the original exception
is kept as ``__cause__`` so its traceback is printed too.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .discovery import InstalledPlugin


class PluginError(Exception):
    """Base of every plugin problem found at start-up."""


class UnknownPluginError(PluginError):
    def __init__(self, names: Iterable[str], installed: Iterable[str]):
        self.names = sorted(names)
        self.installed = sorted(installed)
        listing = ", ".join(self.installed) or "(none)"
        what = "a plugin that is" if len(self.names) == 1 else "plugins that are"
        super().__init__(
            f"podium.plugins names {what} not installed: {', '.join(self.names)}. "
            f"Installed plugins: {listing}"
        )


class DuplicatePluginError(PluginError):
    def __init__(self, first: InstalledPlugin, second: InstalledPlugin):
        self.first, self.second = first, second
        super().__init__(
            f"two distributions declare the plugin {first.name!r}: "
            f"{first.describe()} and {second.describe()}; uninstall one of them"
        )


class BrokenPluginError(PluginError):
    """The plugin failed to import, or its ``includeme`` raised."""

    def __init__(self, plugin: InstalledPlugin, stage: str, cause: BaseException):
        self.plugin, self.stage, self.cause = plugin, stage, cause
        super().__init__(
            f"plugin {plugin.name!r} ({plugin.describe()}) {stage}: "
            f"{type(cause).__name__}: {cause}"
        )


class PluginDefinitionError(PluginError):
    """The plugin loaded, but breaks a rule of the plugin contract."""

    def __init__(self, plugin: InstalledPlugin, problem: str):
        self.plugin = plugin
        super().__init__(f"plugin {plugin.name!r} ({plugin.describe()}): {problem}")


class PluginConflictError(PluginError):
    """Two plugins (or a plugin and the application) registered the same thing."""


class PluginRefusedError(PluginError):
    """The plugin cannot run here: incompatible core, unmet requirement,
    bad settings, or a cycle in the order."""

    def __init__(self, name: str, reason: str, plugin: InstalledPlugin | None = None):
        self.name, self.reason, self.plugin = name, reason, plugin
        where = f" ({plugin.describe()})" if plugin else ""
        super().__init__(f"plugin {name!r}{where} cannot be enabled: {reason}")


class PluginErrors(PluginError):
    """Several plugin problems at once: an operator fixes them in one pass."""

    def __init__(self, errors: list[PluginError]):
        self.errors = errors
        lines = [f"{len(errors)} plugin problems:"] + [f"  - {e}" for e in errors]
        super().__init__("\n".join(lines))
