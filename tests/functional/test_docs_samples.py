"""Every code sample of docs/plugins.md, exercised.

Each fenced sample carries an ``id=...`` in its info string.  A sample with
``file=PATH`` is (``excerpt``: part of) a file that ``podium new-plugin
bookmarks`` writes, and must match it; the distribution so generated is
built into a wheel by the guide's own ``publish`` command and unpacked onto
``sys.path``, where ``importlib.metadata`` finds it as an installed wheel.
Shell samples run as written (``podium`` is this environment's command,
``pip`` gets ``--no-build-isolation`` to stay offline) in a platform
directory with a copy of development.ini; ``output-of=ID`` samples are what
sample ID prints.  ini samples are settings the app is built with, Python
samples that are not files are plugins of their own.  The quick start runs
in tests/integration/test_scaffold.py, in a throwaway virtual environment.
"""

from __future__ import annotations

import configparser
import os
import re
import shlex
import subprocess
import sys
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import webtest
from pyramid.router import Router

from podium.api import Base, plugin_set
from podium.cli.new_plugin import render, running_core_version, variables
from podium.testing.apps import base_settings, build_app

ROOT = Path(__file__).resolve().parents[2]
GUIDE = ROOT / "docs" / "plugins.md"
PODIUM = str(Path(sys.executable).with_name("podium"))
FENCE = re.compile(r"^```(\S+)([^\n]*)\n(.*?)^```\s*$", re.MULTILINE | re.DOTALL)
TIMEOUT = 120

#: Samples run by another test module, and the call that runs them there.
EXERCISED_ELSEWHERE = {"quickstart": ("tests/integration/test_scaffold.py",
                                      'guide_sample("quickstart")'),
                       "pshell-session": ("tests/integration/test_pshell.py",
                                          'guide_sample("pshell-session")'),
                       **{sample_id: ("tests/integration/test_migrations_ownership.py",
                                      f'guide_sample("{sample_id}")')
                          for sample_id in ("fk-declaration", "fk-model", "fk-revision",
                                            "fk-migration")}}


@dataclass(frozen=True)
class Sample:
    language: str
    attributes: dict[str, str]
    flags: frozenset[str]
    text: str

    @property
    def id(self) -> str:
        return self.attributes["id"]


def read_samples() -> list[Sample]:
    found = []
    for match in FENCE.finditer(GUIDE.read_text()):
        words = match.group(2).split()
        attributes = dict(w.split("=", 1) for w in words if "=" in w)
        flags = frozenset(w for w in words if "=" not in w)
        found.append(Sample(match.group(1), attributes, flags, match.group(3)))
    return found


SAMPLES = read_samples()
#: How the tests below name the samples they run (read from this file's source).
NAMED = re.compile(r'\b(?:sample|ini_settings|output_lines|sh)\("([\w-]+)"')


def sample(sample_id: str) -> Sample:
    return next(s for s in SAMPLES if s.attributes.get("id") == sample_id)


def ini_settings(sample_id: str) -> dict[str, str]:
    parser = configparser.ConfigParser(interpolation=None)
    parser.read_string(sample(sample_id).text)
    return {key: " ".join(value.split()) for key, value in parser["app:main"].items()}


def output_lines(sample_id: str) -> list[list[str]]:
    """The expected output of sample ``sample_id``, as words per line."""
    expected = next(s for s in SAMPLES if s.attributes.get("output-of") == sample_id)
    return [line.split() for line in expected.text.splitlines() if line.strip()]


