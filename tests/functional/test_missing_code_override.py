"""An override whose source does not exist is refused at start-up, from code
as from the ini file, naming the override and where it was declared: Pyramid
alone would start and silently serve the original (issue 15)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
import webtest
from pyramid.config import Configurator
from pyramid.exceptions import ConfigurationError, ConfigurationExecutionError

from podium.api import AssetOverrideError, commit_config
from podium.settings.types import SettingsError
from podium.testing import build_app
from podium.testing.apps import base_settings

LAYOUT = "podium:templates/layout.jinja2"
HERE = os.path.relpath(__file__)


def line_of(marker: str) -> int:
    """The line of this file that carries ``marker`` in a comment."""
    lines = Path(__file__).read_text().splitlines()
    return next(n for n, text in enumerate(lines, start=1)
                if text.rstrip().endswith(f"# {marker}"))


@pytest.fixture
def site(tmp_path):
    return base_settings(f"sqlite:///{tmp_path / 'site.sqlite'}", "")


def test_a_code_override_to_a_missing_file_is_refused_naming_the_call(site):
    missing = "podium:templates/no_such_layout.jinja2"
    config = Configurator(settings=site)
    config.include("podium")
    config.override_asset(LAYOUT, missing)  # missing-after
    with pytest.raises(AssetOverrideError) as info:
        commit_config(config)
    message = str(info.value)
    assert f"{LAYOUT} -> {missing}" in message
    assert f"application at {HERE}:{line_of('missing-after')}" in message
    assert f"{missing} does not exist" in message
    assert info.value.problems == (
        f"the asset override {LAYOUT} -> {missing} by application at "
        f"{HERE}:{line_of('missing-after')}: {missing} does not exist",)


def test_pyramid_itself_refuses_a_missing_absolute_path_or_package(site, tmp_path):
    """At the call, so that its traceback points at it: nothing to add."""
    config = Configurator(settings=site)
    config.include("podium")
    with pytest.raises(ConfigurationError, match="absolute path that does not exist"):
        config.override_asset(LAYOUT, str(tmp_path / "nope.jinja2"))
    with pytest.raises(ImportError, match="no_such_package_xyz"):
        config.override_asset(LAYOUT, "no_such_package_xyz:layout.jinja2")


def test_a_plain_commit_refuses_it_too(site, tmp_path):
    config = Configurator(settings=site)
    config.include("podium")
    config.override_asset(LAYOUT, "podium:templates/no_such_layout.jinja2")
    with pytest.raises(ConfigurationExecutionError, match=r"no_such_layout\.jinja2 does not exist"):
        config.commit()


def test_an_override_declared_before_including_podium_is_checked(site):
    config = Configurator(settings=site)
    config.override_asset(LAYOUT, "podium:templates/nope.jinja2")  # missing-before
    config.include("podium")
    with pytest.raises(AssetOverrideError) as info:
        commit_config(config)
    assert f"{HERE}:{line_of('missing-before')}" in str(info.value)
    assert "podium:templates/nope.jinja2 does not exist" in str(info.value)


def test_a_directory_override_needs_a_directory(site):
    config = Configurator(settings=site)
    config.include("podium")
    config.override_asset("podium:static/", "podium:templates/layout.jinja2/")
    with pytest.raises(AssetOverrideError, match=r"layout\.jinja2/ is not a directory"):
        commit_config(config)


def test_a_plugin_override_to_a_missing_file_names_the_plugin(make_plugin, tmp_path):
    make_plugin("theme", f"def includeme(config):\n"
                         f"    config.override_asset({LAYOUT!r}, __name__ + ':layout.jinja2')\n",
                distribution="theme-dist")
    with pytest.raises(AssetOverrideError) as info:
        build_app(base_settings(f"sqlite:///{tmp_path / 'p.sqlite'}", "theme"))
    message = str(info.value)
    assert "plugin 'theme' (theme-dist 1.0) at " in message and "__init__.py:2" in message
    assert ":layout.jinja2 does not exist" in message


def test_the_ini_form_is_refused_naming_the_setting_entry(site, tmp_path):
    site["podium.asset_overrides"] = f"{LAYOUT} = {tmp_path / 'nope.jinja2'}"
    with pytest.raises(SettingsError) as info:
        build_app(site)
    assert "podium.asset_overrides" in str(info.value) and "entry 1" in str(info.value)
    assert "does not exist" in str(info.value)


def test_an_override_that_exists_still_serves(site, tmp_path):
    layout = tmp_path / "layout.jinja2"
    layout.write_text('{% extends "podium:templates/layout.jinja2" | original %}'
                      '{% block footer %}Overridden footer{% endblock %}')
    config = Configurator(settings=site)
    config.include("podium")
    config.override_asset(LAYOUT, str(layout))
    commit_config(config)
    page = webtest.TestApp(config.make_wsgi_app(), extra_environ={"HTTP_HOST": "localhost"})
    assert "Overridden footer" in page.get("/").text
