"""Installed-distribution metadata written by hand: a ``.dist-info``
directory with ``METADATA`` and ``entry_points.txt`` is all that
``importlib.metadata`` needs to find an entry point on ``sys.path``.

The scaling runs use it for their generated plugins, and the harness uses it
for ``podium_bench`` itself when ``make install-bench`` (run by ``make test`` and ``make bench``)
has not installed it yet.
"""

from __future__ import annotations

from importlib.metadata import entry_points
from pathlib import Path

from . import REPO_ROOT

BENCH_PLUGIN_SOURCE = REPO_ROOT / "plugins" / "podium_bench"


def write_dist_info(site: Path, distribution: str, version: str,
                    entry_point_lines: dict[str, list[str]], summary: str = "") -> Path:
    """Create ``<site>/<name>-<version>.dist-info`` and return it."""
    normalized = distribution.replace("-", "_")
    path = site / f"{normalized}-{version}.dist-info"
    path.mkdir(parents=True, exist_ok=True)
    (path / "METADATA").write_text(
        f"Metadata-Version: 2.1\nName: {distribution}\nVersion: {version}\nSummary: {summary}\n"
    )
    sections = [f"[{group}]\n" + "".join(f"{line}\n" for line in lines)
                for group, lines in entry_point_lines.items()]
    (path / "entry_points.txt").write_text("\n".join(sections))
    return path


def bench_plugin_paths(site: Path) -> list[str]:
    """Extra ``sys.path`` entries that make the ``bench`` plugin discoverable:
    none when it is installed; otherwise its source and a dist-info for it."""
    if entry_points(group="podium.plugins", name="bench"):
        return []
    write_dist_info(site, "podium-bench", "0.0.dev0", {"podium.plugins": ["bench = podium_bench"]},
                    "podium_bench from the source tree (not installed: run make install-bench)")
    return [str(site), str(BENCH_PLUGIN_SOURCE)]
