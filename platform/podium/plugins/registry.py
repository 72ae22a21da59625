"""What the running application knows about its plugins."""

from __future__ import annotations

from dataclasses import dataclass

from pyramid.registry import Registry

from .discovery import InstalledPlugin
from .loader import LoadedPlugin

REGISTRY_KEY = "podium.plugins"


@dataclass(frozen=True)
class PluginSet:
    """Installed plugins, and the enabled ones in the order they were included."""

    installed: dict[str, InstalledPlugin]
    enabled: tuple[LoadedPlugin, ...]

    def is_enabled(self, name: str) -> bool:
        return any(p.name == name for p in self.enabled)

    def by_include_spec(self) -> dict[str, LoadedPlugin]:
        return {p.include_spec: p for p in self.enabled}


def plugin_set(registry: Registry) -> PluginSet:
    return registry[REGISTRY_KEY]
