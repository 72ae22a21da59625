"""Who wins when several overrides apply: application code > the
``podium.asset_overrides`` setting > plugins > core; within one level, the
last declared; two overrides of one asset at one level are refused."""

from __future__ import annotations

from pathlib import Path

import pytest
import webtest
from pyramid.config import Configurator
from pyramid.exceptions import ConfigurationExecutionError

from podium.assets.overrides import AssetOverrideError, override_table
from podium.plugins.conflicts import commit_naming_plugins
from podium.settings.types import SettingsError
from podium.testing import build_app
from podium.testing.apps import base_settings

TARGET = '''
def page(request):
    return {}

def includeme(config):
    config.add_route("target.page", "/page")
    config.add_view(page, route_name="target.page", renderer=__name__ + ":templates/page.jinja2")
'''


def overriding_plugin(target_spec: str) -> str:
    return ("def includeme(config):\n"
            f"    config.override_asset({target_spec!r}, __name__ + ':who.jinja2')\n")


@pytest.fixture
def target(make_plugin, tmp_path):
    package = make_plugin("target", TARGET)
    templates = tmp_path / "site" / package / "templates"
    templates.mkdir()
    (templates / "page.jinja2").write_text(
        f'<p id="who">{{% include "{package}:templates/who.jinja2" %}}</p>')
    (templates / "who.jinja2").write_text("plugin itself")
    (templates / "other.jinja2").write_text("other, from the plugin")
    return package


def source(tmp_path: Path, name: str, content: str) -> str:
    path = tmp_path / "src" / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(content)
    return str(path)


def theme_plugin(make_plugin, tmp_path, name: str, target_spec: str, says: str) -> str:
    package = make_plugin(name, overriding_plugin(target_spec), distribution=f"{name}-dist")
    (tmp_path / "site" / package / "who.jinja2").write_text(says)
    return package


def settings(tmp_path, plugins: str, **extra: str) -> dict:
    values = base_settings(f"sqlite:///{tmp_path / 'p.sqlite'}", plugins)
    values.update(extra)
    return values


def who(app) -> str:
    return webtest.TestApp(app).get("/target/page").html.select_one("#who").text


def test_a_plugin_overrides_another_plugin(target, make_plugin, tmp_path):
    theme_plugin(make_plugin, tmp_path, "theme", f"{target}:templates/who.jinja2", "theme")
    assert who(build_app(settings(tmp_path, "target theme"))) == "theme"


def test_the_setting_wins_over_a_plugin_whatever_the_order(target, make_plugin, tmp_path):
    theme_plugin(make_plugin, tmp_path, "theme", f"{target}:templates/who.jinja2", "theme")
    ini = source(tmp_path, "who.jinja2", "ini")
    app = build_app(settings(tmp_path, "target theme", **{
        "podium.asset_overrides": f"{target}:templates/who.jinja2 = {ini}"}))
    assert who(app) == "ini"


def test_application_code_wins_even_when_declared_before_including_podium(
        target, make_plugin, tmp_path):
    theme_plugin(make_plugin, tmp_path, "theme", f"{target}:templates/who.jinja2", "theme")
    ini = source(tmp_path, "who.jinja2", "ini")
    code = source(tmp_path, "code/who.jinja2", "application")
    config = Configurator(settings=settings(tmp_path, "target theme", **{
        "podium.asset_overrides": f"{target}:templates/who.jinja2 = {ini}"}))
    config.override_asset(f"{target}:templates/who.jinja2", code)  # before Podium's plugins
    config.include("podium")
    commit_naming_plugins(config)
    app = config.make_wsgi_app()
    assert who(app) == "application"
    table = override_table(app.registry)
    assert [d.level.label for d in table.declarations] == ["application", "setting", "plugin"]
    assert "theme" in table.declarations[2].origin and "theme-dist" in table.declarations[2].origin
    assert table.declarations[1].origin.startswith("podium.asset_overrides entry 1")
    assert "test_overrides_precedence.py" in table.declarations[0].origin


def test_the_same_data_is_an_introspection_category(target, make_plugin, tmp_path):
    theme_plugin(make_plugin, tmp_path, "theme", f"{target}:templates/who.jinja2", "theme")
    ini = source(tmp_path, "who.jinja2", "ini")
    app = build_app(settings(tmp_path, "target theme", **{
        "podium.asset_overrides": f"{target}:templates/who.jinja2 = {ini}"}))
    entries = app.registry.introspector.get_category("podium asset overrides")
    rows = sorted((e["introspectable"]["rank"], e["introspectable"]["level"],
                   e["introspectable"]["source"]) for e in entries)
    assert [(rank, level) for rank, level, _ in rows] == [(1, "setting"), (2, "plugin")]
    assert rows[0][2] == ini


