"""401 for nobody, 403 for a user without the permission, through the whole
app: JSON clients get the JSON error shape (and ``WWW-Authenticate: Bearer``
on a 401), pages the login page or a page in the layout (see
podium.security.forbidden)."""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import parse_qs, urlsplit

import pytest
from security_kit import CHEAP, add_token, add_user, engine_of, log_in

from podium.testing import PodiumTestApp

VAULT = '''
from pyramid.httpexceptions import HTTPForbidden
from pyramid.security import NO_PERMISSION_REQUIRED

try:
    from podium.api import Permission
except ImportError:  # a core before plugins declared their permissions
    permissions = []
else:
    permissions = [Permission("vault.read", "Read the vault"),
                   Permission("vault.write", "Write to the vault")]

PAGE = "PKG:page.jinja2"


def page(request):
    return {"text": "the vault's secret"}


def saved(request):
    return {"text": "saved"}


def data(request):
    return {"secret": 42}


def owners_only(request):
    raise HTTPForbidden("Only the owner of this shelf may open it.")


def bare_refusal(request):
    raise HTTPForbidden()


def includeme(config):
    config.add_route("vault.page", "/page")
    config.add_view(page, route_name="vault.page", renderer=PAGE, permission="vault.read",
                    request_method="GET")
    config.add_view(saved, route_name="vault.page", renderer=PAGE, permission="vault.write",
                    request_method="POST")
    config.add_route("vault.api", "/api/data")
    config.add_view(data, route_name="vault.api", renderer="json", permission="vault.read",
                    request_method="GET")
    config.add_view(data, route_name="vault.api", renderer="json", permission="vault.write",
                    request_method="POST", json_api=True)
    config.add_route("vault.shelf", "/shelf")
    config.add_view(owners_only, route_name="vault.shelf", permission=NO_PERMISSION_REQUIRED)
    config.add_route("vault.bare", "/bare")
    config.add_view(bare_refusal, route_name="vault.bare", permission=NO_PERMISSION_REQUIRED)
'''

PAGE = """{% extends "podium:templates/layout.jinja2" %}
{% block content %}<p id="vault">{{ text }}</p>{% endblock %}
"""

ROLES = {"podium.roles.reader": "vault.read",
         "podium.roles.writer": "vault.read vault.write"}


@pytest.fixture
def site(make_plugin: Callable[..., str],
         production_like_apps: Callable[..., PodiumTestApp]) -> Callable[..., PodiumTestApp]:
    make_plugin("vault", VAULT, files={"page.jinja2": PAGE})

    def build(**settings: str) -> PodiumTestApp:
        return production_like_apps("vault", **{**CHEAP, **ROLES, **settings})

    return build


def reader(site: Callable[..., PodiumTestApp]) -> PodiumTestApp:
    app = site()
    add_user(engine_of(app), "rita", "reader")
    log_in(app, "rita", status=302)
    return app


def bearer(app: PodiumTestApp, login: str, *roles: str) -> dict[str, str]:
    add_user(engine_of(app), login, *roles)
    return {"Authorization": f"Bearer {add_token(engine_of(app), login)}"}


# -- nobody: 401 ----------------------------------------------------------------------------

def test_a_page_asked_for_by_nobody_sends_them_to_the_login_page_and_back(site):
    app = site()
    res = app.get("/vault/page?shelf=3", status=303)
    parts = urlsplit(res.location)
    assert parts.path == "/login"
    assert parse_qs(parts.query) == {"next": ["/vault/page?shelf=3"]}
    assert app.head("/vault/page", status=303).location.endswith("/login?next=%2Fvault%2Fpage")
    add_user(engine_of(app), "rita", "reader")
    login_page = app.get(res.location)
    form = login_page.forms["podium-login-form"]
    assert form["next"].value == "/vault/page?shelf=3"
    form["login"], form["password"] = "rita", "violet staple harbour 7"
    back = form.submit(status=302)
    assert back.location == "http://localhost/vault/page?shelf=3"
    assert back.follow().html.select_one("#vault").text == "the vault's secret"


def test_a_form_sent_by_nobody_gets_a_401_page_with_the_login_link(site):
    app = site()
    res = app.post("/vault/page", {"csrf_token": app.csrf_token()}, status=401)
    assert res.content_type == "text/html"
    assert res.headers["WWW-Authenticate"].startswith("Bearer")
    assert "not logged in" in res.html.select_one(".podium-error").text
    assert "nothing was changed" in res.text
    link = res.html.select_one("#podium-login-needed")["href"]
    assert link == "/login?next=%2Fvault%2Fpage"
    assert res.html.select_one("header.podium-header")  # in the layout


