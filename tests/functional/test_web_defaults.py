"""Secure and readable defaults: CSRF, sessions, error pages, autoescaping."""

from __future__ import annotations

import secrets

import pytest
import webtest

from podium.testing import build_app

#: Production refuses weak secrets; one made as the error message says.
STRONG_SECRET = secrets.token_urlsafe(48)

WEB = '''
from pyramid.httpexceptions import HTTPForbidden
from pyramid.csrf import get_csrf_token


def form(request):
    return {"token": get_csrf_token(request)}


def submit(request):
    return {"ok": True, "got": request.json_body if request.content_type.endswith("json")
            else dict(request.POST)}


def boom(request):
    raise ValueError("secret internals")


def forbidden(request):
    raise HTTPForbidden("You may not look at this.")


def echo(request):
    return {"value": request.params.get("value", "")}


def includeme(config):
    config.add_route("web.form", "/form")
    config.add_view(form, route_name="web.form", renderer="json")
    config.add_route("web.submit", "/submit")
    config.add_view(submit, route_name="web.submit", renderer="json", json_api=True)
    config.add_route("web.boom", "/boom")
    config.add_view(boom, route_name="web.boom")
    config.add_route("web.forbidden", "/forbidden")
    config.add_view(forbidden, route_name="web.forbidden")
    config.add_route("web.echo", "/echo")
    config.add_view(echo, route_name="web.echo", renderer="PKG:echo.jinja2")
'''

ECHO = '''{% extends "podium:templates/layout.jinja2" %}
{% block content %}<p id="value">{{ value }}</p>{% endblock %}
'''


@pytest.fixture
def web(make_plugin, tmp_path):
    def build(**settings):
        values = {
            "sqlalchemy.url": f"sqlite:///{tmp_path / 'web.sqlite'}",
            "podium.plugins": "web",
            "podium.secret": STRONG_SECRET,
            "podium.allowed_hosts": "localhost",
        }
        values.update(settings)
        return webtest.TestApp(build_app(values), extra_environ={"HTTP_HOST": "localhost"})

    package = make_plugin("web", WEB.replace("PKG", "web_PKG"), files={"echo.jinja2": ECHO})
    # the renderer spec needs the generated package name
    (tmp_path / "site" / package / "__init__.py").write_text(
        WEB.replace("PKG", package))
    return build


def test_a_form_post_without_token_is_refused_with_a_readable_message(web):
    res = web().post("/web/submit", {"name": "x"}, status=400)
    assert "CSRF" in res.text and "Reload the page" in res.text
    assert res.content_type == "text/html"


def test_a_form_post_with_the_session_token_passes(web):
    app = web()
    token = app.get("/web/form").json["token"]
    res = app.post("/web/submit", {"name": "x", "csrf_token": token})
    assert res.json == {"ok": True, "got": {"name": "x", "csrf_token": token}}


def test_the_token_header_works_for_scripts_in_the_page(web):
    app = web()
    token = app.get("/web/form").json["token"]
    res = app.post("/web/submit", {"name": "x"}, headers={"X-CSRF-Token": token})
    assert res.json["ok"] is True


def test_a_json_body_needs_no_token(web):
    res = web().post_json("/web/submit", {"name": "api"})
    assert res.json == {"ok": True, "got": {"name": "api"}}


@pytest.mark.parametrize("method", ["put", "patch", "delete"])
def test_methods_a_form_cannot_send_need_no_token(web, method):
    res = getattr(web(), method)("/web/submit")
    assert res.json["ok"] is True


def test_json_sent_as_text_plain_still_needs_the_token(web):
    """A cross-site form can send text/plain without a preflight: not exempt."""
    res = web().post("/web/submit", '{"name": "x"}', content_type="text/plain", status=400)
    assert "CSRF" in res.text


def test_session_cookie_is_httponly_and_samesite(web):
    res = web().get("/web/form")
    cookie = res.headers["Set-Cookie"]
    assert "podium_session=" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert "secure" not in cookie.lower().replace("samesite", "")


def test_session_cookie_is_secure_in_production(web):
    res = web(**{"podium.environment": "production"}).get("/web/form")
    assert "; secure" in res.headers["Set-Cookie"].lower()


def test_404_is_a_page_for_browsers(web):
    res = web().get("/nowhere", status=404, headers={"Accept": "text/html"})
    assert res.content_type == "text/html"
    assert "404 Not Found" in res.html.h1.text
    assert res.html.select_one("nav.podium-nav") is not None  # rendered through the layout


@pytest.mark.parametrize("headers", [{"Accept": "application/json"}, {}])
def test_404_is_json_for_programs(web, headers):
    url = "/nowhere" if headers else "/web/api/nothing"  # an /api/ path answers JSON
    res = web().get(url, status=404, headers=headers)
    assert res.content_type == "application/json"
    assert res.json["error"]["status"] == 404
    assert res.json["error"]["title"] == "Not Found"


def test_403_uses_the_views_message(web):
    # Asked by nobody: a 401 (podium.security.forbidden), the view's message first.
    res = web().get("/web/forbidden", status=401, headers={"Accept": "application/json"})
    assert res.json["error"]["message"].startswith("You may not look at this. ")


def test_500_never_shows_a_traceback_in_production(web):
    app = web(**{"podium.environment": "production"})
    res = app.get("/web/boom", status=500)
    assert "secret internals" not in res.text and "Traceback" not in res.text
    assert "nothing was saved" in res.text
    res = app.get("/web/boom", status=500, headers={"Accept": "application/json"})
    assert res.json["error"]["status"] == 500
    assert "secret internals" not in res.text


def test_500_shows_the_traceback_when_development_asks(web):
    res = web(**{"podium.show_tracebacks": "true"}).get("/web/boom", status=500)
    assert "Traceback" in res.text and "secret internals" in res.text


def test_templates_autoescape(web):
    res = web().get("/web/echo", {"value": "<script>alert(1)</script>"})
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in res.text
    assert "<script>alert(1)" not in res.text


def test_autoescape_cannot_be_switched_off_by_settings(web):
    res = web(**{"jinja2.autoescape": "false"}).get("/web/echo", {"value": "<b>x</b>"})
    assert "&lt;b&gt;x&lt;/b&gt;" in res.text


def test_core_static_files_are_served(web):
    res = web().get("/static/podium.css")
    assert res.content_type == "text/css"
    assert ".podium-header" in res.text
