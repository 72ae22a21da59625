"""The core's security policy through the whole WSGI app: identity from the
session and from bearer tokens, cached per request, permissions from roles."""

from __future__ import annotations

import pytest
import security_kit
from security_kit import (
    add_token,
    add_user,
    change_password,
    engine_of,
    log_in,
    set_active,
)
from sqlalchemy import event, text

from podium.settings.core import load_settings
from podium.settings.types import SettingsError

site = security_kit.site  # the fixture

ROLES = {"podium.roles.editor": "guarded.view notes.edit",
         "podium.roles.reader": "notes.view"}


def whoami(app, **kw):
    return app.get("/guarded/whoami", **kw).json


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def test_nobody_without_a_session_or_a_token(site):
    app = site(**ROLES)
    assert whoami(app) == {"login": None, "by": None, "userid": None, "view": False,
                           "anything": False}
    assert app.get("/guarded/open").json == {"ok": True}  # NO_PERMISSION_REQUIRED
    # Nobody is sent to log in (401 in podium.security.forbidden), not refused with a 403.
    assert "/login?next=" in app.get("/guarded/view", status=303).location


def test_a_logged_in_user_has_the_permissions_of_their_roles(site):
    app = site(**ROLES)
    user_id = add_user(engine_of(app), "ed", "editor")
    log_in(app, "ed", status=302)
    assert whoami(app) == {"login": "ed", "by": "session", "userid": str(user_id),
                           "view": True, "anything": False}
    assert app.get("/guarded/view").json == {"ok": True}


def test_a_role_without_the_permission_is_refused(site):
    app = site(**ROLES)
    add_user(engine_of(app), "rita", "reader")
    add_user(engine_of(app), "nobody")
    for login in ("rita", "nobody"):
        log_in(app, login, status=302)
        assert whoami(app)["login"] == login
        app.get("/guarded/view", status=403)


def test_admin_has_every_permission_without_settings(site):
    app = site()
    add_user(engine_of(app), "root", "admin")
    log_in(app, "root", status=302)
    me = whoami(app)
    assert (me["view"], me["anything"]) == (True, True)
    app.get("/guarded/view", status=200)


def test_a_bearer_token_identifies_its_user(site):
    app = site(**ROLES)
    engine = engine_of(app)
    add_user(engine, "bot", "editor")
    token = add_token(engine, "bot")
    assert whoami(app, headers=bearer(token))["login"] == "bot"
    assert whoami(app, headers=bearer(token))["by"] == "bearer"
    app.get("/guarded/view", headers=bearer(token), status=200)
    assert whoami(app)["login"] is None  # the token was not turned into a session


