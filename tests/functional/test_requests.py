"""Request extensions are baked into one class: no class per request."""

import pytest
from notes_data import OPEN_TO_EVERYONE
from pyramid.interfaces import IRequestExtensions, IRequestFactory


@pytest.fixture
def podium_settings(podium_settings):
    """An operator's site open to anonymous writers: these tests are about how
    requests are handled, whoever sends them (who may is test_permissions.py's)."""
    return {**podium_settings, **OPEN_TO_EVERYONE}


def test_one_request_class_serves_every_request(testapp):
    registry = testapp.app.registry
    factory = registry.getUtility(IRequestFactory)
    assert registry.queryUtility(IRequestExtensions) is None
    classes = set()
    for _ in range(3):
        request = factory.blank("/")
        request.registry = registry
        classes.add(type(request))
        assert callable(request.dbsession.execute)  # the reified property works
        assert request.tm is request.tm
    assert classes == {factory}


def test_requests_through_the_app_still_have_their_extensions(testapp):
    res = testapp.post_json("/notes/api/notes", {"title": "baked", "body": ""}, status=201)
    assert testapp.get(res.headers["Location"]).json["title"] == "baked"


def test_layout_urls_are_the_same_as_pyramids(testapp):
    """The layout's cached URLs equal what request.static_url/route_url give."""
    page = testapp.get("/notes/")
    stylesheet = page.html.select_one('link[href*="podium.css"]')["href"]
    request = testapp.app.request_factory.blank("/")
    request.registry = testapp.app.registry
    assert stylesheet == request.static_url("podium:static/podium.css")
    assert page.html.select_one("a.podium-brand")["href"] == request.route_url("podium.home")
    nav = page.html.select_one('nav a[data-plugin="notes"]')["href"]
    assert nav == request.route_path("notes.list")


def test_urls_follow_the_host_and_script_name(testapp):
    page = testapp.get("/notes/", extra_environ={"HTTP_HOST": "example.org",
                                                 "SCRIPT_NAME": "/site"})
    href = page.html.select_one('link[href*="podium.css"]')["href"]
    assert href.startswith("http://example.org/site/static/podium.css?v=")
    nav = page.html.select_one('nav a[data-plugin="notes"]')
    assert nav["href"] == "/site/notes/" and nav["aria-current"] == "page"