def test_a_json_client_without_identity_gets_401_with_a_bearer_challenge(site):
    app = site()
    res = app.get("/vault/api/data", status=401)
    assert res.headers["WWW-Authenticate"] == 'Bearer realm="Podium"'
    assert res.json == {"error": {"status": 401, "title": "Unauthorized",
                                  "message": res.json["error"]["message"]}}
    message = res.json["error"]["message"]
    assert "Authorization: Bearer" in message
    # Where a user makes a token, as a URL a program's log can be followed from.
    assert "account page, http://localhost/account," in message
    assert "podium tokens create" in message
    res = app.post_json("/vault/api/data", {"x": 1}, status=401)
    assert res.json["error"]["status"] == 401
    # A page's JSON request (Accept) is answered as JSON too, not redirected.
    res = app.get("/vault/page", headers={"Accept": "application/json"}, status=401)
    assert res.json["error"]["status"] == 401


def test_a_wrong_token_is_told_it_is_invalid(site):
    app = site()
    res = app.get("/vault/api/data", headers={"Authorization": "Bearer pdm_wrong"},
                  status=401)
    assert res.headers["WWW-Authenticate"] == 'Bearer realm="Podium", error="invalid_token"'
    message = res.json["error"]["message"]
    assert "wrong, expired or revoked" in message
    assert "your account page, http://localhost/account," in message
    res = app.get("/vault/api/data", headers={"Authorization": "Bearer pdm_wrong",
                                              "Host": "example.org"}, status=401)
    assert "http://example.org/account," in res.json["error"]["message"]  # the host asked


def test_a_program_sending_a_token_is_never_sent_to_the_login_page(site):
    app = site()
    res = app.get("/vault/page", headers={"Authorization": "Bearer pdm_expired"}, status=401)
    assert res.json["error"]["status"] == 401
    assert 'error="invalid_token"' in res.headers["WWW-Authenticate"]


def test_a_logged_out_session_is_nobody_again(site):
    app = reader(site)
    app.get("/vault/page", status=200)
    app.get("/logout").forms["podium-logout-form"].submit(status=302)
    assert app.get("/vault/page", status=303).location.startswith("http://localhost/login?")


# -- a user without the permission: 403 -----------------------------------------------------

def test_a_user_without_the_permission_gets_a_403_page_naming_it(site):
    app = reader(site)
    assert app.get("/vault/page").html.select_one("#vault").text == "the vault's secret"
    res = app.post("/vault/page", {"csrf_token": app.csrf_token()}, status=403)
    assert res.content_type == "text/html"
    assert "WWW-Authenticate" not in res.headers
    message = res.html.select_one(".podium-error").text
    assert "rita" in message and "vault.write" in message
    assert res.html.select_one("header.podium-header")


def test_a_json_client_without_the_permission_gets_a_403_in_the_json_shape(site):
    app = site()
    auth = bearer(app, "bot", "reader")
    assert app.get("/vault/api/data", headers=auth).json == {"secret": 42}
    res = app.post_json("/vault/api/data", {"x": 1}, headers=auth, status=403)
    assert set(res.json["error"]) == {"status", "title", "message"}
    assert res.json["error"]["status"] == 403
    assert "vault.write" in res.json["error"]["message"]
    assert "WWW-Authenticate" not in res.headers


def test_with_the_permission_the_same_requests_pass(site):
    app = site()
    auth = bearer(app, "writer", "writer")
    app.post_json("/vault/api/data", {"x": 1}, headers=auth, status=200)
    add_user(engine_of(app), "wanda", "writer")
    log_in(app, "wanda", status=302)
    assert app.post("/vault/page", {"csrf_token": app.csrf_token()}).html.select_one(
        "#vault").text == "saved"


def test_a_plugins_own_refusal_keeps_its_message(site):
    app = reader(site)
    res = app.get("/vault/shelf", status=403)
    assert "Only the owner of this shelf may open it." in res.text
    res = app.get("/vault/bare", status=403)
    assert "may not do this" in res.text
    # Nobody is asked to log in, even where the view itself refused.
    assert site().get("/vault/shelf", status=303).location.startswith("http://localhost/login")
