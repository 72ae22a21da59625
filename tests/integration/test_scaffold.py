"""``podium new-plugin``, tested the way the plugin guide tells authors to use it.

The quick start of docs/plugins.md (new-plugin, cd, pip install -e, pytest)
runs as written, in a throwaway virtual environment: ``venv --without-pip``
plus a ``.pth`` file that runs ``site.addsitedir`` on this suite's
site-packages.  The throwaway environment thus sees podium, pytest, WebTest
and the rest (including the ``.pth`` files of their editable installs) without
copying or downloading anything, while the editable install of the generated
plugin lands in the throwaway site-packages only: this suite's ``.venv`` is
never written to.  (``--system-site-packages`` would not do: it exposes the
base interpreter's packages, not those of the venv this suite runs in.)
"""

from __future__ import annotations

import configparser
import os
import re
import shlex
import subprocess
import sys
import sysconfig
import textwrap
from collections.abc import Iterator
from dataclasses import dataclass
from fnmatch import fnmatch
from pathlib import Path

import pytest
from click.testing import CliRunner

from podium.cli import cli
from podium.cli.new_plugin import core_requirement, scaffold_root

ROOT = Path(__file__).resolve().parents[2]
GUIDE = ROOT / "docs" / "plugins.md"
FENCE = re.compile(r"^```(\S+)([^\n]*)\n(.*?)^```\s*$", re.MULTILINE | re.DOTALL)
TIMEOUT = 120


def guide_sample(sample_id: str) -> str:
    """The text of the fenced sample of the guide tagged ``id=<sample_id>``."""
    for match in FENCE.finditer(GUIDE.read_text()):
        if f"id={sample_id}" in match.group(2).split():
            return match.group(3)
    raise LookupError(f"docs/plugins.md has no sample id={sample_id}")


@dataclass
class Venv:
    """A throwaway environment layered over the one running this suite."""

    root: Path

    @property
    def python(self) -> str:
        return str(self.root / "bin" / "python")

    def command(self, line: str) -> list[str]:
        """A shell line of the guide as this environment runs it.

        ``pip install`` gets --no-deps --no-build-isolation: every dependency
        (setuptools included) is already visible, and the test stays offline.
        """
        program, *args = shlex.split(line)
        if program == "podium":
            return [self.python, "-c", "from podium.cli import main; main()", *args]
        if program == "pip":
            return [self.python, "-m", "pip", *args, "--no-deps", "--no-build-isolation",
                    "--quiet"]
        if program in ("pytest", "python"):
            return [self.python, *(["-m", "pytest"] if program == "pytest" else []), *args]
        raise ValueError(f"the guide's quick start runs {program!r}, which this test cannot map")


