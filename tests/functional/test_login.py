"""The login and logout pages through the whole WSGI app."""

from __future__ import annotations

import statistics
import time

import pytest
import security_kit
from security_kit import (
    add_user,
    engine_of,
    last_login,
    log_in,
)

from podium.accounts.passwords import Passwords
from podium.security.login import WRONG_CREDENTIALS

site = security_kit.site  # the fixture


def whoami(app, cookie=None):
    """Who ``app`` is logged in as; with ``cookie``, who that session cookie
    (sent exactly as the server set it, not through the client's jar) is."""
    if cookie is None:
        return app.get("/guarded/whoami").json["login"]
    anonymous = type(app)(app.app, extra_environ=dict(app.extra_environ))
    headers = {"Cookie": f"podium_session={cookie}"}
    return anonymous.get("/guarded/whoami", headers=headers).json["login"]


def test_the_login_page_is_in_the_layout_with_a_csrf_field(site):
    app = site()
    page = app.get("/login")
    assert 'class="podium-header"' in page.text and "<h1>Log in</h1>" in page.text
    form = page.forms["podium-login-form"]
    assert form["csrf_token"].value == app.csrf_token()
    assert form["password"].attrs["type"] == "password"


def test_a_login_opens_a_session_and_records_the_time(site):
    app = site()
    add_user(engine_of(app), "ed")
    assert last_login(engine_of(app), "ed") is None
    res = log_in(app, "Ed", status=302)  # names are case-insensitive
    assert res.location == "http://localhost/"
    assert whoami(app) == "ed"
    assert last_login(engine_of(app), "ed") is not None


def test_a_login_without_the_csrf_token_is_refused(site):
    app = site()
    add_user(engine_of(app), "ed")
    res = app.post("/login", {"login": "ed", "password": "violet staple harbour 7"},
                   status=400)
    assert "CSRF" in res.text
    assert whoami(app) is None
    assert last_login(engine_of(app), "ed") is None


def test_the_session_is_a_new_one_after_the_login(site):
    """Session fixation: what a session held before the login (its CSRF
    token, a cookie an attacker planted) is not what it holds after."""
    app = site()
    add_user(engine_of(app), "ed")
    before = app.csrf_token()
    planted = dict(app.cookies)
    log_in(app, "ed", status=302)
    after_cookies = dict(app.cookies)
    assert after_cookies["podium_session"] != planted["podium_session"]
    assert app.csrf_token() != before
    # The planted cookie itself identifies nobody.
    assert whoami(app, planted["podium_session"]) is None


@pytest.mark.parametrize("who", ["wrong password", "unknown name", "disabled user"])
def test_one_answer_for_every_wrong_login(site, who):
    app = site()
    engine = engine_of(app)
    add_user(engine, "ed")
    add_user(engine, "dis", active=False)
    reference = log_in(app, "ed", "not the password at all", status=400)
    login, password = {"wrong password": ("ed", "another wrong one here"),
                       "unknown name": ("nosuchuser", "violet staple harbour 7"),
                       "disabled user": ("dis", "violet staple harbour 7")}[who]
    res = log_in(app, login, password, status=400)
    assert WRONG_CREDENTIALS in res.text
    assert res.text.replace(f'value="{login}"', 'value="ed"') == reference.text
    assert whoami(app) is None


@pytest.mark.parametrize(("target", "lands"), [
    ("/notes/?page=2", "http://localhost/notes/?page=2"),
    ("//evil.example/x", "http://localhost/"),
    ("/\\evil.example", "http://localhost/"),
    ("https://evil.example/", "http://localhost/"),
])
def test_the_login_goes_back_only_to_this_site(site, target, lands):
    app = site()
    add_user(engine_of(app), "ed")
    form = app.get("/login", {"next": target}).forms["podium-login-form"]
    assert ("next" in form.fields) == lands.endswith(target)  # kept only when safe
    # Sent as a forged form would send it, whatever the page kept.
    res = app.post("/login", {"login": "ed", "password": "violet staple harbour 7",
                              "next": target, "csrf_token": app.csrf_token()}, status=302)
    assert res.location == lands


def test_logout_ends_the_session_and_every_copy_of_its_cookie(site):
    app = site()
    add_user(engine_of(app), "ed")
    log_in(app, "ed", status=302)
    stolen = app.cookies["podium_session"]
    assert whoami(app, stolen) == "ed"  # the copy works, until the logout
    page = app.get("/logout")
    assert "You are logged in as ed" in page.text
    app.post("/logout", status=403)  # without the token: 403 for a session (was 400)
    assert whoami(app) == "ed"
    res = page.forms["podium-logout-form"].submit(status=302)
    assert res.location == "http://localhost/"
    assert whoami(app) is None
    assert whoami(app, stolen) is None  # the copy an attacker kept
    assert "You are not logged in" in app.get("/logout").text


def test_other_methods_are_405(site):
    app = site()
    res = app.put("/login", status=405)
    assert res.headers["Allow"] == "GET, HEAD, POST"
    app.delete("/logout", status=405)


def test_an_unknown_name_costs_the_time_of_a_known_one(site):
    """The same argon2 check for both (real cost, so that it dominates the
    request); medians of a few, compared loosely: the machine is shared."""
    app = site(**{"podium.passwords.argon2_time_cost": "3",
                  "podium.passwords.argon2_memory_cost": "65536",
                  "podium.passwords.argon2_parallelism": "4",
                  "podium.login.throttle_per_account": "100"})
    add_user(engine_of(app), "ed", passwords=Passwords())  # hashed at the same cost
    token = app.csrf_token()

    def timed(login: str) -> float:
        start = time.perf_counter()
        app.post("/login", {"login": login, "password": "wrong password here",
                            "csrf_token": token}, status=400)
        return time.perf_counter() - start

    timed("ed")  # warm-up: the dummy hash of these parameters is made once
    timed("ghost")
    # Alternated, so that a burst of load on the shared cores falls on both.
    pairs = [(timed("ed"), timed(f"ghost{i}")) for i in range(7)]
    known = statistics.median(k for k, _ in pairs)
    unknown = statistics.median(u for _, u in pairs)
    assert unknown > known * 0.5, (known, unknown)
    assert known > unknown * 0.5, (known, unknown)
