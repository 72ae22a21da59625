"""The API reference page's viewer is unpacked only from the pinned tarball."""

import base64
import hashlib
import io
import tarfile

import pytest

from podium.jsonapi import viewer_assets


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
    data = tarball({name: b"x" for name in viewer_assets.FILES})
    with pytest.raises(viewer_assets.IntegrityError, match="expected"):
        viewer_assets.check_integrity(data)
    viewer_assets.check_integrity(data, integrity(data))  # its own digest passes


def test_only_the_listed_files_are_unpacked(tmp_path):
    files = {name: name.encode() for name in viewer_assets.FILES}
    data = tarball({**files, "../escape.txt": b"no", "index.html": b"not served"})
    target = tmp_path / "swagger-ui"
    viewer_assets.unpack(data, target)
    assert sorted(p.name for p in target.iterdir()) == sorted(
        [*viewer_assets.FILES, viewer_assets.STAMP])
    assert not (tmp_path / "escape.txt").exists()
    assert viewer_assets.install(target) is False  # this version is there: nothing fetched


def test_a_tarball_missing_a_file_is_refused(tmp_path):
    with pytest.raises(viewer_assets.IntegrityError, match="has no package/LICENSE"):
        viewer_assets.unpack(tarball({"NOTICE": b"n"}), tmp_path / "swagger-ui")
