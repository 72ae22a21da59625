"""bench.auth: the authenticated requests really are authenticated, the
anonymous ones are not, and the login's split into argon2 and the rest
leaves argon2 as it was (no timing asserted)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from bench import auth


def test_the_authenticated_request_differs_from_the_anonymous_one_by_its_credential() -> None:
    account = auth.Account("someone", "a long password here", "pdm_secret")
    page = auth.shapes(auth.PAIRS["page"], account, "podium_session=abc")
    assert "podium_session" not in page["anonymous"]["headers"]["Cookie"]
    assert page["authenticated"]["headers"]["Cookie"] == (
        page["anonymous"]["headers"]["Cookie"] + "; podium_session=abc")
    assert "Authorization" not in page["authenticated"]["headers"]
    for name in ("json", "api"):
        sent = auth.shapes(auth.PAIRS[name], account, "podium_session=abc")
        assert "Cookie" not in sent["authenticated"]["headers"]  # a program: no cookie
        assert sent["authenticated"]["headers"]["Authorization"] == "Bearer pdm_secret"
        anonymous = dict(sent["anonymous"]["headers"])
        assert {k: v for k, v in sent["authenticated"]["headers"].items()
                if k != "Authorization"} == anonymous


def test_runs_alternate_which_request_goes_first() -> None:
    assert auth.ordered(0) == ("anonymous", "authenticated")
    assert auth.ordered(1) == ("authenticated", "anonymous")


@pytest.fixture(scope="module")
def app_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Any, auth.Site]]:
    """A site as a run makes it (podium db upgrade, podium users add, podium
    tokens create) and its app in process, with the notes posted."""
    with auth.site(tmp_path_factory.mktemp("auth")) as site_, \
            auth.in_process_app(site_) as app:
        auth.seed_notes(auth.in_process(app), site_.account)
        yield app, site_


def test_the_cookie_and_the_token_identify_the_user_and_nothing_else_does(
        app_site: tuple[Any, auth.Site]) -> None:
    app, site_ = app_site
    cookie = auth.in_process_cookie(app, site_.account)
    who = {
        "nobody": auth.shape(auth.TFB_HEADERS),
        "cookie": auth.shape(auth.TFB_HEADERS,
                             {"Cookie": f"{auth.TFB_HEADERS['Cookie']}; {cookie}"}),
        "token": auth.shape(auth.JSON_HEADERS,
                            {"Authorization": f"Bearer {site_.account.token}"}),
        "wrong token": auth.shape(auth.JSON_HEADERS, {"Authorization": "Bearer pdm_wrong"}),
    }
    identified = {name: auth.LOGGED_IN.encode() in auth.call(app, "/login", sent)[2]
                  for name, sent in who.items()}
    assert identified == {"nobody": False, "cookie": True, "token": True, "wrong token": False}
    for pair in auth.PAIRS.values():
        for variant, sent in auth.shapes(pair, site_.account, cookie).items():
            status, headers, body = auth.call(app, pair.path, sent)
            assert pair.check(status, body) is None, (pair.name, variant)
            # The cookie is the one a browser keeps: no page makes the session again.
            assert not headers.getall("Set-Cookie"), (pair.name, variant)


def test_the_notes_are_posted_once(app_site: tuple[Any, auth.Site]) -> None:
    app, site_ = app_site
    auth.seed_notes(auth.in_process(app), site_.account)
    status, _, body = auth.call(app, "/notes/api/notes", auth.shape(auth.JSON_HEADERS))
    assert status == 200 and auth.json.loads(body)["total"] == auth.NOTES


def test_in_process_mode_measures_every_pair(app_site: tuple[Any, auth.Site],
                                             tmp_path: Path) -> None:
    _, site_ = app_site
    results = auth.run_inprocess(site_, 0, list(auth.PAIRS.values()), calls=3, profile=None)
    assert [r.pair for r in results] == list(auth.PAIRS)
    assert all(r.anonymous > 0 and r.authenticated > 0 and r.cost > 0 for r in results)
    assert "median" in auth.table(results)


def test_the_argon2_timer_times_each_call_and_puts_argon2_back() -> None:
    from argon2 import PasswordHasher

    before = PasswordHasher.verify
    hasher = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
    with auth.argon2_timer() as spent:
        stored = hasher.hash("a password")
        assert hasher.verify(stored, "a password")
    assert len(spent) == 2 and all(s > 0 for s in spent)
    assert PasswordHasher.verify is before
