"""Fetch axe-core for the browser tests: ``python tests/browser/axe_core.py DIR``.

``axe.min.js`` from the npm registry at the version and SHA-512 pinned here,
by Python alone (``make test`` needs no Node.js), into ``DIR`` (``.venv/axe``,
never committed); ``make test`` runs it.
"""

from __future__ import annotations

import sys
from pathlib import Path

from podium.assets.npm_tarball import IntegrityError, NpmFiles

AXE_CORE = NpmFiles(
    "axe-core", "4.14.1",
    "sha512-FHfa+lmNjQZfJz1q8wKqIDwC6DExcHt/pkjNQb09a3NPjCKg2rhu5qb2S4r76ASyFNNtuFooJpZe37OgudVGtQ==",
    ("axe.min.js", "LICENSE"))

if __name__ == "__main__":
    target = Path(sys.argv[1])
    try:
        AXE_CORE.install(target)
    except (OSError, IntegrityError) as exc:
        sys.exit(f"Error: could not fetch axe-core {AXE_CORE.version}: {exc}")
    print(f"axe-core {AXE_CORE.version} in {target}")
