"""Fetch the API reference page's viewer: ``python -m podium.jsonapi.viewer_assets``.

Swagger UI's files, from the npm registry's ``swagger-ui-dist`` at the version
and SHA-512 pinned here (:mod:`podium.assets.npm_tarball` checks it), with
their licenses, into the git-ignored ``swagger-ui`` directory beside this
module, which a static view serves.  ``make install`` runs it.
"""

from __future__ import annotations

import sys
from pathlib import Path

from ..assets.npm_tarball import IntegrityError, NpmFiles

VERSION = "5.35.0"
SWAGGER_UI = NpmFiles(
    "swagger-ui-dist", VERSION,
    "sha512-U06rpMtW9V3XPGOBeamTUSr0Z09jMX4IJuANpE/EZbAhw0G8CgwrzU4YmXkn/h0wCDNsXdGarTNNHC3sU8yVUQ==",
    ("LICENSE", "NOTICE", "package.json", "swagger-ui.css", "swagger-ui-bundle.js",
     "swagger-ui-bundle.js.LICENSE.txt"))
DIRECTORY = Path(__file__).resolve().parent / "swagger-ui"


def main() -> None:
    try:
        fetched = SWAGGER_UI.install(DIRECTORY)
    except (OSError, IntegrityError) as exc:
        sys.exit(f"Error: could not install Swagger UI {VERSION} for the API reference page: "
                 f"{exc}")
    print(f"Swagger UI {VERSION}: {'installed' if fetched else 'already there'} in {DIRECTORY}")


if __name__ == "__main__":
    main()
