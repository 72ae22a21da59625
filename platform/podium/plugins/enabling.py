"""Which installed plugins run: the ``podium.plugins`` setting."""

from __future__ import annotations

from collections.abc import Sequence

from .discovery import InstalledPlugin
from .errors import UnknownPluginError

ALL = "*"


def select_enabled(
    installed: dict[str, InstalledPlugin], names: Sequence[str]
) -> list[InstalledPlugin]:
    """Plugins in the order the setting lists them; ``*`` means every installed
    plugin, by name.  Names are checked before anything is imported."""
    if ALL in names:
        return list(installed.values())
    unknown = [n for n in names if n not in installed]
    if unknown:
        raise UnknownPluginError(unknown, installed)
    seen: dict[str, InstalledPlugin] = {}
    for name in names:
        seen.setdefault(name, installed[name])
    return list(seen.values())