@dataclass
class Guide:
    """The guide's plugin installed from its wheel, and a platform using it."""

    source: Path
    site: Path
    platform: Path
    database_url: str
    environ: dict[str, str]
    db_results: list[subprocess.CompletedProcess[str]] = field(default_factory=list)
    revision_written: bool = False

    def sh(self, sample_id: str, *, extra_path: Path | None = None,
           **env: str) -> list[subprocess.CompletedProcess[str]]:
        """Run each line of a shell sample as the reader would."""
        results = []
        for line in sample(sample_id).text.splitlines():
            words = shlex.split(line)
            assignments = {}
            while re.fullmatch(r"[A-Z_][A-Z0-9_]*=.*", words[0]):
                key, _, value = words.pop(0).partition("=")
                assignments[key] = value
            program, *args = words
            if program == "podium":
                argv, cwd = [PODIUM, *args], self.platform
            elif program == "pip":
                argv = [sys.executable, "-m", "pip", *args, "--no-build-isolation", "--quiet"]
                cwd = self.source
            else:
                raise AssertionError(f"sample {sample_id} runs {program!r}: teach this test")
            path = os.pathsep.join(str(p) for p in (extra_path, self.site) if p)
            environ = {**self.environ, "PYTHONPATH": path, **env, **assignments}
            results.append(subprocess.run(argv, cwd=cwd, env=environ, capture_output=True,
                                          text=True, timeout=TIMEOUT))
        return results


def _platform_ini(platform: Path) -> None:
    """development.ini, with the guide's podium.plugins and the core's alembic/."""
    text = (ROOT / "development.ini").read_text()
    plugins = ini_settings("enable")["podium.plugins"]
    text = text.replace("podium.plugins = notes", f"podium.plugins = {plugins}")
    text = text.replace("%(here)s/alembic", str(ROOT / "alembic"))
    (platform / "development.ini").write_text(text)


@pytest.fixture(scope="module")
def guide(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Guide]:
    base = tmp_path_factory.mktemp("guide")
    source = base / "podium-bookmarks"
    render(source, variables("bookmarks", running_core_version()))
    site, platform = base / "site", base / "platform"
    site.mkdir()
    platform.mkdir()
    _platform_ini(platform)
    database_url = f"sqlite:///{platform / 'podium.sqlite'}"
    # Podium's settings from the environment would win over the guide's ini file.
    environ = {key: value for key, value in os.environ.items()
               if not key.startswith("PODIUM_") and key != "PYTHONPATH"}
    environ["PODIUM_DATABASE_URL"] = database_url
    guide = Guide(source, site, platform, database_url, environ)

    published = guide.sh("publish")
    assert all(r.returncode == 0 for r in published), [r.stderr for r in published]
    (wheel,) = (source / "dist").glob("podium_bookmarks-*.whl")
    with zipfile.ZipFile(wheel) as archive:
        archive.extractall(site)

    # Migrating is the first line of the db sample; the second writes a
    # revision into the installed package, removed once seen.
    guide.db_results = guide.sh("db")
    versions = site / "podium_bookmarks" / "migrations" / "versions"
    for revision in versions.glob("bookmarks_0002_*.py"):
        guide.revision_written = True
        revision.unlink()

    with pytest.MonkeyPatch.context() as patch:
        patch.syspath_prepend(str(site))
        yield guide
    for module in list(sys.modules):
        if module.split(".")[0] == "podium_bookmarks":
            del sys.modules[module]
    table = Base.metadata.tables.get("bookmarks_item")
    if table is not None:
        Base.metadata.remove(table)


@pytest.fixture
def app_with(guide: Guide) -> Iterator[Callable[..., Router]]:
    apps: list[Router] = []

    def build(plugins: str, **settings: Any) -> Router:
        app = build_app({**base_settings(guide.database_url, plugins), **settings})
        apps.append(app)
        return app

    yield build
    for app in apps:
        app.registry["podium.engine"].dispose()


def client(app: Router) -> webtest.TestApp:
    return webtest.TestApp(app, extra_environ={"HTTP_HOST": "localhost"})


# -- the files new-plugin writes -------------------------------------------------------


@pytest.mark.parametrize("file_sample", [s for s in SAMPLES if "file" in s.attributes],
                         ids=lambda s: s.id)
def test_a_file_sample_is_what_new_plugin_writes(file_sample: Sample, guide: Guide) -> None:
    written = (guide.source / file_sample.attributes["file"]).read_text()
    if "excerpt" in file_sample.flags:
        assert file_sample.text in written
    else:
        assert file_sample.text == written


