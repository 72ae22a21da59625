"""Security headers on every response, through the whole WSGI app.

Pages, JSON, error pages (404, 400, 500), redirects, static files and the CSV
download all carry the Content-Security-Policy and its companions; HSTS only
in production over HTTPS; a plugin widens the policy with the directive; and
the pages the policy covers contain nothing inline that it would block.
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Callable
from typing import Any

import pytest
from notes_data import OPEN_TO_EVERYONE, add_notes

from podium.testing import PodiumTestApp, base_settings, build_app

BASE_CSP = ("default-src 'self'; script-src 'self'; object-src 'none'; base-uri 'self'; "
            "frame-ancestors 'none'; form-action 'self'")
EVERY_RESPONSE = {
    "Content-Security-Policy": BASE_CSP,
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "strict-origin-when-cross-origin",
}

SEC = '''
from pyramid.response import Response


def boom(request):
    raise ValueError("a plugin bug")


def own_headers(request):
    return Response("framed on purpose", headers={
        "Content-Security-Policy": "default-src 'none'; frame-ancestors https://partner.example",
        "X-Frame-Options": "SAMEORIGIN",
    })


def includeme(config):
    config.add_route("sec.boom", "/boom")
    config.add_view(boom, route_name="sec.boom")
    config.add_route("sec.own", "/own")
    config.add_view(own_headers, route_name="sec.own")
'''

WIDEN = '''
def includeme(config):
    config.add_content_security_policy_source("img-src", "https://images.example.com")
    config.add_content_security_policy_source("script-src", "https://cdn.example.com")
    config.add_content_security_policy_source("script-src", "https://cdn.example.com")
'''

FRAMED = '''
def includeme(config):
    config.add_content_security_policy_source("frame-ancestors", "'self'")
'''


@pytest.fixture
def site(make_plugin: Callable[..., str],
         production_like_apps: Callable[..., PodiumTestApp]) -> Callable[..., PodiumTestApp]:
    """``site(plugins, **settings)``: the real app with the notes plugin and ``sec``."""
    make_plugin("sec", SEC)
    make_plugin("widen", WIDEN)
    make_plugin("framed", FRAMED)

    def build(plugins: str = "notes sec", **settings: str) -> PodiumTestApp:
        # An operator's site open to anonymous writers: these tests are about how
        # requests are handled, whoever sends them (who may is test_permissions.py's).
        opened = OPEN_TO_EVERYONE if "notes" in plugins.split() else {}
        return production_like_apps(plugins, **{**opened, **settings})

    return build


def assert_secured(res: Any) -> None:
    for name, value in EVERY_RESPONSE.items():
        assert res.headers.get(name) == value, (name, res.request.url, res.status)


#: (what, method, path, status, headers, content type the response must have)
RESPONSES = [
    ("home page", "GET", "/", 200, {}, "text/html"),
    ("plugin page", "GET", "/notes/", 200, {}, "text/html"),
    ("JSON API", "GET", "/notes/api/notes", 200, {}, "application/json"),
    ("404 page", "GET", "/nowhere", 404, {"Accept": "text/html"}, "text/html"),
    ("404 JSON", "GET", "/notes/api/notes/999999", 404, {}, "application/json"),
    ("400 page", "GET", "/notes/?page=zero", 400, {"Accept": "text/html"}, "text/html"),
    ("405 JSON", "POST", "/notes/api/notes/1", 405, {}, "application/json"),
    ("500 page", "GET", "/sec/boom", 500, {"Accept": "text/html"}, "text/html"),
    ("500 JSON", "GET", "/sec/boom", 500, {"Accept": "application/json"}, "application/json"),
    ("redirect", "GET", "/notes", 302, {}, None),
    ("core static", "GET", "/static/podium.css", 200, {}, "text/css"),
    ("plugin static", "GET", "/notes/static/notes.css", 200, {}, "text/css"),
    ("CSV", "GET", "/notes/export.csv", 200, {}, "text/csv"),
    ("HEAD", "HEAD", "/notes/", 200, {}, "text/html"),
]


@pytest.mark.parametrize(("what", "method", "path", "status", "headers", "content_type"),
                         RESPONSES, ids=[r[0] for r in RESPONSES])
def test_every_kind_of_response_carries_the_headers(site, what, method, path, status, headers,
                                                    content_type):
    res = site().request(path, method=method, headers=headers, status=status,
                         expect_errors=True)
    assert res.status_int == status
    if content_type:
        assert res.content_type == content_type
    assert_secured(res)
    assert "Strict-Transport-Security" not in res.headers  # development


def test_a_304_carries_them_too(site):
    app = site()
    etag = app.get("/static/podium.css").headers["ETag"]
    assert_secured(app.get("/static/podium.css", headers={"If-None-Match": etag}, status=304))


def test_the_503_of_an_unreachable_database_carries_them(tmp_path):
    values = base_settings(f"sqlite:///{tmp_path / 'volume' / 'podium.sqlite'}", "notes")
    app = build_app(values)
    shutil.rmtree(tmp_path / "volume")  # gone after start-up, as an unmounted volume
    app.registry["podium.engine"].dispose()
    try:
        res = PodiumTestApp(app, extra_environ={"HTTP_HOST": "localhost"}).get(
            "/notes/", status=503)
        assert "Retry-After" in res.headers
        assert_secured(res)
    finally:
        app.registry["podium.engine"].dispose()


@pytest.mark.parametrize("path", ["/notes/", "/nowhere", "/static/podium.css", "/sec/boom"])
def test_hsts_in_production_over_https(site, path):
    app = site(**{"podium.environment": "production"})
    res = app.get(path, extra_environ={"wsgi.url_scheme": "https"}, expect_errors=True)
    assert res.headers["Strict-Transport-Security"] == "max-age=31536000"
    assert_secured(res)


@pytest.mark.parametrize(("environment", "scheme"),
                         [("production", "http"), ("development", "https")])
def test_no_hsts_over_http_nor_in_development(site, environment, scheme):
    app = site(**{"podium.environment": environment})
    res = app.get("/notes/", extra_environ={"wsgi.url_scheme": scheme})
    assert "Strict-Transport-Security" not in res.headers
    assert_secured(res)


def test_headers_a_view_set_itself_are_kept(site):
    res = site().get("/sec/own")
    assert res.headers["Content-Security-Policy"] == (
        "default-src 'none'; frame-ancestors https://partner.example")
    assert res.headers["X-Frame-Options"] == "SAMEORIGIN"
    assert len(res.headers.getall("Content-Security-Policy")) == 1
    assert res.headers["X-Content-Type-Options"] == "nosniff"  # the others are still added


def test_a_plugin_adds_sources_to_the_policy(site):
    res = site("notes sec widen").get("/notes/")
    assert res.headers["Content-Security-Policy"] == (
        "default-src 'self'; script-src 'self' https://cdn.example.com; object-src 'none'; "
        "base-uri 'self'; frame-ancestors 'none'; form-action 'self'; "
        "img-src 'self' https://images.example.com")
    # Worked out once for the app: an error page has the same policy.
    missing = site("notes sec widen").get("/nowhere", status=404)
    assert missing.headers["Content-Security-Policy"] == res.headers["Content-Security-Policy"]


def test_allowing_framing_by_the_site_itself_relaxes_x_frame_options(site):
    res = site("notes framed").get("/notes/")
    assert "frame-ancestors 'self';" in res.headers["Content-Security-Policy"]
    assert "'none'; form-action" not in res.headers["Content-Security-Policy"]
    assert res.headers["X-Frame-Options"] == "SAMEORIGIN"


@pytest.mark.parametrize(("call", "message"), [
    ('("scripts-src", "https://cdn.example.com")', "is not one that takes sources"),
    ('("img-src", "https://a.example https://b.example")', "give one source"),
    ('("img-src", "https://a.example;")', "give one source"),
    ('("script-src", "self")', "keywords are quoted"),
])
def test_a_malformed_source_is_refused_at_start_up(site, make_plugin, call, message):
    make_plugin("bad", f"def includeme(config):\n"
                       f"    config.add_content_security_policy_source{call}\n")
    with pytest.raises(Exception, match=message):
        site("bad")


# -- the policy and the pages ----------------------------------------------------------------

INLINE_HANDLER = re.compile(r"<[^>]*\son[a-z]+\s*=", re.IGNORECASE)


def pages(app: PodiumTestApp, note_id: int) -> dict[str, Any]:
    return {
        "home": app.get("/"),
        "list": app.get("/notes/"),
        "view": app.get(f"/notes/{note_id}"),
        "new": app.get("/notes/new"),
        "edit": app.get(f"/notes/{note_id}/edit"),
        "delete": app.get(f"/notes/{note_id}/delete"),
        "404": app.get("/nowhere", status=404, headers={"Accept": "text/html"}),
        "500 with traceback": app.get("/sec/boom", status=500, headers={"Accept": "text/html"}),
    }


def test_the_rendered_pages_have_nothing_the_policy_blocks(podium_engine_for_site):
    """No inline script, event handler or style, and every script, stylesheet,
    image and form target on this site: what ``'self'`` allows."""
    app, engine = podium_engine_for_site
    [note_id] = add_notes(engine, 1)
    for name, res in pages(app, note_id).items():
        html = res.html
        assert res.headers["Content-Security-Policy"] == BASE_CSP, name
        assert not [s for s in html.find_all("script") if not s.get("src")], name
        assert html.find_all("style") == [], name
        assert html.select("[style]") == [], name
        assert not INLINE_HANDLER.search(res.text), name
        assert "javascript:" not in res.text, name
        urls = ([t["src"] for t in html.select("script[src], img[src]")]
                + [t["href"] for t in html.select("link[href]")]
                + [t["action"] for t in html.select("form[action]")])
        assert urls, name
        for url in urls:
            assert url.startswith(("/", "http://localhost/")), (name, url)


@pytest.fixture
def podium_engine_for_site(site):
    app = site(**{"podium.show_tracebacks": "true"})
    return app, app.app.registry["podium.engine"]
