"""Jinja globals after the render-speed changes of podium.rendering.jinja2:
templates get a plain dict of globals, and still see every global a plugin
adds while the app is configured, whenever and however it adds it."""

from __future__ import annotations

import webtest
from pyramid_jinja2 import IJinja2Environment

from podium.testing import build_app

GLOBALS = '''
def page(request):
    return {}

def includeme(config):
    # pyramid_jinja2 builds the environment in an action: globals are added in actions too.
    def early():
        env = config.get_jinja2_environment()
        env.globals["early"] = "set first"
        env.get_template("PKG:page.jinja2")  # loaded while configuring: keeps Jinja's ChainMap

    def late():
        config.get_jinja2_environment().globals["late"] = "set by a later action"

    config.action(None, early)
    config.action(None, late, order=20_000)  # after podium.rendering.jinja2.LAST_ORDER
    config.add_route("globals.page", "/")
    config.add_route("globals.other", "/other")
    config.add_view(page, route_name="globals.page", renderer="PKG:page.jinja2")
    config.add_view(page, route_name="globals.other", renderer="PKG:other.jinja2")
'''

PAGE = "{{ early }} / {{ late }} / {{ podium_layout }}"


def _app(make_plugin, settings):
    make_plugin("globals", GLOBALS, files={"page.jinja2": PAGE, "other.jinja2": PAGE})
    return webtest.TestApp(build_app(settings("globals")))


def test_templates_see_globals_added_anywhere_during_configuration(make_plugin, settings):
    app = _app(make_plugin, settings)
    expected = "set first / set by a later action / podium:templates/layout.jinja2"
    assert app.get("/globals/").text == expected       # loaded during configuration
    assert app.get("/globals/other").text == expected  # loaded at its first render


def test_templates_loaded_once_the_app_runs_get_a_plain_dict(make_plugin, settings):
    app = _app(make_plugin, settings)
    env = app.app.registry.getUtility(IJinja2Environment, name=".jinja2")
    app.get("/globals/other")
    loaded = [t for t in env.cache.values() if t.name and t.name.endswith("other.jinja2")]
    assert loaded and all(type(t.globals) is dict for t in loaded)


def test_a_templates_own_globals_still_win_over_the_environments(make_plugin, settings):
    app = _app(make_plugin, settings)
    env = app.app.registry.getUtility(IJinja2Environment, name=".jinja2")
    template = env.from_string("{{ early }} {{ mine }}",
                               globals={"early": "theirs", "mine": "only here"})
    assert type(template.globals) is dict
    assert template.render() == "theirs only here"
    assert env.from_string("{{ early }}").render() == "set first"


def test_the_core_adds_no_event_subscriber(settings):
    """Pyramid's router skips NewRequest, ContextFound and NewResponse when
    no subscriber exists at all: the first one costs every request (bench:
    plaintext, about 5 us in-process).  Plugins may add theirs."""
    assert build_app(settings("notes")).registry.has_listeners is False