def make_venv(root: Path) -> Venv:
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(root)], check=True,
                   timeout=TIMEOUT)
    venv = Venv(root)
    site_packages = subprocess.run(
        [venv.python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        check=True, capture_output=True, text=True, timeout=TIMEOUT).stdout.strip()
    ours = sysconfig.get_paths()["purelib"]
    Path(site_packages, "_podium_suite_packages.pth").write_text(
        f"import site; site.addsitedir({ours!r})\n")
    return venv


def clean_environ() -> dict[str, str]:
    """The environment without what would change the outcome: Podium's
    settings (the environment wins over any ini file) and PYTHONPATH; the
    test database server stays, so the generated tests run on it too."""
    return {key: value for key, value in os.environ.items()
            if key == "PODIUM_TEST_DATABASE_URL"
            or not (key.startswith("PODIUM_") or key == "PYTHONPATH")}


def run(venv: Venv, line: str, cwd: Path, **env: str) -> subprocess.CompletedProcess[str]:
    environ = {**clean_environ(), **env}
    return subprocess.run(venv.command(line), cwd=cwd, env=environ, capture_output=True,
                          text=True, timeout=TIMEOUT)


@dataclass
class Generated:
    venv: Venv
    workdir: Path
    directory: Path
    results: list[tuple[str, subprocess.CompletedProcess[str]]]


@pytest.fixture(scope="module")
def quickstart(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Generated]:
    """The guide's quick start, line by line, in a fresh environment."""
    base = tmp_path_factory.mktemp("scaffold")
    venv = make_venv(base / "venv")
    workdir = base / "work"
    workdir.mkdir()
    cwd = workdir
    results = []
    for line in guide_sample("quickstart").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        if line.startswith("cd "):
            cwd = cwd / line[3:].strip()
            continue
        results.append((line, run(venv, line, cwd)))
    yield Generated(venv, workdir, cwd, results)


def test_the_quick_start_works_as_written(quickstart: Generated) -> None:
    """new-plugin, pip install -e and the generated tests all succeed."""
    for line, result in quickstart.results:
        assert result.returncode == 0, f"{line}\n{result.stdout}\n{result.stderr}"
    line, tests = quickstart.results[-1]
    assert line.split()[0] == "pytest"
    assert re.search(r"\b\d+ passed\b", tests.stdout), tests.stdout
    assert not re.search(r"\b\d+ (failed|errors?)\b", tests.stdout), tests.stdout


def test_the_distribution_requires_the_running_core_and_declares_the_entry_point(
    quickstart: Generated,
) -> None:
    from importlib.metadata import version

    setup = configparser.ConfigParser()
    setup.read(quickstart.directory / "setup.cfg")
    requirements = setup["options"]["install_requires"].split("\n")
    assert core_requirement(version("podium")) in requirements
    assert setup["options.entry_points"]["podium.plugins"].split() == [
        "bookmarks", "=", "podium_bookmarks:plugin"]
    pyproject = (quickstart.directory / "pyproject.toml").read_text()
    assert '"setuptools>=61,<82"' in pyproject and "[project]" not in pyproject


def test_the_plugin_is_served_once_enabled(quickstart: Generated, tmp_path: Path) -> None:
    """Enabled in an ini file: migrated, its command runs, its pages are served."""
    ini = tmp_path / "site.ini"
    ini.write_text(textwrap.dedent(f"""\
        [app:main]
        use = egg:podium
        podium.plugins = bookmarks
        podium.secret = a-test-secret-that-is-long-enough-to-be-accepted
        sqlalchemy.url = sqlite:///{tmp_path / 'site.sqlite'}

        [alembic]
        script_location = {ROOT / 'alembic'}
        """))
    venv, here = quickstart.venv, tmp_path

    listed = run(venv, f"podium plugins list {ini}", here)
    assert listed.returncode == 0, listed.stderr
    row = next(r for r in listed.stdout.splitlines() if r.startswith("bookmarks "))
    assert row.split()[:5] == ["bookmarks", "podium-bookmarks", "0.1.0", "enabled", "/bookmarks"]

    for line in (f"podium db upgrade {ini}", f"podium bookmarks add {ini} 'Served at last'"):
        result = run(venv, line, here)
        assert result.returncode == 0, f"{line}\n{result.stderr}"
    assert "Added item 1: Served at last" in result.stdout

    # Default deny: no view of the plugin lacks a permission (--strict makes one a problem).
    checked = run(venv, f"podium check --strict {ini}", here)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert "without a permission" not in checked.stdout + checked.stderr
    permissions = run(venv, f"podium roles permissions {ini}", here)
    assert permissions.returncode == 0, permissions.stderr
    assert [line.split()[:2] for line in permissions.stdout.splitlines()
            if line.startswith("bookmarks.")] == [["bookmarks.create", "bookmarks"],
                                                  ["bookmarks.view", "bookmarks"]]

    script = tmp_path / "serve.py"
    script.write_text(textwrap.dedent(f"""\
        from pyramid.paster import get_app
        from webtest import TestApp

        app = TestApp(get_app({str(ini)!r}), extra_environ={{"HTTP_HOST": "localhost"}})
        page = app.get("/bookmarks/", status=200)
        assert "Served at last" in page.text, page.text
        assert 'class="bookmarks-form"' not in page.text  # not for anonymous visitors
        app.post_json("/bookmarks/api/items", {{"title": "anonymous"}}, status=401)
        assert 'data-plugin="bookmarks"' in app.get("/", status=200).text
        print("served")
        """))
    served = run(venv, f"python {script}", here)
    assert served.returncode == 0, served.stderr
    assert served.stdout.strip() == "served"


def test_the_suite_environment_is_left_alone(quickstart: Generated) -> None:
    """The editable install went to the throwaway site-packages only."""
    ours = Path(sysconfig.get_paths()["purelib"])
    assert not [p.name for p in ours.iterdir() if "bookmarks" in p.name]
    throwaway = Path(subprocess.run(
        [quickstart.venv.python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        check=True, capture_output=True, text=True, timeout=TIMEOUT).stdout.strip())
    assert [p.name for p in throwaway.glob("podium_bookmarks-*.dist-info")]


@pytest.mark.parametrize("name", ["Bad", "two-words", "9lives", "class", "db", "podium", "notes",
                                  "x" * 41])
def test_an_invalid_name_is_refused_in_one_line(name: str, tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["new-plugin", name, "-d", str(tmp_path / "out")])
    assert result.exit_code == 1
    assert result.output.startswith("Error: ") and result.output.count("\n") == 1, result.output
    assert name in result.output
    assert not (tmp_path / "out").exists()


def test_a_non_empty_directory_is_refused(tmp_path: Path) -> None:
    (tmp_path / "keep.txt").write_text("mine")
    result = CliRunner().invoke(cli, ["new-plugin", "fresh", "--directory", str(tmp_path)])
    assert result.exit_code == 1
    assert result.output == (f"Error: directory {tmp_path} already exists and is not empty: "
                             f"choose another with --directory\n")
    assert [p.name for p in tmp_path.iterdir()] == ["keep.txt"]


def test_an_empty_directory_is_used(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["new-plugin", "fresh", "--directory", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "podium_fresh" / "migrations" / "versions" / "fresh_0001_create_item.py"
            ).is_file()
    assert not list(tmp_path.rglob("*_tmpl"))


def test_every_generated_view_names_a_permission(tmp_path: Path) -> None:
    """Default deny in the generated source: each view_config says permission=, each
    permission its views name is declared, and the plugin proposes defaults for them."""
    from podium.cli.new_plugin import render, running_core_version, variables

    render(tmp_path, variables("shelf", running_core_version()))
    package = tmp_path / "podium_shelf"
    views = (package / "views.py").read_text()
    decorators = re.findall(r"@view_config\((.*?)\)\n(?:@|def )", views, re.DOTALL)
    assert len(decorators) == 4, views
    for decorator in decorators:
        assert "permission=" in decorator, decorator
    permissions = (package / "permissions.py").read_text()
    assert 'VIEW = "shelf.view"' in permissions and 'CREATE = "shelf.create"' in permissions
    assert "DEFAULT_GRANTS = {EVERYONE: [VIEW], AUTHENTICATED: [CREATE]}" in permissions
    declaration = (package / "__init__.py").read_text()
    assert "permissions=PERMISSIONS," in declaration
    assert "default_grants=DEFAULT_GRANTS," in declaration
    readme = (tmp_path / "README.md").read_text()
    assert "`shelf.view`" in readme and "`shelf.create`" in readme
    tests = (tmp_path / "tests" / "test_shelf.py").read_text()
    for fixture in ("logged_in_app", "podium_user", "api_token"):
        assert f"{fixture}: Any" in tests, fixture
    for status in ("status=401", "status=403", "status=303"):
        assert status in tests, status


@pytest.mark.parametrize(("running", "expected"), [
    ("0.1.0", "podium>=0.1,<0.2"),
    ("0.3.2", "podium>=0.3,<0.4"),
    ("1.0.0", "podium>=1.0,<2"),
    ("2.4.1", "podium>=2.4,<3"),
    ("1.2.0.dev3", "podium>=1.2.0.dev0,<2"),
])
def test_the_requirement_covers_the_running_core_up_to_its_next_breaking_version(
    running: str, expected: str
) -> None:
    from packaging.requirements import Requirement

    assert core_requirement(running) == expected
    assert Requirement(expected).specifier.contains(running, prereleases=True)


def test_every_template_is_package_data_of_the_core() -> None:
    """A template left out of setup.cfg would be missing from the wheel only."""
    setup = configparser.ConfigParser()
    setup.read(ROOT / "setup.cfg")
    patterns = setup["options.package_data"]["podium"].split()
    root = Path(str(scaffold_root()))
    package = root.parent.parent
    templates = [p.relative_to(package).as_posix() for p in root.rglob("*") if p.is_file()
                 and "__pycache__" not in p.parts]
    assert templates
    for template in templates:
        # fnmatch's * crosses slashes; setuptools' does not: compare depths too.
        assert any(fnmatch(template, pat) and template.count("/") == pat.count("/")
                   for pat in patterns), template


def test_the_generated_migration_test_judges_its_own_tables_only(tmp_path: Path) -> None:
    """The generated test compares the plugin's own tables, by its models, not
    by name: another plugin's ``<name>_tags_tag`` leaves it alone, a drift of
    its own table fails it."""
    import importlib.util

    from alembic import command
    from sqlalchemy import create_engine, text

    from podium.api import Base
    from podium.cli.new_plugin import render, running_core_version, variables
    from podium.store.migrations import alembic_config_for, default_script_location
    from podium.testing.apps import base_settings

    render(tmp_path / "dist", variables("scaffoldcheck", running_core_version()))
    url = f"sqlite:///{tmp_path / 'check.sqlite'}"
    engine = create_engine(url)
    sys.path.insert(0, str(tmp_path / "dist"))
    try:
        spec = importlib.util.spec_from_file_location(
            "generated_scaffoldcheck_tests", tmp_path / "dist" / "tests" / "test_scaffoldcheck.py")
        assert spec and spec.loader
        generated = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(generated)
        # The plugin's own migration, run as alembic runs it (its directory as a branch).
        settings = {**base_settings(url, ""), "podium.read_environment": "false"}
        cfg = alembic_config_for(settings, default_script_location())
        versions = tmp_path / "dist" / "podium_scaffoldcheck" / "migrations" / "versions"
        cfg.set_main_option("version_locations", os.pathsep.join(
            [os.path.join(default_script_location(), "versions"), str(versions)]))
        command.upgrade(cfg, "scaffoldcheck@head")
        with engine.begin() as conn:  # another plugin's table, named with the prefix
            conn.execute(text("CREATE TABLE scaffoldcheck_tags_tag (id INTEGER PRIMARY KEY)"))
        generated.test_the_migrations_build_exactly_what_the_models_declare(engine)

        with engine.begin() as conn:  # its own table drifts: the test must see it
            conn.execute(text("ALTER TABLE scaffoldcheck_item ADD COLUMN extra INTEGER"))
        with pytest.raises(AssertionError):
            generated.test_the_migrations_build_exactly_what_the_models_declare(engine)
    finally:
        engine.dispose()
        sys.path.remove(str(tmp_path / "dist"))
        for module in list(sys.modules):
            if module.split(".")[0] == "podium_scaffoldcheck":
                del sys.modules[module]
        table = Base.metadata.tables.get("scaffoldcheck_item")
        if table is not None:
            Base.metadata.remove(table)
