"""The plugin contract: declarations, order, requirements, compatibility,
settings and what happens to a broken plugin."""

from __future__ import annotations

import pytest
import webtest

from podium.plugins.errors import PluginDefinitionError, PluginErrors, PluginRefusedError
from podium.plugins.plugin_set import plugin_set
from podium.settings.types import SettingsError
from podium.testing import build_app

DECLARED = '''
from podium.api import Plugin, Setting

def includeme(config):
    settings = config.get_settings()
    config.registry.setdefault("included", []).append("{name}")

plugin = Plugin(
    includeme=includeme,
    title="{title}",
    requires={requires!r},
    after={after!r},
    before={before!r},
)
'''


def declared(name, requires=(), after=(), before=(), title=""):
    return DECLARED.format(name=name, title=title or name.title(), requires=list(requires),
                           after=list(after), before=list(before))




@pytest.fixture
def add(make_plugin):
    """A declared plugin whose entry point names its Plugin object."""
    def add(name, *, version="1.0", requires_dist=(), **declaration):
        return make_plugin(name, declared(name, **declaration), target="PKG:plugin",
                           version=version, requires_dist=requires_dist)
    return add


def included(app):
    return app.registry["included"]


def test_a_plugin_object_declares_title_and_includeme(add, settings):
    add("alpha", title="Alpha Suite")
    app = build_app(settings("alpha"))
    assert plugin_set(app.registry).get("alpha").title == "Alpha Suite"
    assert included(app) == ["alpha"]


def test_requirements_come_first_whatever_the_listing(add, settings):
    add("base")
    add("middle", requires=["base"])
    add("top", requires=["middle>=1.0"])
    app = build_app(settings("top middle base"))
    assert included(app) == ["base", "middle", "top"]
    reasons = plugin_set(app.registry).reasons
    assert reasons["middle"] == "listed 2nd in podium.plugins; after base (middle requires base)"


def test_listing_order_decides_wherever_requirements_allow(add, settings):
    add("a")
    add("b")
    add("c", requires=["a"])
    assert included(build_app(settings("b c a"))) == ["b", "a", "c"]
    assert included(build_app(settings("c b a"))) == ["b", "a", "c"]


def test_after_and_before_hints(add, settings):
    add("theme", after=["blog"])
    add("blog")
    add("early", before=["blog"])
    assert included(build_app(settings("theme blog early"))) == ["early", "blog", "theme"]


def test_hints_about_plugins_that_are_not_enabled_are_ignored(add, settings):
    add("theme", after=["absent"])
    assert included(build_app(settings("theme"))) == ["theme"]


def test_a_wrong_version_names_the_requirement_and_the_installed_version(add, settings):
    add("b", version="1.3")
    add("a", requires=["b>=2"])
    with pytest.raises(PluginRefusedError) as info:
        build_app(settings("a b"))
    assert "a requires b>=2, installed b is 1.3" in str(info.value)


def test_the_whole_chain_is_named(add, settings):
    add("b", version="1.3")
    add("a", requires=["b>=2"])
    add("c", requires=["a"])
    with pytest.raises(PluginErrors) as info:
        build_app(settings("c a b"))
    assert "c requires a; a requires b>=2, installed b is 1.3" in str(info.value)


def test_a_requirement_that_is_not_installed(add, settings):
    add("a", requires=["ghost"])
    with pytest.raises(PluginRefusedError, match="a requires ghost, which is not installed"):
        build_app(settings("a"))


def test_a_requirement_that_is_installed_but_not_enabled(add, settings):
    add("a", requires=["b"])
    add("b")
    with pytest.raises(PluginRefusedError, match=r"add b to podium\.plugins"):
        build_app(settings("a"))


def test_a_cycle_is_named(add, settings):
    add("a", requires=["b"])
    add("b", requires=["c"])
    add("c", after=["a"])
    with pytest.raises(PluginErrors) as info:
        build_app(settings("a b c"))
    message = str(info.value)
    assert "cycle" in message
    assert "a requires b" in message and "b requires c" in message
    assert "c asks to come after a" in message


def test_a_plugin_built_for_another_core_is_refused(add, settings):
    add("old", requires_dist=["podium>=99,<100", "other-lib"])
    with pytest.raises(PluginRefusedError) as info:
        build_app(settings("old"))
    assert "built for podium<100,>=99" in str(info.value)
    assert "the running core is podium 0.1.0" in str(info.value)


def test_a_plugin_built_for_this_core_runs(add, settings):
    add("fine", requires_dist=["podium>=0.1,<1"])
    assert included(build_app(settings("fine"))) == ["fine"]


def test_skip_starts_without_broken_plugins_and_their_dependents(add, make_plugin, settings):
    make_plugin("broken", "import not_a_module_at_all\n")
    add("needs", requires=["broken"])
    add("fine")
    app = build_app(settings("broken needs fine", **{"podium.on_plugin_error": "skip"}))
    plugins = plugin_set(app.registry)
    assert [p.name for p in plugins.enabled] == ["fine"]
    assert "failed to import" in plugins.broken["broken"]
    assert "needs requires broken" in plugins.broken["needs"]
    home = webtest.TestApp(app).get("/")
    row = home.html.select_one('tr[data-plugin="broken"]')
    assert row is not None and "broken" in row.text and "failed to import" in row.text


