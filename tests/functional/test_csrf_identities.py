"""CSRF in one rule, by how a request is identified: the session cookie needs
the token on every unsafe method, JSON included; a bearer token needs none;
a request nobody is identified by keeps the rules of test_csrf_rules.py."""

from __future__ import annotations

import pytest
import security_kit
from notes_data import OPEN_TO_EVERYONE, add_notes, count, rows
from security_kit import add_token, add_user, engine_of, log_in

site = security_kit.site  # the fixture

API = "/notes/api/notes"
HTTPS = {"wsgi.url_scheme": "https"}


def open_site(site):
    """A site opened to anonymous writers, as an operator opens one: the rules
    for nobody are only reached where nobody may write (a refused permission
    is a 401 before any CSRF check), and these tests are about CSRF."""
    return site(**OPEN_TO_EVERYONE)


def logged_in(site):
    app = open_site(site)
    add_user(engine_of(app), "ed")
    log_in(app, "ed", status=302)
    return app


def test_a_session_json_post_needs_the_header_token(site):
    app = logged_in(site)
    # 403 (was 400): the session's authority may not be used without the token.
    res = app.post_json(API, {"title": "forged"}, status=403)
    message = res.json["error"]["message"]
    assert "CSRF" in message and "X-CSRF-Token" in message
    assert "Authorization: Bearer" in message  # what a program does instead
    assert "Content-Type: application/json" not in message
    assert count(engine_of(app)) == 0
    app.post_json(API, {"title": "mine"}, headers={"X-CSRF-Token": app.csrf_token()},
                  status=201)
    assert count(engine_of(app)) == 1


@pytest.mark.parametrize("method", ["PUT", "PATCH", "DELETE"])
def test_a_session_put_patch_or_delete_needs_the_token(site, method):
    app = logged_in(site)
    [note_id] = add_notes(engine_of(app), 1)
    before = rows(engine_of(app))
    app.request(f"{API}/{note_id}", method=method, body=b'{"title": "t"}',
                content_type="application/json", status=403)  # was 400, as above
    assert rows(engine_of(app)) == before
    res = app.request(f"{API}/{note_id}", method=method, body=b'{"title": "t"}',
                      content_type="application/json",
                      headers={"X-CSRF-Token": app.csrf_token()}, expect_errors=True)
    assert res.status_int in (200, 204)


def test_a_bearer_token_needs_no_csrf_token_even_beside_a_session_cookie(site):
    app = logged_in(site)
    add_user(engine_of(app), "bot")
    auth = {"Authorization": f"Bearer {add_token(engine_of(app), 'bot')}"}
    res = app.post_json(API, {"title": "from a script"}, headers=auth, status=201)
    app.delete(res.json["url"], headers=auth, status=204)
    app.post("/guarded/write", {"x": "1"}, headers=auth)  # even form-shaped: no cookie authority


def test_a_wrong_bearer_token_is_anonymous_and_keeps_the_anonymous_rules(site):
    app = logged_in(site)
    auth = {"Authorization": "Bearer pdm_wrong"}
    app.post_json(API, {"title": "x"}, headers=auth, status=201)  # as anonymous JSON today
    app.post("/guarded/write", {"x": "1"}, headers=auth, status=400)  # a form needs the token


def test_bearer_requests_still_get_the_origin_check_over_https(site):
    app = open_site(site)
    add_user(engine_of(app), "bot")
    auth = {"Authorization": f"Bearer {add_token(engine_of(app), 'bot')}"}
    app.post_json(API, {"title": "x"}, headers={**auth, "Origin": "https://evil.example"},
                  extra_environ=HTTPS, status=400)
    app.post_json(API, {"title": "x"}, headers=auth, extra_environ=HTTPS, status=201)


def test_anonymous_json_keeps_todays_rules(site):
    app = open_site(site)
    res = app.post_json(API, {"title": "anonymous"}, status=201)
    app.delete(res.json["url"], status=204)
    app.post_json("/guarded/write", {"x": 1}, status=200)  # json_api=True


def test_a_stale_session_counts_as_anonymous(site):
    """A cookie whose epoch is old carries no authority: nothing to protect."""
    app = logged_in(site)
    app.get("/logout").forms["podium-logout-form"].submit(status=302)
    app.post_json(API, {"title": "after logout"}, status=201)
