"""What the running application knows about its plugins."""

from __future__ import annotations

from dataclasses import dataclass, field

from pyramid.registry import Registry

from .discovery import InstalledPlugin
from .loader import LoadedPlugin

REGISTRY_KEY = "podium.plugins"


@dataclass(frozen=True)
class PluginSet:
    """Installed plugins; the enabled ones in the order they were included;
    the ones refused at start-up (``podium.on_plugin_error = skip``) with why."""

    installed: dict[str, InstalledPlugin]
    enabled: tuple[LoadedPlugin, ...]
    broken: dict[str, str] = field(default_factory=dict)
    reasons: dict[str, str] = field(default_factory=dict)

    def is_enabled(self, name: str) -> bool:
        return any(p.name == name for p in self.enabled)

    def get(self, name: str) -> LoadedPlugin | None:
        return next((p for p in self.enabled if p.name == name), None)

    def by_include_spec(self) -> dict[str, LoadedPlugin]:
        return {p.include_spec: p for p in self.enabled}


def plugin_set(registry: Registry) -> PluginSet:
    found: PluginSet = registry[REGISTRY_KEY]
    return found
