"""Fetch the API reference page's viewer: ``python -m podium.jsonapi.viewer_assets``.

Swagger UI's files come from the npm registry's ``swagger-ui-dist`` tarball, at
the version and with the integrity (SHA-512, the one npm records) pinned here,
checked before anything is unpacked; only the files the page serves and their
licenses land in the git-ignored ``swagger-ui`` directory beside this module.
Python alone does it: ``make install`` must work on a machine with only Python
and make (no Node.js, no npm).
"""

from __future__ import annotations

import base64
import hashlib
import io
import shutil
import sys
import tarfile
import urllib.request
from pathlib import Path

VERSION = "5.35.0"
TARBALL = f"https://registry.npmjs.org/swagger-ui-dist/-/swagger-ui-dist-{VERSION}.tgz"
INTEGRITY = ("sha512-U06rpMtW9V3XPGOBeamTUSr0Z09jMX4IJuANpE/EZbAhw0G8CgwrzU4YmXkn/h0wCDNsXdGa"
             "rTNNHC3sU8yVUQ==")
FILES = ("LICENSE", "NOTICE", "package.json", "swagger-ui.css", "swagger-ui-bundle.js",
         "swagger-ui-bundle.js.LICENSE.txt")
DIRECTORY = Path(__file__).resolve().parent / "swagger-ui"
STAMP = f".version-{VERSION}"


class IntegrityError(RuntimeError):
    """The tarball is not the one whose digest is pinned."""


def check_integrity(data: bytes, integrity: str = INTEGRITY) -> None:
    algorithm, _, expected = integrity.partition("-")
    digest = base64.b64encode(hashlib.new(algorithm, data).digest()).decode()
    if digest != expected:
        raise IntegrityError(f"{TARBALL}: {algorithm} digest {digest}, expected {expected}")


def unpack(data: bytes, directory: Path) -> None:
    """The listed files of the tarball (under ``package/``), nothing else."""
    staging = directory.with_name(directory.name + ".new")
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir(parents=True)
    with tarfile.open(fileobj=io.BytesIO(data), mode="r:gz") as archive:
        for name in FILES:
            try:
                member = archive.extractfile(f"package/{name}")
            except KeyError:
                member = None
            if member is None:
                raise IntegrityError(f"{TARBALL} has no package/{name}")
            (staging / name).write_bytes(member.read())
    (staging / STAMP).write_text(VERSION + "\n")
    shutil.rmtree(directory, ignore_errors=True)
    staging.rename(directory)


def install(directory: Path = DIRECTORY) -> bool:
    """Fetch and unpack unless this version is there; True when it fetched."""
    if (directory / STAMP).is_file():
        return False
    with urllib.request.urlopen(TARBALL, timeout=60) as response:
        data = response.read()
    check_integrity(data)
    unpack(data, directory)
    return True


def main() -> None:
    try:
        fetched = install()
    except (OSError, IntegrityError) as exc:
        sys.exit(f"Error: could not install Swagger UI {VERSION} for the API reference page: "
                 f"{exc}")
    print(f"Swagger UI {VERSION}: {'installed' if fetched else 'already there'} in {DIRECTORY}")


if __name__ == "__main__":
    main()