def test_the_published_wheel_holds_data_files_and_entry_point(guide: Guide) -> None:
    package = guide.site / "podium_bookmarks"
    for relative in ("templates/list.jinja2", "static/bookmarks.css",
                     "migrations/versions/bookmarks_0001_create_item.py"):
        assert (package / relative).is_file(), relative
    (dist_info,) = guide.site.glob("podium_bookmarks-*.dist-info")
    assert "bookmarks = podium_bookmarks:plugin" in (dist_info / "entry_points.txt").read_text()


# -- shell samples ---------------------------------------------------------------------


def test_db_upgrade_then_revision(guide: Guide) -> None:
    sample("db")
    for result in guide.db_results:
        assert result.returncode == 0, result.stderr
    assert guide.revision_written


def test_the_plugin_command(guide: Guide) -> None:
    (result,) = guide.sh("command")
    assert result.returncode == 0, result.stderr
    assert [line.split() for line in result.stdout.splitlines()] == output_lines("command")


def test_plugins_list(guide: Guide) -> None:
    (result,) = guide.sh("plugins-list")
    assert result.returncode == 0, result.stderr
    printed = [line.split() for line in result.stdout.splitlines()]
    for expected in output_lines("plugins-list"):
        assert expected in printed, result.stdout


def test_config_describe(guide: Guide) -> None:
    (result,) = guide.sh("describe")
    assert result.returncode == 0, result.stderr
    printed = [line.split() for line in result.stdout.splitlines() if line.strip()]
    assert printed == output_lines("describe")


def test_environment_overrides_and_config_check(guide: Guide) -> None:
    (result,) = guide.sh("settings-env")
    assert result.returncode == 1
    printed = [line.split() for line in result.stderr.splitlines()]
    for expected in output_lines("settings-env"):
        assert expected in printed, result.stderr


def test_requirements_order_and_hints(guide: Guide, make_plugin: Callable[..., str],
                                      tmp_path: Path, app_with: Callable[..., Router]) -> None:
    make_plugin("reading_list", sample("all-fields").text, target="PKG:plugin",
                distribution="podium-reading-list", version="0.1.0")
    (result,) = guide.sh("order", extra_path=tmp_path / "site",
                         PODIUM_PLUGINS="reading_list notes bookmarks")
    assert result.returncode == 0, result.stderr
    printed = [line.split() for line in result.stdout.splitlines()]
    assert printed == output_lines("order")

    app = app_with("reading_list notes bookmarks")
    assert [p.name for p in plugin_set(app.registry).enabled] == [
        "notes", "bookmarks", "reading_list"]
    assert client(app).get("/reading/", status=200).json == {"items": []}
    assert 'href="http://localhost/reading/"' in client(app).get("/").text


def test_a_jinja_global_added_by_an_action(make_plugin: Callable[..., str],
                                           app_with: Callable[..., Router]) -> None:
    from pyramid_jinja2 import IJinja2Environment

    make_plugin("globals_sample", sample("jinja-globals").text)
    app = app_with("globals_sample")
    env = app.registry.getUtility(IJinja2Environment, name=".jinja2")
    assert env.from_string("{{ bookmarks_max }}").render() == "500"


def _install_shelf(site: Path) -> None:
    """The navigation sample as the package podium_shelf, with the template and
    static files it names, and an entry point: an installed plugin."""
    package = site / "podium_shelf"
    (package / "templates").mkdir(parents=True)
    (package / "static").mkdir()
    (package / "__init__.py").write_text(sample("layout-contributions").text)
    (package / "templates" / "shelf.jinja2").write_text(
        '{% extends "podium:templates/layout.jinja2" %}'
        "{% block content %}<h1>Shelf</h1>{% endblock %}")
    (package / "static" / "shelf.css").write_text(".shelf {}")
    (package / "static" / "random.js").write_text("// random")
    dist_info = site / "podium_shelf-1.0.dist-info"
    dist_info.mkdir()
    (dist_info / "METADATA").write_text("Metadata-Version: 2.1\nName: podium-shelf\n"
                                        "Version: 1.0\n")
    (dist_info / "entry_points.txt").write_text("[podium.plugins]\nshelf = podium_shelf:plugin\n")