def test_a_bearer_request_records_the_tokens_last_use_and_reads_once(site):
    """One statement reads the token, its user, their roles and grants; the last use is
    written by the first request, not again within a minute."""
    app = site(**ROLES)
    engine = engine_of(app)
    add_user(engine, "bot", "reader", "editor")
    token = add_token(engine, "bot")
    app.get("/guarded/view", headers=bearer(token), status=200)
    with engine.connect() as conn:
        first = conn.execute(text("SELECT last_used_at FROM podium_api_token")).scalar_one()
    assert first is not None
    statements: list[str] = []

    def count(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    event.listen(engine, "before_cursor_execute", count)
    try:
        answer = whoami(app, headers=bearer(token))
        assert answer["login"] == "bot" and answer["view"] is True  # by its second role
    finally:
        event.remove(engine, "before_cursor_execute", count)
    # The token with its user, their roles and the roles' grants in the store: one statement.
    assert len([s for s in statements if "podium_" in s]) == 1, statements
    assert not any(s.lstrip().upper().startswith("UPDATE") for s in statements), statements
    with engine.connect() as conn:
        again = conn.execute(text("SELECT last_used_at FROM podium_api_token")).scalar_one()
    assert again == first


@pytest.mark.parametrize("header", ["Bearer pdm_not-a-token", "Bearer ", "bearer pdm_x" * 30])
def test_a_wrong_token_identifies_nobody(site, header):
    app = site(**ROLES)
    assert whoami(app, headers={"Authorization": header})["login"] is None
    app.get("/guarded/view", headers={"Authorization": header}, status=401)


def test_expired_revoked_and_disabled_tokens_identify_nobody(site):
    app = site(**ROLES)
    engine = engine_of(app)
    add_user(engine, "bot", "editor")
    expired, revoked, disabled = (add_token(engine, "bot") for _ in range(3))
    with engine.begin() as conn:
        ids = conn.execute(text("SELECT id FROM podium_api_token ORDER BY id")).scalars().all()
        conn.execute(text("UPDATE podium_api_token SET expires_at = :t WHERE id = :i"),
                     {"t": "2000-01-01 00:00:00", "i": ids[0]})
        conn.execute(text("DELETE FROM podium_api_token WHERE id = :i"), {"i": ids[1]})
    assert whoami(app, headers=bearer(expired))["login"] is None
    assert whoami(app, headers=bearer(revoked))["login"] is None
    assert whoami(app, headers=bearer(disabled))["login"] == "bot"
    set_active(engine, "bot", False)
    assert whoami(app, headers=bearer(disabled))["login"] is None


def test_a_bearer_request_ignores_the_session_cookie(site):
    """A token, right or wrong, is the request's only credential."""
    app = site(**ROLES)
    engine = engine_of(app)
    add_user(engine, "ed", "editor")
    add_user(engine, "bot")
    token = add_token(engine, "bot")
    log_in(app, "ed", status=302)
    assert whoami(app)["login"] == "ed"
    assert whoami(app, headers=bearer(token))["login"] == "bot"
    assert whoami(app, headers=bearer("pdm_wrong"))["login"] is None


def test_a_disabled_users_live_session_is_refused_at_its_next_request(site):
    app = site(**ROLES)
    engine = engine_of(app)
    add_user(engine, "ed", "editor")
    log_in(app, "ed", status=302)
    assert whoami(app)["login"] == "ed"
    set_active(engine, "ed", False)
    assert whoami(app)["login"] is None
    app.get("/guarded/view", status=303)  # nobody again: to the login page
    set_active(engine, "ed", True)  # enabling does not revive the old session
    assert whoami(app)["login"] is None


def test_a_password_change_ends_the_sessions_opened_before(site):
    app = site(**ROLES)
    engine = engine_of(app)
    add_user(engine, "ed", "editor")
    log_in(app, "ed", status=302)
    change_password(engine, "ed", "another long passphrase 42")
    assert whoami(app)["login"] is None
    log_in(app, "ed", "another long passphrase 42", status=302)
    assert whoami(app)["login"] == "ed"


def test_a_session_the_policy_did_not_write_identifies_nobody(site):
    """A name where the policy writes an id and an epoch (what the test kit's
    login() once stored) is nobody."""
    app = site(**ROLES)
    add_user(engine_of(app), "ada", "admin")
    app._with_session(lambda request: request.session.update({"podium.userid": "ada"}))
    assert whoami(app)["login"] is None
    app.login("ada")  # the kit's login writes what the policy reads
    assert whoami(app)["login"] == "ada"


def test_the_identity_is_looked_up_once_per_request(site):
    app = site(**ROLES)
    engine = engine_of(app)
    add_user(engine, "ed", "editor")
    token = add_token(engine, "ed")
    log_in(app, "ed", status=302)
    statements: list[str] = []

    def count(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    event.listen(engine, "before_cursor_execute", count)
    try:
        # The view asks twice, has_permission twice more, pyramid_tm once.
        whoami(app)
        from_session = [s for s in statements if "FROM podium_user" in s]
        statements.clear()
        whoami(app, headers=bearer(token))
        from_token = [s for s in statements if "FROM podium_api_token" in s]
    finally:
        event.remove(engine, "before_cursor_execute", count)
    assert len(from_session) == 1, from_session
    assert len(from_token) == 1, from_token


# -- settings ----------------------------------------------------------------------------------

def write_ini(tmp_path, lines: str) -> str:
    ini = tmp_path / "app.ini"
    ini.write_text("[app:main]\nuse = egg:podium\nsqlalchemy.url = sqlite://\n"
                   "podium.read_environment = false\n" + lines)
    return str(ini)


def test_role_settings_are_read_as_permission_names(tmp_path):
    settings = load_settings(write_ini(tmp_path, "podium.roles.editor = notes.view\n"
                                                 "    notes.edit notes.view\n"), environ={})
    assert settings["podium.roles.editor"] == ("notes.view", "notes.edit")


@pytest.mark.parametrize(("line", "says"), [
    ("podium.roles.admin = notes.view", "admin role has every permission"),
    ("podium.roles.editor = notes.view Notes-Edit", "'Notes-Edit' is not a permission name"),
    ("podium.roles.Editor = notes.view", "role name 'Editor'"),
    ("podium.role.editor = notes.view", "not a Podium setting"),
])
def test_bad_role_settings_stop_start_up_naming_the_key(tmp_path, line, says):
    with pytest.raises(SettingsError, match=says) as caught:
        load_settings(write_ini(tmp_path, line + "\n"), environ={})
    assert line.split(" = ")[0] in str(caught.value)
