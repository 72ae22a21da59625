"""``podium assets CONFIG_URI [SPEC]``: the overrides in effect and the chain
that picks the file served, for the application the ini file builds."""

from __future__ import annotations

import textwrap

import pytest

from podium.cli import main

PLUGIN = '''
def includeme(config):
    config.override_asset("podium:templates/home.jinja2", __name__ + ":home.jinja2")
'''


@pytest.fixture
def ini(make_plugin, tmp_path):
    package = make_plugin("theme", PLUGIN, distribution="theme-dist")
    (tmp_path / "site" / package / "home.jinja2").write_text("theme home")
    static = tmp_path / "static"
    static.mkdir()
    (static / "theme.css").write_text(":root { --podium-accent: red }")
    path = tmp_path / "site.ini"
    path.write_text(textwrap.dedent(f"""
        [app:main]
        use = egg:podium
        podium.plugins = theme
        podium.secret = {"s" * 40}
        sqlalchemy.url = sqlite:///{tmp_path / 'cli.sqlite'}
        podium.asset_overrides =
            podium:static/ = {static}/
    """))
    return str(path), package


def run(capsys, *args: str) -> tuple[int, str, str]:
    try:
        main(list(args))
        code = 0
    except SystemExit as exc:
        code = int(exc.code or 0)
    out, err = capsys.readouterr()
    return code, out, err


def test_lists_overrides_in_precedence_order_with_their_origin(ini, capsys):
    path, _ = ini
    code, out, _ = run(capsys, "assets", path)
    assert code == 0
    lines = out.splitlines()
    setting = next(n for n, line in enumerate(lines) if "[setting] podium:static/" in line)
    plugin = next(n for n, line in enumerate(lines) if "[plugin] podium:templates/home" in line)
    assert setting < plugin
    assert "podium.asset_overrides entry 1" in lines[setting + 1]
    assert "plugin 'theme' (theme-dist 1.0)" in lines[plugin + 1]


def test_shows_the_file_served_and_the_chain(ini, capsys, tmp_path):
    path, package = ini
    code, out, _ = run(capsys, "assets", path, "podium:static/theme.css")
    assert code == 0
    assert f"served: {tmp_path / 'static' / 'theme.css'}" in out
    assert "setting override podium:static/" in out and "the package's own file" in out
    code, out, _ = run(capsys, "assets", path, "podium:static/podium.css")
    assert "no such file: falls through" in out  # the directory override lacks it
    assert "served: " in out and out.split("served: ")[1].split()[0].endswith(
        "podium/static/podium.css")
    code, out, _ = run(capsys, "assets", path, "podium:templates/home.jinja2")
    assert f"{package}/home.jinja2" in out.split("served: ")[1].splitlines()[0]
    assert "| original, in the served template, is" in out


def test_an_unknown_asset_exits_non_zero(ini, capsys):
    code, out, _ = run(capsys, "assets", ini[0], "podium:static/nothing.css")
    assert code == 1 and "served: (nothing" in out


def test_a_missing_file_is_one_line(capsys, tmp_path):
    code, _, err = run(capsys, "assets", str(tmp_path / "nope.ini"))
    assert code == 1 and err.startswith("Error: configuration file")
