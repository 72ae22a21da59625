"""Discovery, enabling, order and every way a plugin can break start-up."""

from __future__ import annotations

import pytest
import webtest
from pyramid.config import Configurator

import podium
from podium.plugins.discovery import discover
from podium.plugins.errors import (
    BrokenPluginError,
    DuplicatePluginError,
    PluginConflictError,
    PluginDefinitionError,
    UnknownPluginError,
)
from podium.plugins.plugin_set import plugin_set
from podium.testing import build_app

ROUTED = '''
from pyramid.response import Response

title = "{title}"
description = "{description}"

def hello(request):
    return Response("hello from {name} at " + request.route_path("{name}.hello"))

def includeme(config):
    config.add_route("{name}.hello", "/hello")
    config.add_view(hello, route_name="{name}.hello")
'''


def routed(name: str, title: str = "", description: str = "") -> str:
    return ROUTED.format(name=name, title=title or name.title(), description=description)




def test_discovery_reads_entry_point_metadata(make_plugin):
    make_plugin("alpha", distribution="alpha-dist", version="2.3", summary="Alpha things")
    plugin = discover()["alpha"]
    assert plugin.distribution == "alpha-dist"
    assert (plugin.version, plugin.summary) == ("2.3", "Alpha things")
    assert "entry point alpha = alpha_" in plugin.describe()


def test_enabled_plugins_are_included_in_listing_order(make_plugin, settings):
    make_plugin("zeta", routed("zeta"))
    make_plugin("alpha", routed("alpha"))
    app = build_app(settings("zeta alpha"))
    assert [p.name for p in plugin_set(app.registry).enabled] == ["zeta", "alpha"]
    testapp = webtest.TestApp(app)
    assert testapp.get("/zeta/hello").text == "hello from zeta at /zeta/hello"
    assert testapp.get("/alpha/hello").text == "hello from alpha at /alpha/hello"


def test_star_enables_every_installed_plugin_by_name(make_plugin, settings):
    make_plugin("zeta", routed("zeta"))
    make_plugin("alpha", routed("alpha"))
    app = build_app(settings("*"))
    names = [p.name for p in plugin_set(app.registry).enabled]
    assert names == sorted(names)
    assert {"zeta", "alpha"} <= set(names)


def test_a_plugin_that_is_not_enabled_is_not_imported(make_plugin, settings):
    make_plugin("broken", "raise ImportError('never imported')\n")
    make_plugin("alpha", routed("alpha"))
    app = build_app(settings("alpha"))
    assert not plugin_set(app.registry).is_enabled("broken")


def test_route_prefix_setting_moves_a_plugin(make_plugin, settings):
    make_plugin("alpha", routed("alpha"))
    app = build_app(settings("alpha", **{"podium.plugin.alpha.route_prefix": "/first/"}))
    res = webtest.TestApp(app).get("/first/hello")
    assert res.text == "hello from alpha at /first/hello"


def test_unknown_plugin_name_lists_installed_plugins(make_plugin, settings):
    make_plugin("alpha")
    with pytest.raises(UnknownPluginError) as info:
        build_app(settings("alpha nope"))
    message = str(info.value)
    assert "nope" in message
    assert "Installed plugins:" in message and "alpha" in message


def test_unknown_plugin_name_beside_every_installed_one_is_reported(make_plugin, settings):
    # "* ghost" once enabled every installed plugin and said nothing of "ghost".
    make_plugin("alpha")
    with pytest.raises(UnknownPluginError) as info:
        build_app(settings("* ghost"))
    assert "ghost" in str(info.value)


def test_import_failure_names_plugin_distribution_and_entry_point(make_plugin, settings):
    make_plugin("broken", "import no_such_module_anywhere\n", distribution="broken-dist",
                version="0.4")
    with pytest.raises(BrokenPluginError) as info:
        build_app(settings("broken"))
    message = str(info.value)
    assert "'broken'" in message
    assert "broken-dist 0.4" in message
    assert "entry point broken = broken_" in message
    assert "failed to import" in message
    assert isinstance(info.value.__cause__, ModuleNotFoundError)
    assert info.value.__cause__.__traceback__ is not None


def test_includeme_raising_names_the_plugin(make_plugin, settings):
    make_plugin("angry", "def includeme(config):\n    raise RuntimeError('no thanks')\n",
                distribution="angry-dist")
    with pytest.raises(BrokenPluginError) as info:
        build_app(settings("angry"))
    assert "plugin 'angry' (distribution angry-dist 1.0" in str(info.value)
    assert "raised in includeme: RuntimeError: no thanks" in str(info.value)
    assert isinstance(info.value.__cause__, RuntimeError)


