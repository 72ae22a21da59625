"""The test kit that plugin authors use, tested on itself."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from podium.testing.webapp import USERID_KEY


def test_csrf_token_lets_a_form_post_through(testapp, podium_engine, podium_user):
    testapp.login(podium_user("writer").login)  # writing notes needs a user
    testapp.post("/notes/new", {"title": "no token"}, status=403)
    res = testapp.post_form("/notes/new", {"title": "with token", "body": ""})
    assert res.status_int == 302
    with podium_engine.connect() as conn:
        titles = conn.execute(text("SELECT title FROM notes_note")).scalars().all()
    assert titles == ["with token"]


def test_the_token_is_stable_for_one_client(testapp):
    assert testapp.csrf_token() == testapp.csrf_token()


def test_login_puts_the_users_id_in_the_session(testapp, podium_user):
    ada = podium_user("ada")
    testapp.login("ada")
    session = testapp._with_session(lambda request: dict(request.session))
    assert session[USERID_KEY] == ada.id
    testapp.logout()
    assert USERID_KEY not in testapp._with_session(lambda request: dict(request.session))


def test_login_refuses_an_unknown_user(testapp):
    with pytest.raises(ValueError, match="no active user 'nobody'"):
        testapp.login("nobody")


def test_dbsession_work_is_rolled_back_part_one(dbsession):
    dbsession.execute(text("INSERT INTO notes_note (title, body, created_at, updated_at) "
                           "VALUES ('temporary', '', CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"))
    dbsession.commit()
    assert dbsession.execute(text("SELECT count(*) FROM notes_note")).scalar() == 1


def test_dbsession_work_is_rolled_back_part_two(dbsession):
    assert dbsession.execute(text("SELECT count(*) FROM notes_note")).scalar() == 0