def test_skip_withdraws_what_a_failing_includeme_registered(make_plugin, settings):
    make_plugin("half", '''
def page(request):
    return "half"

def includeme(config):
    config.add_route("half.page", "/page")
    config.add_view(page, route_name="half.page", renderer="string")
    raise RuntimeError("gave up half-way")
''')
    app = build_app(settings("half", **{"podium.on_plugin_error": "skip"}))
    assert "raised in includeme" in plugin_set(app.registry).broken["half"]
    webtest.TestApp(app).get("/half/page", status=404)


def test_raise_mode_reports_every_problem_at_once(add, make_plugin, settings):
    make_plugin("broken", "import not_a_module_at_all\n")
    add("a", requires=["ghost"])
    with pytest.raises(PluginErrors) as info:
        build_app(settings("broken a"))
    assert "2 plugin problems" in str(info.value)
    assert isinstance(info.value.__cause__, ModuleNotFoundError)


SETTINGS_PLUGIN = '''
from podium.api import Plugin, Setting

def includeme(config):
    config.registry["seen"] = config.get_settings()["tuned.page_size"]

plugin = Plugin(
    includeme=includeme,
    settings=[
        Setting("page_size", int, 20, "notes per page", minimum=1),
        Setting("mode", str, "fast", "how to run", choices=("fast", "safe")),
        Setting("api_key", str, None, "key of the remote service", required=True, secret=True),
    ],
)
'''


@pytest.fixture
def tuned(make_plugin):
    make_plugin("tuned", SETTINGS_PLUGIN, target="PKG:plugin")


def test_plugin_settings_are_typed(tuned, settings):
    app = build_app(settings("tuned", **{"tuned.page_size": "50", "tuned.api_key": "k"}))
    assert app.registry["seen"] == 50
    assert plugin_set(app.registry).get("tuned").settings == {
        "page_size": 50, "mode": "fast", "api_key": "k"}


def test_the_environment_wins_over_the_ini(tuned, settings, monkeypatch):
    monkeypatch.setenv("PODIUM_TUNED_PAGE_SIZE", "7")
    monkeypatch.setenv("PODIUM_TUNED_API_KEY", "from-env")
    app = build_app(settings("tuned", **{"tuned.page_size": "50",
                                         "podium.read_environment": "true"}))
    assert plugin_set(app.registry).get("tuned").settings["page_size"] == 7


def test_the_test_kit_ignores_the_environment(tuned, settings, monkeypatch):
    monkeypatch.setenv("PODIUM_TUNED_PAGE_SIZE", "7")
    monkeypatch.setenv("PODIUM_PLUGINS", "nothing-like-this")
    app = build_app(settings("tuned", **{"tuned.page_size": "50", "tuned.api_key": "k"}))
    assert plugin_set(app.registry).get("tuned").settings["page_size"] == 50


def test_bad_plugin_settings_are_all_reported(tuned, settings):
    with pytest.raises(PluginRefusedError) as info:
        build_app(settings("tuned", **{"tuned.page_size": "0", "tuned.mode": "reckless",
                                       "tuned.page_sise": "3"}))
    message = str(info.value)
    assert "setting tuned.page_size = '0' is not valid: expected a whole number >= 1" in message
    assert "setting tuned.mode = 'reckless' is not valid: expected one of fast, safe" in message
    assert "setting tuned.api_key is required" in message and "PODIUM_TUNED_API_KEY" in message
    assert "tuned.page_sise is not a setting of plugin tuned; did you mean tuned.page_size?" \
        in message


def test_a_misspelt_core_setting_gets_a_suggestion(settings):
    with pytest.raises(SettingsError, match=r"did you mean podium\.plugins"):
        build_app(settings("", **{"podium.plugin": "notes"}))


FRONT = '''
from podium.api import Plugin

def page(request):
    return "page"

def includeme(config):
    config.add_route("front.page", "/page")
    config.add_view(page, route_name="front.page", renderer="string")

plugin = Plugin(includeme=includeme, front_page="{front}", static="PKG:static")
'''


def test_a_front_page_that_is_no_route_stops_start_up(make_plugin, settings):
    make_plugin("front", FRONT.format(front="front.nope"), target="PKG:plugin",
                files={"static/site.css": "body {}"})
    with pytest.raises(PluginDefinitionError) as info:
        build_app(settings("front"))
    assert "front_page 'front.nope' is not a route; its routes are: front.page" in str(info.value)


def test_skip_mode_links_a_bad_front_page_to_the_prefix(make_plugin, settings):
    make_plugin("front", FRONT.format(front="front.nope"), target="PKG:plugin",
                files={"static/site.css": "body {}"})
    app = build_app(settings("front", **{"podium.on_plugin_error": "skip"}))
    home = webtest.TestApp(app).get("/")
    assert home.html.select_one('nav a[data-plugin="front"]')["href"] == "/front/"
    assert home.html.select_one('a[href="http://localhost/front/"]').text == "front"  # home page


def test_a_declared_static_directory_is_served_under_the_prefix(make_plugin, settings):
    package = make_plugin("front", FRONT.format(front="front.page"), target="PKG:plugin",
                          files={"static/site.css": "body { color: red }"})
    app = build_app(settings("front"))
    res = webtest.TestApp(app).get("/front/static/site.css")
    assert res.content_type == "text/css" and "color: red" in res.text
    assert package  # the generated package name ends up in the spec
