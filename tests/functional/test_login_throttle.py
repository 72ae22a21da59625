"""Failed logins throttled per account and per client address, in the
database: through the whole app, across two apps on one database."""

from __future__ import annotations

import pytest
import security_kit
from security_kit import (
    CHEAP,
    PASSWORD,
    add_user,
    engine_of,
    last_login,
)
from sqlalchemy import text

from podium.accounts.throttle import address_key
from podium.testing import PodiumTestApp

site = security_kit.site  # the fixture

LIMITS = {"podium.login.throttle_window": "600", "podium.login.throttle_per_account": "3",
          "podium.login.throttle_per_address": "5"}


def attempt(app: PodiumTestApp, login: str, password: str = "wrong password 123",
            address: str = "192.0.2.1", **kw):
    return app.post("/login", {"login": login, "password": password,
                               "csrf_token": app.csrf_token()},
                    extra_environ={"REMOTE_ADDR": address}, **kw)


def failures(app: PodiumTestApp) -> int:
    with engine_of(app).connect() as conn:
        return conn.execute(text("SELECT count(*) FROM podium_login_failure")).scalar_one()


def test_an_account_is_throttled_after_the_limit_even_with_the_right_password(site):
    app = site(**LIMITS)
    add_user(engine_of(app), "ed")
    for n in range(3):
        attempt(app, "ed", address=f"192.0.2.{n}", status=400)
    res = attempt(app, "ed", PASSWORD, address="198.51.100.7", status=429)
    assert 590 <= int(res.headers["Retry-After"]) <= 600
    assert 'class="podium-header"' in res.text  # in the layout
    assert "Too many failed logins" in res.text and "10 minutes" in res.text
    # Refused before the password was checked: no login happened.
    assert last_login(engine_of(app), "ed") is None
    assert app.get("/guarded/whoami").json["login"] is None
    assert failures(app) == 3  # a throttled attempt is not a failure of its own


def test_unknown_names_are_throttled_alike(site):
    """Enumeration: throttling does not tell a name that exists from one that does not."""
    app = site(**LIMITS)
    add_user(engine_of(app), "ed")
    answers = {}
    for login in ("ed", "ghost"):
        for n in range(3):
            attempt(app, login, address=f"203.0.113.{len(login)}{n}", status=400)
        answers[login] = attempt(app, login, address="203.0.113.10", status=429)
    assert answers["ed"].text.replace('value="ed"', "") == \
        answers["ghost"].text.replace('value="ghost"', "")


def test_an_address_is_throttled_whatever_the_names(site):
    app = site(**{**LIMITS, "podium.login.throttle_per_account": "100"})
    add_user(engine_of(app), "ed")
    for n in range(5):
        attempt(app, f"name{n}", status=400)
    attempt(app, "ed", PASSWORD, status=429)
    attempt(app, "ed", PASSWORD, address="198.51.100.1", status=302)  # another address


def test_ipv6_clients_are_counted_by_their_64():
    assert address_key("2001:db8:1:2:aaaa::1") == address_key("2001:db8:1:2:bbbb::2") \
        == "2001:db8:1:2::/64"
    assert address_key("2001:db8:1:3::1") != address_key("2001:db8:1:2::1")
    assert address_key("::ffff:192.0.2.1") == "192.0.2.1"
    assert address_key("192.0.2.1") == "192.0.2.1"


def test_the_limit_holds_across_processes(site, podium_database_url):
    """Two apps on one database, as two processes or machines would be."""
    one = site(**LIMITS)
    other = site(**LIMITS)
    add_user(engine_of(one), "ed")
    for _ in range(2):
        attempt(one, "ed", status=400)
    attempt(other, "ed", status=400)
    attempt(one, "ed", PASSWORD, status=429)
    attempt(other, "ed", PASSWORD, status=429)


def test_failures_older_than_the_window_no_longer_count(site):
    app = site(**LIMITS)
    add_user(engine_of(app), "ed")
    for _ in range(3):
        attempt(app, "ed", status=400)
    attempt(app, "ed", PASSWORD, status=429)
    with engine_of(app).begin() as conn:
        conn.execute(text("UPDATE podium_login_failure SET failed_at = :t"),
                     {"t": "2000-01-01 00:00:00"})
    attempt(app, "ed", PASSWORD, status=302)


def test_old_failures_are_deleted_as_new_ones_arrive(site):
    app = site(**LIMITS)
    for _ in range(2):
        attempt(app, "ghost", status=400)
    with engine_of(app).begin() as conn:
        conn.execute(text("UPDATE podium_login_failure SET failed_at = :t"),
                     {"t": "2000-01-01 00:00:00"})
    attempt(app, "ghost", status=400)
    assert failures(app) == 1


def test_a_successful_login_clears_its_accounts_failures_not_its_addresss(site):
    app = site(**LIMITS)
    add_user(engine_of(app), "ed")
    for _ in range(2):
        attempt(app, "ed", status=400)
    attempt(app, "ed", PASSWORD, status=302)
    with engine_of(app).connect() as conn:
        logins = conn.execute(text("SELECT login FROM podium_login_failure")).scalars().all()
    assert logins == []
    for _ in range(2):
        attempt(app, "ed", status=400)  # the account's count started again
    attempt(app, "ed", PASSWORD, status=302)


def test_the_limits_are_typed_settings(site):
    with pytest.raises(Exception, match=r"podium\.login\.throttle_per_account"):
        site(**{**CHEAP, "podium.login.throttle_per_account": "0"})
