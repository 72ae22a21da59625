"""The bundled distributions build without setuptools' warnings, data included.

With ``packages = find:`` setuptools warned, on every build and editable
install, that the data directories (``templates/``, ``static/``,
``migrations/``) are "Package would be ignored"; ``find_namespace:`` (as
``podium new-plugin`` writes) lists them as packages of data.  Each
distribution is copied to a temporary directory and built from there, so
that concurrent runs never share a ``build/`` directory.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

#: Each bundled distribution and files its wheel must hold.
DISTRIBUTIONS = {
    "plugins/podium_notes": [
        "podium_notes/templates/list.jinja2",
        "podium_notes/static/notes.css",
        "podium_notes/migrations/versions/notes_0001_create_note.py",
        "podium_notes/views/api.py",
    ],
    "plugins/podium_tags": [
        "podium_tags/templates/field.jinja2",
        "podium_tags/static/tags.css",
        "podium_tags/migrations/versions/tags_0001_create_tags.py",
        "podium_tags/hookimpls.py",
    ],
    "plugins/podium_bench": [
        "podium_bench/templates/fortunes.jinja2",
        "podium_bench/static/bench.css",
    ],
    "examples/acme_site": [
        "acme_site/templates/layout.jinja2",
        "acme_site/static/podium/theme.css",
    ],
}


@pytest.mark.parametrize("source", sorted(DISTRIBUTIONS))
def test_a_bundled_distribution_builds_quietly_with_its_data(source: str,
                                                             tmp_path: Path) -> None:
    copy = tmp_path / "source"
    shutil.copytree(ROOT / source, copy,
                    ignore=shutil.ignore_patterns("build", "*.egg-info", "__pycache__"))
    result = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation",
         "--verbose", "--wheel-dir", str(tmp_path / "dist"), str(copy)],
        capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    output = result.stdout + result.stderr
    assert "would be ignored" not in output, output
    (wheel,) = (tmp_path / "dist").glob("*.whl")
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
    missing = [name for name in DISTRIBUTIONS[source] if name not in names]
    assert missing == []
    assert not any(name.startswith("tests/") for name in names)
