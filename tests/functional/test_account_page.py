"""The signed-in user's own page (``/account``): their details, their API
tokens and a password change, through the whole app on a real database."""

from __future__ import annotations

from typing import Any

import pytest
from notes_data import bearer_client
from sqlalchemy import select

from podium.accounts.models import ApiToken, User
from podium.accounts.service import TOKEN_EXPIRES_MAX_DAYS, token_digest
from podium.store.sessions import tm_session
from podium.testing import PodiumTestApp

pytestmark = pytest.mark.podium_plugins("notes")

API = "/notes/api/notes"
NEW_PASSWORD = "quiet lantern orchard 42"


@pytest.fixture
def ann(logged_in_app: Any) -> PodiumTestApp:
    """Ann's browser, logged in; ``ann.user`` has her password."""
    return logged_in_app(login="ann")


def tokens_of(app: PodiumTestApp, login: str) -> list[tuple[int, str, str]]:
    """(id, label, hash) of the user's tokens, read from the store."""
    with tm_session(app.app.registry["podium.engine"]) as session:
        user_id = session.scalars(select(User.id).where(User.login == login)).one()
        return [(t.id, t.label, t.token_hash) for t in session.scalars(
            select(ApiToken).where(ApiToken.user_id == user_id).order_by(ApiToken.id))]


def create(app: PodiumTestApp, **fields: str) -> Any:
    form = app.get("/account").forms["podium-account-token-form"]
    for name, value in fields.items():
        form[name] = value
    return form.submit(expect_errors=True)


def anonymous(app: PodiumTestApp) -> PodiumTestApp:
    return PodiumTestApp(app.app, extra_environ={"HTTP_HOST": "localhost"})


def test_the_page_shows_who_the_user_is(ann):
    page = ann.get("/account")
    assert page.headers["Cache-Control"] == "no-store"
    assert "<h1>Your account</h1>" in page.text
    assert page.html.select_one("#podium-account-login-name").text == "ann"
    assert page.html.select_one("#podium-account-no-tokens") is not None
    # The layout's account area links the user's name here.
    link = page.html.select_one(".podium-account a.podium-account-name")
    assert link["href"] == "/account" and link.text == "ann"


def test_nobody_is_sent_to_log_in(testapp):
    res = testapp.get("/account", status=303)
    assert res.location == "http://localhost/login?next=%2Faccount"
    token = testapp.csrf_token()
    testapp.post("/account/tokens", {"label": "x", "csrf_token": token}, status=401)
    testapp.post("/account/password", {"csrf_token": token}, status=401)


def test_a_new_token_is_shown_once_works_and_is_listed_without_its_secret(ann):
    res = create(ann, label="my script", expires="30")
    assert res.status_int == 200
    assert res.headers["Cache-Control"] == "no-store"
    secret = res.html.select_one("#podium-account-secret").text
    assert secret.startswith("pdm_")
    [(token_id, label, digest)] = tokens_of(ann, "ann")
    assert (label, digest) == ("my script", token_digest(secret))  # only its hash is kept
    # Not in the session's cookie, nor anywhere on the next page.
    assert all(secret not in value for value in ann.cookies.values())
    page = ann.get("/account")
    assert secret not in page.text
    row = page.html.select_one(f"#podium-account-token-{token_id}")
    assert "my script" in row.text and "never" in row.text  # never used yet
    # It is a bearer token of ann's, against a protected API.
    program = bearer_client(ann.app, secret)
    program.post_json(API, {"title": "by token"}, status=201)
    assert "never" not in ann.get("/account").html.select_one(
        f"#podium-account-token-{token_id}").select("td")[4].text


def test_revoking_a_token_ends_it(ann):
    secret = create(ann, label="old").html.select_one("#podium-account-secret").text
    [(token_id, _, _)] = tokens_of(ann, "ann")
    form = ann.get("/account").html.select_one(f"#podium-account-token-{token_id} form")
    assert form["action"] == f"/account/tokens/{token_id}/revoke"
    res = ann.post(form["action"], {"csrf_token": ann.csrf_token()}, status=303)
    assert res.location == "http://localhost/account"
    assert tokens_of(ann, "ann") == []
    bearer_client(ann.app, secret).post_json(API, {"title": "x"}, status=401)


def test_another_users_token_cannot_be_revoked(ann, podium_user, api_token):
    podium_user("bob")
    api_token("bob")
    [(bobs, _, _)] = tokens_of(ann, "bob")
    res = ann.post(f"/account/tokens/{bobs}/revoke", {"csrf_token": ann.csrf_token()},
                   status=404)
    assert "no API token" in res.text
    assert len(tokens_of(ann, "bob")) == 1
    ann.post("/account/tokens/999999/revoke", {"csrf_token": ann.csrf_token()}, status=404)


