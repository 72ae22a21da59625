"""The core's own hooks (podium.hooks.core_specs), implemented by real plugin
distributions, through the whole app."""

from __future__ import annotations

import importlib
import logging

import pytest
import webtest

from podium.api import HookError, PluginError
from podium.testing import build_app

PLUGIN = '''
from podium.api import Plugin, Setting


def includeme(config):
    pass


plugin = Plugin(includeme=includeme, hookimpls="PKG.impls",
                settings=[Setting("limit", int, default=5)])
'''


def add_plugin(make_plugin, name: str, impls: str) -> str:
    return make_plugin(name, PLUGIN, target="PKG:plugin",
                       files={"impls.py": "from podium.api import hookimpl\n" + impls})


SECTIONS = '''
from markupsafe import Markup
from podium.api import HomeSection


@hookimpl
def podium_home_sections(request):
    return [HomeSection("Heavy {name}", "<b>escaped</b>", weight=10),
            HomeSection("Light {name}", Markup("<em id='{name}'>html</em>"), weight=-1)]
'''


def test_the_home_page_shows_the_plugins_sections_by_weight(make_plugin, settings):
    add_plugin(make_plugin, "alpha", SECTIONS.format(name="alpha"))
    add_plugin(make_plugin, "beta", SECTIONS.format(name="beta"))
    page = webtest.TestApp(build_app(settings("alpha beta"))).get("/").text
    titles = ["Light alpha", "Light beta", "Heavy alpha", "Heavy beta"]
    positions = [page.index(f"<h2>{title}</h2>") for title in titles]
    assert positions == sorted(positions)
    assert "<em id='alpha'>html</em>" in page  # Markup is shown as HTML
    assert "&lt;b&gt;escaped&lt;/b&gt;" in page and "<b>escaped" not in page


def test_a_plugin_breaking_its_home_section_is_logged_and_left_out(
        make_plugin, settings, caplog):
    add_plugin(make_plugin, "alpha", SECTIONS.format(name="alpha"))
    add_plugin(make_plugin, "beta", "\n@hookimpl\ndef podium_home_sections():\n"
                                    "    raise RuntimeError('beta broke')\n")
    add_plugin(make_plugin, "gamma", "\n@hookimpl\ndef podium_home_sections():\n"
                                     "    return ['not a section']\n")
    app = webtest.TestApp(build_app(settings("alpha beta gamma")))
    with caplog.at_level(logging.ERROR):
        page = app.get("/", status=200).text
    assert "<h2>Light alpha</h2>" in page and "not a section" not in page
    messages = [record.getMessage() for record in caplog.records]
    assert any("implementation of plugin 'beta' raised" in m for m in messages)
    assert any("plugin 'gamma': podium_home_sections returned a str" in m for m in messages)


def test_without_sections_the_home_page_has_none(make_plugin, settings):
    add_plugin(make_plugin, "alpha", "")
    page = webtest.TestApp(build_app(settings("alpha"))).get("/").text
    assert "podium-home-section" not in page


VALIDATE = '''

@hookimpl
def podium_validate_settings(settings):
    limit = settings["{name}.limit"]
    if limit >= 10:  # typed: an int, not the ini's text
        return [f"{name}.limit must be below 10, not {{limit}}"]
    return None
'''


def test_a_settings_validation_message_stops_start_up_naming_the_plugin(
        make_plugin, settings):
    add_plugin(make_plugin, "alpha", VALIDATE.format(name="alpha"))
    build_app(settings("alpha", **{"alpha.limit": "9"}))
    with pytest.raises(PluginError) as caught:
        build_app(settings("alpha", **{"alpha.limit": "12"}))
    message = str(caught.value)
    assert message.startswith("plugin 'alpha' (distribution test-plugin-alpha 1.0, entry point")
    assert message.endswith("cannot be enabled: settings: alpha.limit must be below 10, not 12")


def test_every_plugins_settings_messages_are_reported_at_once(make_plugin, settings):
    add_plugin(make_plugin, "alpha", VALIDATE.format(name="alpha"))
    add_plugin(make_plugin, "beta", VALIDATE.format(name="beta"))
    with pytest.raises(PluginError) as caught:
        build_app(settings("alpha beta", **{"alpha.limit": "10", "beta.limit": "11"}))
    message = str(caught.value)
    assert message.startswith("2 plugin problems:")
    assert "plugin 'alpha' (" in message and "alpha.limit must be below 10, not 10" in message
    assert "plugin 'beta' (" in message and "beta.limit must be below 10, not 11" in message


def test_podium_configured_is_called_once_with_the_registry(make_plugin, settings):
    package = add_plugin(make_plugin, "alpha", '''
CALLS = []


@hookimpl
def podium_configured(registry):
    # Everything is configured: the routes are connected, the views registered.
    CALLS.append((registry, registry.queryUtility(IRoutesMapper).get_route("podium.home")))
''')
    impls = importlib.import_module(f"{package}.impls")
    impls.IRoutesMapper = importlib.import_module("pyramid.interfaces").IRoutesMapper
    app = build_app(settings("alpha"))
    [(registry, route)] = impls.CALLS
    assert registry is app.registry and route is not None
    webtest.TestApp(app).get("/")
    assert len(impls.CALLS) == 1


def test_a_core_hook_implemented_with_an_unknown_argument_names_the_core(
        make_plugin, settings):
    add_plugin(make_plugin, "alpha", "\n@hookimpl\ndef podium_configured(registry, app):\n"
                                     "    pass\n")
    with pytest.raises(HookError, match=r"plugin 'alpha' implements hook 'podium_configured' "
                                        r"of the core with argument\(s\) app that the spec "
                                        r"does not have: the spec takes \(registry\)"):
        build_app(settings("alpha"))


def test_a_settings_validation_that_raises_names_its_plugin(make_plugin, settings):
    add_plugin(make_plugin, "alpha", "\n@hookimpl\ndef podium_validate_settings(settings):\n"
                                     "    raise KeyError('alpha.missing')\n")
    with pytest.raises(PluginError) as caught:
        build_app(settings("alpha"))
    assert str(caught.value).startswith("plugin 'alpha' (distribution test-plugin-alpha 1.0")
    assert "failed in podium_validate_settings: KeyError: 'alpha.missing'" in str(caught.value)
    assert isinstance(caught.value.__cause__, KeyError)