def test_navigation_entries_and_page_assets(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                            app_with: Callable[..., Router]) -> None:
    _install_shelf(tmp_path / "shelf-site")
    monkeypatch.syspath_prepend(str(tmp_path / "shelf-site"))
    try:
        testapp = client(app_with("shelf"))
        home = testapp.get("/shelf/", status=200)
        entries = [(a["data-plugin"], a.text, a["href"]) for a in home.html.select("nav a")]
        assert entries == [("shelf", "Shelf", "/shelf/"),
                           ("shelf.random", "A random book", "/shelf/random")]
        css = [link["href"] for link in home.html.select("link[data-asset]")]
        assert [href.split("?v=")[0] for href in css] == [
            "http://localhost/shelf/static/shelf.css"]
        assert testapp.get(css[0]).text == ".shelf {}"
        assert not home.html.select("script[data-asset]")
        random = testapp.get("/shelf/random", status=200)
        (script,) = random.html.select("script[data-asset]")
        assert script["src"].split("?v=")[0] == "http://localhost/shelf/static/random.js"
        assert script.has_attr("defer")
        assert not testapp.get("/", status=200).html.select("link[data-asset]")
    finally:
        for module in list(sys.modules):
            if module.split(".")[0] == "podium_shelf":
                del sys.modules[module]


def test_the_pshell_setup_is_the_one_development_ini_names() -> None:
    from pyramid.path import DottedNameResolver

    import podium.pshell

    documented = configparser.ConfigParser(interpolation=None)
    documented.read_string(sample("pshell-setup").text)
    shipped = configparser.ConfigParser(interpolation=None)
    shipped.read(ROOT / "development.ini")
    setup = documented["pshell"]["setup"]
    assert setup == shipped["pshell"]["setup"]
    assert DottedNameResolver().resolve(setup) is podium.pshell.setup


# -- settings the app is built with ------------------------------------------------------


def test_enabled_plugin_with_its_typed_setting(guide: Guide,
                                               app_with: Callable[..., Router]) -> None:
    settings = {**ini_settings("enable"), **ini_settings("settings")}
    app = app_with(settings.pop("podium.plugins"), **settings)
    assert app.registry.settings["bookmarks.page_size"] == 50
    page = client(app).get("/bookmarks/", status=200)
    assert "<h1>Bookmarks</h1>" in page.text and 'data-plugin="bookmarks"' in page.text


def test_route_prefix_setting(guide: Guide, app_with: Callable[..., Router]) -> None:
    app = app_with("bookmarks", **ini_settings("route-prefix"))
    testapp = client(app)
    assert "<h1>Bookmarks</h1>" in testapp.get("/links/", status=200).text
    testapp.get("/bookmarks/", status=404)


def test_on_plugin_error_skip(guide: Guide, make_plugin: Callable[..., str],
                              app_with: Callable[..., Router]) -> None:
    make_plugin("broken", "def includeme(config):\n    raise RuntimeError('boom')\n")
    app = app_with("bookmarks broken", **ini_settings("on-error"))
    plugins = plugin_set(app.registry)
    assert [p.name for p in plugins.enabled] == ["bookmarks"]
    assert "boom" in plugins.broken["broken"]
    client(app).get("/bookmarks/", status=200)


# -- the guide itself --------------------------------------------------------------------


def test_every_sample_is_exercised() -> None:
    """Each id is named by a test of this module (file samples are all
    parametrized; an output is checked with the command that prints it), or
    run elsewhere by a test that names it."""
    ids = [s.attributes.get("id") for s in SAMPLES]
    assert None not in ids, "every sample of docs/plugins.md needs an id=..."
    assert len(ids) == len(set(ids)), "sample ids must be unique"
    for sample_id, (path, call) in EXERCISED_ELSEWHERE.items():
        assert call in (ROOT / path).read_text(), f"{path} no longer runs {sample_id}"
    named = set(NAMED.findall(Path(__file__).read_text()))
    exercised = named | set(EXERCISED_ELSEWHERE) | {
        s.id for s in SAMPLES
        if "file" in s.attributes or s.attributes.get("output-of") in named
    }
    unexercised = set(ids) - exercised
    assert not unexercised, f"samples no test runs: {sorted(unexercised)}"