def test_two_plugins_overriding_one_asset_are_refused_naming_both(target, make_plugin, tmp_path):
    spec = f"{target}:templates/who.jinja2"
    theme_plugin(make_plugin, tmp_path, "one", spec, "one")
    theme_plugin(make_plugin, tmp_path, "two", spec, "two")
    with pytest.raises(AssetOverrideError) as info:
        build_app(settings(tmp_path, "target one two"))
    message = str(info.value)
    assert f"{spec} is overridden twice at the plugin level" in message
    assert "plugin 'one' (one-dist 1.0)" in message and "plugin 'two' (two-dist 1.0)" in message
    assert "__init__.py:2" in message


def test_two_setting_entries_for_one_asset_are_refused(target, tmp_path):
    a, b = source(tmp_path, "a.jinja2", "a"), source(tmp_path, "b.jinja2", "b")
    spec = f"{target}:templates/who.jinja2"
    with pytest.raises(AssetOverrideError, match="overridden twice at the setting level") as info:
        build_app(settings(tmp_path, "target", **{
            "podium.asset_overrides": f"{spec} = {a}\n{spec} = {b}"}))
    assert "entry 1" in str(info.value) and "entry 2" in str(info.value)


def test_two_application_overrides_of_one_asset_are_refused(target, tmp_path):
    a, b = source(tmp_path, "a.jinja2", "a"), source(tmp_path, "b.jinja2", "b")
    config = Configurator(settings=settings(tmp_path, "target"))
    config.include("podium")
    config.override_asset(f"{target}:templates/who.jinja2", a)
    config.override_asset(f"{target}:templates/who.jinja2", b)
    with pytest.raises(ConfigurationExecutionError, match="twice at the application level"):
        config.commit()


def test_within_one_level_the_last_declared_wins(target, tmp_path):
    directory = tmp_path / "dir"
    directory.mkdir()
    (directory / "who.jinja2").write_text("directory")
    single = source(tmp_path, "who.jinja2", "single file")
    spec_dir, spec_file = f"{target}:templates/", f"{target}:templates/who.jinja2"
    first = build_app(settings(tmp_path, "target", **{
        "podium.asset_overrides": f"{spec_dir} = {directory}\n{spec_file} = {single}"}))
    assert who(first) == "single file"
    second = build_app(settings(tmp_path, "target", **{
        "podium.asset_overrides": f"{spec_file} = {single}\n{spec_dir} = {directory}"}))
    assert who(second) == "directory"


def test_a_directory_override_falls_back_file_by_file(target, tmp_path):
    directory = tmp_path / "dir"
    directory.mkdir()
    (directory / "page.jinja2").write_text(
        f'<p id="who">dir page + {{% include "{target}:templates/who.jinja2" %}}</p>')
    app = build_app(settings(tmp_path, "target", **{
        "podium.asset_overrides": f"{target}:templates = {directory}"}))  # no slashes needed
    assert who(app) == "dir page + plugin itself"


@pytest.mark.parametrize(("value", "message"), [
    ("just-a-word", "expected one 'TARGET = SOURCE' per line"),
    ("nocolon = /tmp", "must be an asset spec"),
    ("podium:templates/layout.jinja2 = relative/path.jinja2", "or an absolute path"),
    ("podium:templates/layout.jinja2 = /no/such/file.jinja2", "does not exist"),
    ("podium:templates/layout.jinja2 = no_such_package_xyz:x.jinja2", "no package"),
    ("podium:templates/ = podium:templates/home.jinja2", "directory cannot be overridden"),
])
def test_bad_setting_entries_are_refused_with_the_entry(tmp_path, value, message):
    with pytest.raises(SettingsError, match=message) as info:
        build_app(settings(tmp_path, "", **{"podium.asset_overrides": f"# comment\n\n{value}"}))
    assert "podium.asset_overrides" in str(info.value) and "entry 1" in str(info.value)


def test_a_missing_asset_in_an_override_source_is_not_found(target, tmp_path):
    """An override of a file that only the original has falls back (checked
    above); one the original lacks is simply not there."""
    directory = tmp_path / "dir"
    directory.mkdir()
    app = build_app(settings(tmp_path, "target", **{
        "podium.asset_overrides": f"{target}:templates/ = {directory}/"}))
    from podium.assets import served_file
    assert served_file(app.registry, f"{target}:templates/nothing.jinja2") is None
    assert served_file(app.registry, f"{target}:templates/other.jinja2").endswith(
        f"{target}/templates/other.jinja2")
