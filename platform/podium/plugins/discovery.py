"""Finding installed plugins: the ``podium.plugins`` entry point group.

Entry points are read once per start and nothing is imported here: a broken
plugin that is installed but not enabled must not stop the platform.
"""

from __future__ import annotations

from dataclasses import dataclass
from importlib.metadata import EntryPoint, entry_points

from .errors import DuplicatePluginError

ENTRY_POINT_GROUP = "podium.plugins"


@dataclass(frozen=True)
class InstalledPlugin:
    """A plugin as its distribution declares it, before it is imported."""

    name: str
    entry_point: EntryPoint
    distribution: str | None
    version: str | None
    summary: str
    #: The distribution's Requires-Dist lines (read with the rest of its metadata).
    requires: tuple[str, ...] = ()

    def describe(self) -> str:
        dist = f"{self.distribution} {self.version}" if self.distribution else "no distribution"
        return f"distribution {dist}, entry point {self.name} = {self.entry_point.value}"


def _from_entry_point(ep: EntryPoint) -> InstalledPlugin:
    dist = ep.dist
    if dist is None:
        return InstalledPlugin(ep.name, ep, None, None, "")
    # Each access to dist.metadata parses the METADATA file again: once here.
    metadata = dist.metadata
    return InstalledPlugin(
        name=ep.name,
        entry_point=ep,
        distribution=metadata["Name"],
        version=metadata["Version"],
        summary=(metadata["Summary"] if "Summary" in metadata else "") or "",
        requires=tuple(metadata.get_all("Requires-Dist") or ()),
    )


def discover() -> dict[str, InstalledPlugin]:
    """Installed plugins by name, sorted by name."""
    found: dict[str, InstalledPlugin] = {}
    for ep in entry_points(group=ENTRY_POINT_GROUP):
        plugin = _from_entry_point(ep)
        other = found.get(plugin.name)
        if other is not None:
            # The same distribution seen twice on sys.path is not a conflict.
            if (other.distribution, other.entry_point.value) == (
                plugin.distribution,
                plugin.entry_point.value,
            ):
                continue
            raise DuplicatePluginError(other, plugin)
        found[plugin.name] = plugin
    return dict(sorted(found.items()))
