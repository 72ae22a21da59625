"""Fixtures of the core's own suite, beside those of ``podium.testing``.

``make_plugin`` writes a real plugin distribution into a temporary
directory: a package plus a ``.dist-info`` with ``METADATA`` and
``entry_points.txt``, put on ``sys.path`` so that ``importlib.metadata``
finds it exactly as it finds an installed wheel.  No part of Podium's loader
is patched.
"""

from __future__ import annotations

import sys
import textwrap
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest


class PluginFactory:
    def __init__(self, root: Path):
        self.root = root
        self.modules: list[str] = []

    def __call__(
        self,
        name: str,
        code: str = "def includeme(config):\n    pass\n",
        *,
        distribution: str | None = None,
        version: str = "1.0",
        summary: str = "A test plugin",
        target: str | None = None,
        files: dict[str, str] | None = None,
        requires_dist: tuple[str, ...] = (),
    ) -> str:
        """Write plugin ``name``; return the name of its (unique) package."""
        package = f"{name}_{uuid.uuid4().hex[:8]}"
        distribution = distribution or f"test-plugin-{name}"
        pkg_dir = self.root / package
        pkg_dir.mkdir()
        # "PKG" in the code stands for the generated package name (asset specs).
        (pkg_dir / "__init__.py").write_text(textwrap.dedent(code).replace("PKG", package))
        for relative, content in (files or {}).items():
            path = pkg_dir / relative
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(textwrap.dedent(content))
        dist_info = self.root / f"{distribution.replace('-', '_')}-{version}.dist-info"
        dist_info.mkdir(exist_ok=True)
        requires = "".join(f"Requires-Dist: {r}\n" for r in requires_dist)
        (dist_info / "METADATA").write_text(
            f"Metadata-Version: 2.1\nName: {distribution}\nVersion: {version}\n"
            f"Summary: {summary}\n{requires}"
        )
        entry = (target or package).replace("PKG", package)
        entry_points = dist_info / "entry_points.txt"
        header = "" if entry_points.exists() else "[podium.plugins]\n"
        with entry_points.open("a") as f:
            f.write(f"{header}{name} = {entry}\n")
        self.modules.append(package)
        return package


@pytest.fixture
def make_plugin(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Callable[..., str]]:
    root = tmp_path / "site"
    root.mkdir()
    monkeypatch.syspath_prepend(str(root))
    factory = PluginFactory(root)
    yield factory
    for module in list(sys.modules):
        if module.split(".")[0] in factory.modules:
            del sys.modules[module]


@pytest.fixture
def free_port() -> int:
    """A loopback port nothing listens on: servers in tests never use a fixed one."""
    from podium.testing.servers import free_port

    return free_port()


@pytest.fixture
def settings(tmp_path: Path) -> Callable[..., dict]:
    """``settings("a b", **extra)``: an app's settings enabling plugins a and b,
    on a SQLite file of the test's own."""
    from podium.testing import base_settings

    def make(plugins: str, **extra: str) -> dict:
        values = base_settings(f"sqlite:///{tmp_path / 'app.sqlite'}", plugins)
        values.update(extra)
        return values

    return make


@pytest.fixture
def production_like_apps(podium_database_url: str) -> Iterator[Callable[..., Any]]:
    """``build(plugins, **settings)``: the real app on the test database with a
    strong secret (production refuses a weak one), as a ``PodiumTestApp`` on
    ``localhost``; every app built is emptied and disposed of afterwards."""
    import secrets

    from podium.testing import PodiumTestApp, base_settings, build_app
    from podium.testing.apps import delete_all_rows

    apps: list[Any] = []

    def build(plugins: str, **settings: str) -> PodiumTestApp:
        values = base_settings(podium_database_url, plugins)
        values["podium.secret"] = secrets.token_urlsafe(48)
        values.update(settings)
        app = build_app(values)
        apps.append(app)
        return PodiumTestApp(app, extra_environ={"HTTP_HOST": "localhost"})

    yield build
    for app in apps:
        engine = app.registry["podium.engine"]
        delete_all_rows(engine)
        engine.dispose()
