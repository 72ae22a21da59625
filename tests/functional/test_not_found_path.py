"""The not-found path made cheap (the navigation fragment, the error page's
renderer) answers exactly as before."""

from __future__ import annotations

import pytest
import webtest

from podium.testing import build_app
from podium.web.urls import MAX_ENTRIES

TRAVERSAL = '''
from pyramid.response import Response


def hello(request):
    return Response("hello by traversal", content_type="text/plain")


def includeme(config):
    config.add_view(hello, name="hello")
'''

SEEN = '''
from pyramid.events import BeforeRender

SEEN = []


def includeme(config):
    config.add_subscriber(lambda event: SEEN.append(event.get("renderer_name")), BeforeRender)
'''


def _app(settings, plugins: str, **extra: str) -> webtest.TestApp:
    return webtest.TestApp(build_app(settings(plugins, **extra)),
                           extra_environ={"HTTP_HOST": "localhost"})


def _seen(package: str) -> list:
    import importlib

    return importlib.import_module(package).SEEN


def test_an_unrouted_404_is_the_error_page(make_plugin, settings):
    package = make_plugin("seen", SEEN)
    res = _app(settings, "seen").get("/no/such/page", status=404,
                                     headers={"Accept": "text/html"})
    assert "404 Not Found" in res.html.h1.text
    assert res.html.select_one("nav.podium-nav") is not None
    # The error page still goes through BeforeRender (the cached renderer
    # helper sends it).
    assert "podium:templates/error.jinja2" in _seen(package)


def test_the_404_message_is_pyramids(make_plugin, settings):
    make_plugin("seen", SEEN)
    res = _app(settings, "seen").get("/no/such/page", status=404,
                                     headers={"Accept": "application/json"})
    assert res.json["error"]["message"] == "/no/such/page"


def test_a_plugin_with_a_traversal_view_is_served(make_plugin, settings):
    make_plugin("trav", TRAVERSAL)
    app = _app(settings, "trav")
    assert app.get("/hello").text == "hello by traversal"
    app.get("/goodbye", status=404)


def test_an_apps_own_root_factory_is_left_alone(make_plugin, settings):
    from pyramid.config import Configurator

    class Root:
        def __init__(self, request):
            pass

        def __getitem__(self, name):
            if name == "thing":
                return Thing()
            raise KeyError(name)

    class Thing:
        pass

    config = Configurator(settings=settings(""), root_factory=Root)
    config.include("podium")
    config.add_view(lambda context, request: {"found": True}, context=Thing, renderer="json")
    app = webtest.TestApp(config.make_wsgi_app())
    assert app.get("/thing").json == {"found": True}
    app.get("/nothing", status=404)


def test_the_navigation_can_be_overridden_by_spec(make_plugin, settings):
    package = make_plugin("brand", '''
def includeme(config):
    pass
''', files={"nav.jinja2": '<nav class="acme-nav">{% for e in entries %}'
                          '<b>{{ e.title }}</b>{% endfor %}</nav>'})
    app = _app(settings, "brand", **{
        "podium.asset_overrides": f"podium:templates/navigation.jinja2 = {package}:nav.jinja2"})
    page = app.get("/", status=200)
    assert [b.text for b in page.html.select("nav.acme-nav b")] == ["brand"]
    assert page.html.select_one("nav.podium-nav") is None


def test_made_up_host_names_do_not_grow_the_url_cache(make_plugin, settings):
    make_plugin("seen", SEEN)
    app = _app(settings, "seen")
    for number in range(MAX_ENTRIES + 50):
        app.get("/nowhere", status=404, headers={"Host": f"h{number}.example"})
    cache = app.app.registry["podium.url_cache"]
    assert 0 < len(cache) <= MAX_ENTRIES


@pytest.mark.parametrize("path, current", [("/", []), ("/seen/", ["seen"]),
                                           ("/seen/deeper/page", ["seen"]),
                                           ("/seen/caf%C3%A9/a%20b", ["seen"]),
                                           ("/seen%C3%A9/", [])])
def test_the_current_entry_is_still_marked(make_plugin, settings, path, current):
    make_plugin("seen", SEEN)
    page = _app(settings, "seen").get(path, status="*", headers={"Accept": "text/html"})
    marked = page.html.select('nav a[aria-current="page"]')
    assert [a["data-plugin"] for a in marked] == current