def test_the_forms_need_the_csrf_token(ann):
    create(ann, label="kept")
    [(token_id, _, _)] = tokens_of(ann, "ann")
    for url in ("/account/tokens", f"/account/tokens/{token_id}/revoke", "/account/password"):
        res = ann.post(url, {"label": "forged", "current_password": ann.user.password,
                             "new_password": NEW_PASSWORD, "new_password_again": NEW_PASSWORD},
                       status=403)
        assert "CSRF" in res.text
    assert [label for _, label, _ in tokens_of(ann, "ann")] == ["kept"]
    ann.get("/account", status=200)  # the password did not change: the session lives


@pytest.mark.parametrize("expires", ["0", "-1", str(TOKEN_EXPIRES_MAX_DAYS + 1), "ten",
                                     "1e3", "9" * 40])
def test_an_expiry_out_of_range_is_a_400_in_the_form(ann, expires):
    res = create(ann, label="x", expires=expires)
    assert res.status_int == 400
    message = res.html.select_one("#podium-account-token-form [role=alert]").text
    assert f"1 to {TOKEN_EXPIRES_MAX_DAYS}" in message
    assert res.html.select_one("#podium-account-secret") is None
    assert tokens_of(ann, "ann") == []


def test_a_label_too_long_is_a_400(ann):
    res = ann.post("/account/tokens", {"label": "x" * 101, "csrf_token": ann.csrf_token()},
                   status=400)
    assert "at most 100" in res.text
    assert tokens_of(ann, "ann") == []


def test_a_bearer_token_may_not_use_the_account_page(ann, api_token):
    program = bearer_client(ann.app, api_token("ann"))
    program.get("/account", status=403)
    program.post("/account/tokens", {"label": "more"}, status=403)
    assert len(tokens_of(ann, "ann")) == 1


def change(app: PodiumTestApp, current: str, new: str, again: str | None = None,
           **kw: Any) -> Any:
    return app.post("/account/password", {
        "current_password": current, "new_password": new,
        "new_password_again": new if again is None else again,
        "csrf_token": app.csrf_token()}, **kw)


def password_hash(app: PodiumTestApp, login: str) -> str:
    with tm_session(app.app.registry["podium.engine"]) as session:
        return session.scalars(select(User.password_hash).where(User.login == login)).one()


@pytest.mark.parametrize("case", ["wrong current", "weak", "common", "differ"])
def test_a_refused_password_change_is_a_400_and_changes_nothing(ann, case):
    before, cookie = password_hash(ann, "ann"), ann.cookies["podium_session"]
    current, new, again = {
        "wrong current": ("not my password at all", NEW_PASSWORD, None),
        "weak": (ann.user.password, "short", None),
        "common": (ann.user.password, "password1234", None),
        "differ": (ann.user.password, NEW_PASSWORD, NEW_PASSWORD + "!"),
    }[case]
    res = change(ann, current, new, again, status=400)
    message = res.html.select_one("#podium-account-password-form [role=alert]").text
    assert {"wrong current": "current password is wrong", "weak": "at least",
            "common": "most common", "differ": "differ"}[case] in message
    assert password_hash(ann, "ann") == before
    # The session lives on: its cookie, sent as the server set it, still works.
    anonymous(ann).get("/account", headers={"Cookie": f"podium_session={cookie}"}, status=200)


def test_a_password_change_renews_this_session_and_ends_the_others(ann):
    other_browser = anonymous(ann)
    other_browser.login("ann")
    old_cookie = ann.cookies["podium_session"]
    res = change(ann, ann.user.password, NEW_PASSWORD, status=200)
    assert res.html.select_one("#podium-account-password-changed") is not None
    assert res.headers["Cache-Control"] == "no-store"
    # This browser got a new session and stays logged in.
    assert ann.cookies["podium_session"] != old_cookie
    ann.get("/account", status=200)
    # The old cookie, and every other session of ann's, identify nobody.
    # (A copy sent as the server set it; the same copy works before the change: see
    # test_a_refused_password_change_is_a_400_and_changes_nothing.)
    anonymous(ann).get("/account", headers={"Cookie": f"podium_session={old_cookie}"},
                       status=303)
    other_browser.get("/account", status=303)
    # The new password is the one that logs in.
    login = anonymous(ann)
    form = login.get("/login").forms["podium-login-form"]
    form["login"], form["password"] = "ann", NEW_PASSWORD
    assert form.submit(status=302)
    login.get("/account", status=200)


@pytest.mark.podium_settings(**{"podium.roles.authenticated": "notes.view"})
def test_an_operator_can_take_the_page_from_users(ann, logged_in_app):
    """``podium.account`` is ``authenticated``'s by default only: a setting
    for the role replaces that, as it does for any proposal."""
    ann.get("/account", status=403)
    logged_in_app(["podium.account"], login="cy").get("/account", status=200)


@pytest.mark.parametrize("method, url", [("put", "/account"), ("post", "/account"),
                                         ("get", "/account/tokens"),
                                         ("delete", "/account/password")])
def test_other_methods_are_405(ann, method, url):
    assert getattr(ann, method)(url, status=405).headers["Allow"]