def test_entry_point_without_includeme_is_refused(make_plugin, settings):
    make_plugin("empty", "x = 1\n")
    with pytest.raises(PluginDefinitionError, match="has no includeme"):
        build_app(settings("empty"))


def test_route_names_must_carry_the_plugin_name(make_plugin, settings):
    make_plugin("alpha", "def includeme(config):\n    config.add_route('list', '/')\n")
    with pytest.raises(PluginDefinitionError) as info:
        build_app(settings("alpha"))
    assert "route 'list'" in str(info.value)
    assert "must be named 'alpha.list'" in str(info.value)


def test_two_distributions_declaring_one_plugin_name(make_plugin, settings):
    make_plugin("twin", distribution="twin-one")
    make_plugin("twin", distribution="twin-two")
    with pytest.raises(DuplicatePluginError) as info:
        discover()
    assert "twin-one" in str(info.value) and "twin-two" in str(info.value)


CONFLICTING = '''
from pyramid.renderers import JSON

def thing(request):
    return 1

def includeme(config):
    config.add_renderer("shared", JSON())
    config.add_request_method(thing, "shared_thing")
'''


def test_conflicts_between_plugins_name_both_plugins(make_plugin, settings):
    make_plugin("one", CONFLICTING, distribution="one-dist")
    make_plugin("two", CONFLICTING, distribution="two-dist")
    with pytest.raises(PluginConflictError) as info:
        build_app(settings("one two"))
    message = str(info.value)
    assert "renderer 'shared' is registered by plugin 'one' (one-dist 1.0) " \
           "and by plugin 'two' (two-dist 1.0)" in message
    assert "__init__.py:8" in message  # where each registration was made


def test_request_method_conflicts_name_both_plugins(make_plugin, settings):
    code = "def includeme(config):\n    config.add_request_method(len, 'shared_thing')\n"
    make_plugin("one", code, distribution="one-dist")
    make_plugin("two", code, distribution="two-dist")
    with pytest.raises(PluginConflictError) as info:
        build_app(settings("one two"))
    assert "request method 'shared_thing' is registered by plugin 'one'" in str(info.value)
    assert "and by plugin 'two'" in str(info.value)


def test_application_overrides_a_plugin_without_conflict(make_plugin, settings):
    """The embedding application's own registrations win, as in any Pyramid include."""
    make_plugin("alpha", routed("alpha"))
    with Configurator(settings=settings("alpha")) as config:
        config.include("podium")
        config.add_route("host.page", "/host")
        config.add_view(lambda request: "host page", route_name="host.page", renderer="string")
    testapp = webtest.TestApp(config.make_wsgi_app())
    assert testapp.get("/host").text == "host page"
    assert testapp.get("/alpha/hello").text.startswith("hello from alpha")
    assert "Alpha" in testapp.get("/").text


def test_home_page_lists_enabled_plugins(make_plugin, settings):
    make_plugin("alpha", routed("alpha", "Alpha Tools", "Tools for <alpha>"),
                distribution="alpha-dist", version="3.1")
    testapp = webtest.TestApp(podium.main({}, **settings("alpha")))
    res = testapp.get("/")
    row = res.html.select_one('tr[data-plugin="alpha"]')
    assert row is not None
    assert "Alpha Tools" in row.text and "3.1" in row.text
    assert "Tools for <alpha>" in row.text  # escaped in the HTML, readable as text
    assert "Tools for &lt;alpha&gt;" in res.text
    assert row.a["href"] == "http://localhost/alpha/"
    nav = res.html.select_one('nav a[data-plugin="alpha"]')
    assert nav.text == "Alpha Tools"


def test_a_view_on_another_plugins_route_conflicts_naming_both(make_plugin, settings):
    make_plugin("alpha", routed("alpha"), distribution="alpha-dist")
    make_plugin("intruder", '''
def takeover(request):
    return "mine"

def includeme(config):
    config.add_view(takeover, route_name="alpha.hello", renderer="string")
''', distribution="intruder-dist")
    with pytest.raises(PluginConflictError) as info:
        build_app(settings("alpha intruder"))
    message = str(info.value)
    assert "view for route 'alpha.hello' is registered by plugin 'alpha'" in message
    assert "and by plugin 'intruder' (intruder-dist 1.0)" in message


def test_the_same_tween_from_two_plugins_conflicts_naming_both(make_plugin, settings):
    code = '''
def factory(handler, registry):
    return handler

def includeme(config):
    config.add_tween("podium.web.home.home")
'''
    make_plugin("one", code)
    make_plugin("two", code)
    with pytest.raises(PluginConflictError) as info:
        build_app(settings("one two"))
    assert "tween 'podium.web.home.home' is registered by plugin 'one'" in str(info.value)
