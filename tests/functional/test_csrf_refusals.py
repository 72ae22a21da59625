"""What a CSRF refusal answers, by who sent the request and what it was
(podium.web.errors.csrf_refusal): a 403 for a request identified by the
session cookie, a 400 otherwise, and a message saying what helps."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from security_kit import CHEAP, add_token, add_user, engine_of, log_in

from podium.testing import PodiumTestApp

FORMS = '''
from pyramid.security import NO_PERMISSION_REQUIRED


def saved(request):
    return {"saved": True}


def includeme(config):
    config.add_route("forms.save", "/save")
    config.add_view(saved, route_name="forms.save", renderer="json", request_method="POST",
                    permission=NO_PERMISSION_REQUIRED)
    config.add_route("forms.api", "/api/save")
    config.add_view(saved, route_name="forms.api", renderer="json", request_method="POST",
                    json_api=True, permission=NO_PERMISSION_REQUIRED)
'''

HTTPS = {"wsgi.url_scheme": "https"}
FOREIGN = {"Origin": "https://evil.example"}


@pytest.fixture
def site(make_plugin: Callable[..., str],
         production_like_apps: Callable[..., PodiumTestApp]) -> Callable[..., PodiumTestApp]:
    make_plugin("forms", FORMS)

    def build(logged_in: bool = False, **settings: str) -> PodiumTestApp:
        app = production_like_apps("forms", **{**CHEAP, **settings})
        if logged_in:
            add_user(engine_of(app), "ed")
            log_in(app, "ed", status=302)
        return app

    return build


def test_an_anonymous_form_without_the_token_is_a_400_that_says_reload(site):
    res = site().post("/forms/save", {"name": "x"}, status=400)
    assert res.content_type == "text/html"
    text = res.html.select_one(".podium-error").text
    assert "This form has expired" in text and "Reload the page" in text


def test_a_logged_in_users_form_without_the_token_is_a_403_that_says_reload(site):
    app = site(logged_in=True)
    res = app.post("/forms/save", {"name": "x", "csrf_token": "stale"}, status=403)
    assert res.content_type == "text/html"
    assert res.html.select_one("header.podium-header")  # in the layout
    assert "Reload the page" in res.html.select_one(".podium-error").text
    # The same form with the session's token passes.
    app.post("/forms/save", {"name": "x", "csrf_token": app.csrf_token()}, status=200)


@pytest.mark.parametrize("path", ["/forms/save", "/forms/api/save"])
def test_a_session_json_client_is_told_to_send_the_header_or_use_a_bearer_token(site, path):
    app = site(logged_in=True)
    res = app.post_json(path, {"x": 1}, status=403)
    error = res.json["error"]
    assert error["status"] == 403
    assert "session cookie" in error["message"]
    assert "X-CSRF-Token" in error["message"]
    assert "Authorization: Bearer" in error["message"]
    app.post_json(path, {"x": 1}, headers={"X-CSRF-Token": app.csrf_token()}, status=200)


def test_an_anonymous_json_client_is_told_to_use_a_bearer_token_not_a_content_type(site):
    app = site()
    res = app.post_json("/forms/save", {"x": 1}, status=400)  # not a json_api view
    message = res.json["error"]["message"]
    assert "X-CSRF-Token" in message and "Authorization: Bearer" in message
    assert "Content-Type" not in message and "session cookie" not in message


def test_a_program_with_a_bearer_token_is_not_asked_for_a_csrf_token(site):
    app = site()
    add_user(engine_of(app), "bot")
    auth = {"Authorization": f"Bearer {add_token(engine_of(app), 'bot')}"}
    app.post_json("/forms/save", {"x": 1}, headers=auth, status=200)


def test_a_foreign_origin_is_named_as_such(site):
    res = site().post_json("/forms/api/save", {"x": 1}, headers=FOREIGN,
                           extra_environ=HTTPS, status=400)
    message = res.json["error"]["message"]
    assert "not sent by this site" in message and "pyramid.csrf_trusted_origins" in message
    app = site(logged_in=True)
    res = app.post("/forms/save", {"csrf_token": app.csrf_token()}, headers=FOREIGN,
                   extra_environ=HTTPS, status=403)
    assert "Origin" in res.html.select_one(".podium-error").text


def test_a_production_site_over_plain_http_still_says_https(site):
    app = site(**{"podium.environment": "production"})
    res = app.post("/forms/save", {"name": "x"}, status=400)
    assert "must be opened over HTTPS" in res.text
