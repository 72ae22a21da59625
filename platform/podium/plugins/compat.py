"""Is a plugin built for this core?  Its distribution's own requirement on
``podium`` (Requires-Dist) answers; Podium checks it at load time rather
than trusting that pip resolved it (editable installs, ``--no-deps`` and
copied site-packages all skip that)."""

from __future__ import annotations

import functools
from importlib.metadata import PackageNotFoundError, version

from packaging.requirements import InvalidRequirement, Requirement
from packaging.utils import canonicalize_name

from .discovery import InstalledPlugin

CORE_DISTRIBUTION = "podium"


@functools.cache
def core_version() -> str:
    """Looked up once per process: ``importlib.metadata.version`` scans every
    ``sys.path`` entry, and start-up asks once per plugin."""
    try:
        return version(CORE_DISTRIBUTION)
    except PackageNotFoundError:  # running from a source tree without metadata
        return "0"


def core_requirement(plugin: InstalledPlugin) -> Requirement | None:
    for line in plugin.requires:
        try:
            requirement = Requirement(line)
        except InvalidRequirement:
            continue
        if canonicalize_name(requirement.name) != CORE_DISTRIBUTION:
            continue
        if requirement.marker is not None and not requirement.marker.evaluate({"extra": ""}):
            continue
        return requirement
    return None


def incompatibility(plugin: InstalledPlugin, running: str | None = None) -> str | None:
    """Why the plugin cannot run on this core, or None if it can."""
    requirement = core_requirement(plugin)
    running = running or core_version()
    if requirement is None or not requirement.specifier:
        return None
    if requirement.specifier.contains(running, prereleases=True):
        return None
    return (f"it was built for podium{requirement.specifier}, "
            f"and the running core is podium {running}")
