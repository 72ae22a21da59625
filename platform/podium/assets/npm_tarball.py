"""Files of a package on the npm registry, fetched by Python alone.

``make install`` and ``make test`` must work on a machine with only Python
and make, so the few front-end files Podium serves or tests with (Swagger UI
for the API reference page, axe-core for the browser tests) are fetched
here: the tarball at a pinned version, checked against the SHA-512 the
registry records for it before anything is unpacked, and only the listed
files written, into a directory that is swapped in whole.
"""

from __future__ import annotations

import base64
import hashlib
import io
import shutil
import tarfile
import urllib.request
from dataclasses import dataclass
from pathlib import Path


class IntegrityError(RuntimeError):
    """The tarball is not the one whose digest is pinned, or lacks a file."""


@dataclass(frozen=True)
class NpmFiles:
    package: str
    version: str
    #: The registry's ``dist.integrity``: ``sha512-<base64 digest>``.
    integrity: str
    #: Paths inside the package (the tarball's ``package/`` prefix left out).
    files: tuple[str, ...]

    @property
    def tarball(self) -> str:
        name = self.package.rsplit("/", 1)[-1]
        return f"https://registry.npmjs.org/{self.package}/-/{name}-{self.version}.tgz"

    @property
    def stamp(self) -> str:
        return f".version-{self.version}"

    def check_integrity(self, data: bytes) -> None:
        algorithm, _, expected = self.integrity.partition("-")
        digest = base64.b64encode(hashlib.new(algorithm, data).digest()).decode()
        if digest != expected:
            raise IntegrityError(f"{self.tarball}: {algorithm} digest {digest}, "
                                 f"expected {expected}")

    def unpack(self, data: bytes, directory: Path) -> None:
        """The listed files of ``data`` into ``directory``, replacing what was there."""
        staging = directory.with_name(directory.name + ".new")
        shutil.rmtree(staging, ignore_errors=True)
        staging.mkdir(parents=True)
        with tarfile.open(fileobj=io.BytesIO(data), mode="r:gz") as archive:
            for name in self.files:
                try:
                    member = archive.extractfile(f"package/{name}")
                except KeyError:
                    member = None
                if member is None:
                    raise IntegrityError(f"{self.tarball} has no package/{name}")
                (staging / Path(name).name).write_bytes(member.read())
        (staging / self.stamp).write_text(self.version + "\n")
        shutil.rmtree(directory, ignore_errors=True)
        staging.rename(directory)

    def install(self, directory: Path) -> bool:
        """Fetch and unpack unless this version is there; True when it fetched."""
        if (directory / self.stamp).is_file():
            return False
        with urllib.request.urlopen(self.tarball, timeout=60) as response:
            data = response.read()
        self.check_integrity(data)
        self.unpack(data, directory)
        return True
