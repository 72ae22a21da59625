"""Where each setting's value came from: the default, the ini file or the
environment, as the admin console shows it.

Recorded once at start-up, before the environment is applied and the values
typed, because afterwards every key holds a typed value and nothing tells a
default from a value written in the file.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from pyramid.registry import Registry

REGISTRY_KEY = "podium.settings.sources"
DEFAULT, INI, ENVIRONMENT = "default", "ini", "environment"


@dataclass(frozen=True)
class Sources:
    #: The keys the ini file (or the app's caller) gave.
    given: frozenset[str]
    #: The ``PODIUM_*`` variables set in the environment the settings were read with.
    environment: frozenset[str]

    def of(self, key: str, env: str | None) -> str:
        """``environment`` when ``env`` was set (it wins), ``ini`` when the
        file gave ``key``, else ``default``."""
        if env and env in self.environment:
            return ENVIRONMENT
        return INI if key in self.given else DEFAULT


def record_sources(registry: Registry, settings: Mapping[str, object],
                   environ: Mapping[str, str]) -> None:
    registry[REGISTRY_KEY] = Sources(frozenset(settings),
                                     frozenset(k for k in environ if k.startswith("PODIUM_")))


def sources_of(registry: Registry) -> Sources:
    """The recorded sources (none recorded: everything is a default)."""
    found = registry.get(REGISTRY_KEY)
    return found if isinstance(found, Sources) else Sources(frozenset(), frozenset())
