"""Front-end files are unpacked only from the pinned tarball (podium.assets.npm_tarball)."""

import base64
import hashlib
import io
import tarfile

import pytest

from podium.assets.npm_tarball import IntegrityError, NpmFiles
from podium.jsonapi.viewer_assets import SWAGGER_UI

FILES = ("LICENSE", "dist/app.js")


def tarball(files: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as archive:
        for name, data in files.items():
            info = tarfile.TarInfo(f"package/{name}")
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
    return buffer.getvalue()


def integrity(data: bytes) -> str:
    return "sha512-" + base64.b64encode(hashlib.sha512(data).digest()).decode()


def test_a_tarball_other_than_the_pinned_one_is_refused():
    data = tarball({name: b"x" for name in SWAGGER_UI.files})
    with pytest.raises(IntegrityError, match="expected"):
        SWAGGER_UI.check_integrity(data)
    NpmFiles("x", "1.0.0", integrity(data), FILES).check_integrity(data)  # its own digest


def test_only_the_listed_files_are_unpacked(tmp_path):
    data = tarball({"LICENSE": b"l", "dist/app.js": b"a", "../escape.txt": b"no",
                    "index.html": b"not served"})
    package = NpmFiles("x", "1.0.0", integrity(data), FILES)
    target = tmp_path / "assets"
    package.unpack(data, target)
    assert sorted(p.name for p in target.iterdir()) == sorted(
        ["LICENSE", "app.js", package.stamp])
    assert not (tmp_path / "escape.txt").exists()
    assert package.install(target) is False  # this version is there: nothing fetched


def test_a_tarball_missing_a_file_is_refused(tmp_path):
    package = NpmFiles("x", "1.0.0", "sha512-", FILES)
    with pytest.raises(IntegrityError, match="has no package/LICENSE"):
        package.unpack(tarball({"NOTICE": b"n"}), tmp_path / "assets")


def test_the_tarball_url_is_the_registrys():
    assert SWAGGER_UI.tarball == (
        "https://registry.npmjs.org/swagger-ui-dist/-/swagger-ui-dist-5.35.0.tgz")
