"""``podium check`` loads the application the ini file names, as pserve does
(``use = egg:acme-site``, ``use = call:...``), so that a host application's
conflicts and overrides are checked too, and tells every problem in clean
lines, without a traceback (issue 15)."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
import uuid
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
ACME_INI = ROOT / "examples" / "acme_site" / "development.ini"

#: A host application: Podium with the notes plugin, then the host's modules.
HOST_INIT = '''
from pyramid.config import Configurator

from podium.api import commit_config

MODULES = {modules!r}


def main(global_config, **settings):
    config = Configurator(settings=settings)
    config.include("podium")
    for module in MODULES:
        config.include(__name__ + "." + module)
    {commit}
    return config.make_wsgi_app()
'''

#: Replaces the notes list: the host's view wins over the plugin's.
LIST_VIEW = '''
from pyramid.response import Response


def memos(request):
    return Response("memos")


def includeme(config):
    config.add_view(memos, route_name="notes.list", request_method="GET")
'''

MISSING_OVERRIDE = '''
def includeme(config):
    config.override_asset("podium_notes:templates/list.jinja2",
                          __name__.rpartition(".")[0] + ":templates/memos.jinja2")
'''


@pytest.fixture
def workdir(tmp_path: Path) -> Path:
    return tmp_path


def podium(workdir: Path, *args: str) -> subprocess.CompletedProcess:
    environ = {k: v for k, v in os.environ.items() if not k.startswith("PODIUM_")}
    environ["PYTHONPATH"] = os.pathsep.join(filter(None, [str(workdir),
                                                           environ.get("PYTHONPATH")]))
    environ["PODIUM_DATABASE_URL"] = f"sqlite:///{workdir / 'site.sqlite'}"
    return subprocess.run([str(BIN / "podium"), *args], cwd=ROOT, env=environ,
                          capture_output=True, text=True, timeout=180)


def host_site(workdir: Path, modules: dict[str, str], commit: str = "commit_config(config)",
              extra_settings: str = "") -> Path:
    """Write a host package (``modules`` beside its ``main``) and an ini file
    serving it with ``use = call:PACKAGE:main``; return the ini file."""
    package = f"host_{uuid.uuid4().hex[:8]}"
    directory = workdir / package
    directory.mkdir()
    (directory / "__init__.py").write_text(
        textwrap.dedent(HOST_INIT).format(modules=list(modules), commit=commit))
    for name, code in modules.items():
        (directory / f"{name}.py").write_text(textwrap.dedent(code))
    ini = workdir / "site.ini"
    ini.write_text(
        "[app:main]\n"
        f"use = call:{package}:main\n"
        "podium.plugins = notes\n"
        "podium.secret = podium-development-secret-do-not-use-in-production\n"
        f"sqlalchemy.url = sqlite:///{workdir / 'site.sqlite'}\n"
        f"{extra_settings}"
        "\n[alembic]\n"
        f"script_location = {ROOT / 'alembic'}\n"
    )
    return ini


def problems(result: subprocess.CompletedProcess) -> list[str]:
    """The problem lines of ``podium check`` (continuation lines are indented)."""
    assert "Traceback" not in result.stderr, result.stderr
    return [line[2:] for line in result.stderr.splitlines() if line.startswith("- ")]


def without_schema(found: list[str]) -> list[str]:
    return [p for p in found if "the database is behind" not in p]


def test_the_acme_site_is_checked_as_pserve_loads_it(workdir):
    assert podium(workdir, "db", "upgrade", str(ACME_INI)).returncode == 0
    result = podium(workdir, "check", str(ACME_INI))
    assert result.returncode == 0, result.stderr
    assert "no problem found" in result.stdout


def test_two_ini_overrides_of_one_template_are_one_clean_problem(workdir):
    ini = workdir / "acme.ini"
    layout = "podium:templates/layout.jinja2 = acme_site:templates/layout.jinja2"
    source = ACME_INI.read_text()
    assert layout in source
    ini.write_text(source
                   .replace(layout, f"{layout}\n    podium:templates/layout.jinja2 = "
                                    "acme_site:templates/notes_list.jinja2")
                   .replace("%(here)s/../../alembic", str(ROOT / "alembic")))
    result = podium(workdir, "check", str(ini))
    assert result.returncode == 1
    found = without_schema(problems(result))
    assert len(found) == 1, result.stderr
    assert found[0].startswith("podium:templates/layout.jinja2 is overridden twice at the "
                               "setting level: by podium.asset_overrides entry 1")
    assert "entry 2" in found[0] and "notes_list.jinja2" in found[0]


def test_a_conflict_inside_the_host_application_is_found(workdir):
    ini = host_site(workdir, {"pages": LIST_VIEW, "more_pages": LIST_VIEW})
    result = podium(workdir, "check", str(ini))
    assert result.returncode == 1
    found = without_schema(problems(result))
    assert len(found) == 1, result.stderr
    assert found[0] == "conflicting configuration:"
    package = ini.read_text().split("call:")[1].split(":")[0]
    owners = {f"application module '{package}.pages'",
              f"application module '{package}.more_pages'"}
    assert f"view for route 'notes.list' is registered by {' and by '.join(sorted(owners))}" \
        in result.stderr
    assert f"{workdir / package / 'pages.py'}:10: config.add_view(memos" in result.stderr


def test_a_host_committing_with_plain_pyramid_gets_pyramids_report(workdir):
    ini = host_site(workdir, {"pages": LIST_VIEW, "more_pages": LIST_VIEW}, commit="pass")
    result = podium(workdir, "check", str(ini))
    assert result.returncode == 1
    found = without_schema(problems(result))
    assert len(found) == 1 and found[0].startswith("Conflicting configuration actions")
    assert "pages.py" in result.stderr and "more_pages.py" in result.stderr


def test_a_hosts_code_override_to_a_missing_file_is_found(workdir):
    ini = host_site(workdir, {"restyle": MISSING_OVERRIDE})
    result = podium(workdir, "check", str(ini))
    assert result.returncode == 1
    found = without_schema(problems(result))
    assert len(found) == 1, result.stderr
    assert "the asset override podium_notes:templates/list.jinja2 -> " in found[0]
    assert "restyle.py:3" in found[0] and "templates/memos.jinja2 does not exist" in found[0]


def test_a_host_replacing_a_plugins_view_passes(workdir):
    ini = host_site(workdir, {"pages": LIST_VIEW})
    assert podium(workdir, "db", "upgrade", str(ini)).returncode == 0
    result = podium(workdir, "check", str(ini))
    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize("use", ["egg:no-such-site", "call:no_such_module_xyz:main"])
def test_an_application_that_cannot_be_found_is_one_line(workdir, use):
    ini = workdir / "lost.ini"
    ini.write_text(f"[app:main]\nuse = {use}\npodium.plugins = notes\n")
    result = podium(workdir, "check", str(ini))
    assert result.returncode == 1
    assert problems(result) == [
        next(line[2:] for line in result.stderr.splitlines() if line.startswith("- "))]
    assert f"the application {ini} names cannot be loaded: " in result.stderr
