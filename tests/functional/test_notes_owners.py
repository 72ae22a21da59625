"""Notes have owners: a user edits and deletes their own notes, ``notes.edit_any``
edits and deletes anyone's, and ``notes.public_read`` decides whether nobody
may read; through the whole app (WebTest), with the site's grants tightened
as the notes README tells an operator to.

What was refused is checked on the stored rows, read on a connection of
their own (``podium_engine``), not only on the status.
"""

from __future__ import annotations

from typing import Any

import pytest
from notes_data import rows
from sqlalchemy import Engine, text

from podium.testing import PodiumTestApp

TIGHT = {
    "podium.roles.everyone": "notes.view",
    "podium.roles.authenticated": "notes.view notes.create notes.edit notes.delete",
    "podium.roles.editor": "notes.edit_any",
}

pytestmark = [pytest.mark.podium_plugins("notes"), pytest.mark.podium_settings(**TIGHT)]


def tight(**changes: str) -> pytest.MarkDecorator:
    """The tightened grants with some changes (the closest marker wins whole)."""
    return pytest.mark.podium_settings(**{**TIGHT, **changes})

API = "/notes/api/notes"


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture
def alice(podium_user: Any, api_token: Any) -> dict[str, str]:
    """The headers of alice's API token (a user with the tightened defaults)."""
    podium_user("alice")
    return bearer(api_token("alice"))


@pytest.fixture
def bob(podium_user: Any, api_token: Any) -> dict[str, str]:
    podium_user("bob")
    return bearer(api_token("bob"))


def write(testapp: Any, headers: dict[str, str], title: str = "Alice's") -> dict[str, Any]:
    return testapp.post_json(API, {"title": title, "body": "hers"}, headers=headers,
                             status=201).json


def stored(engine: Engine) -> list[tuple[str, str, int | None]]:
    return [(r["title"], r["body"], r["owner_id"]) for r in rows(engine)]


def titles(page: Any) -> list[str]:
    return [a.text for a in page.html.select(".notes-item-title")]


def user_id(engine: Engine, login: str) -> int:
    with engine.connect() as conn:
        return conn.execute(text("SELECT id FROM podium_user WHERE login = :login"),
                            {"login": login}).scalar_one()


def ownerless_note(engine: Engine, title: str = "Nobody's") -> int:
    """A note as one written before owners, or anonymously, is stored."""
    with engine.begin() as conn:
        conn.execute(text("INSERT INTO notes_note (title, body, created_at, updated_at) "
                          "VALUES (:title, '', CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"),
                     {"title": title})
        return conn.execute(text("SELECT max(id) FROM notes_note")).scalar_one()


# -- owners are recorded ---------------------------------------------------------------------


def test_a_note_created_by_a_user_records_its_owner(testapp, podium_engine, alice) -> None:
    note = write(testapp, alice)
    assert stored(podium_engine) == [("Alice's", "hers", user_id(podium_engine, "alice"))]
    assert set(note) == {"id", "title", "body", "created_at", "updated_at", "url"}


def test_a_note_created_from_a_page_records_its_owner(logged_in_app, podium_engine) -> None:
    app = logged_in_app(login="carol")
    app.post_form("/notes/new", {"title": "From the form", "body": ""}, status=302)
    assert stored(podium_engine) == [("From the form", "", app.user.id)]


@tight(**{"podium.roles.everyone": "notes.view notes.create"})  # a site open to writers
def test_an_anonymous_note_has_no_owner_while_everyone_may_create(testapp, podium_engine):
    testapp.post_json(API, {"title": "Anonymous"}, status=201)
    assert stored(podium_engine) == [("Anonymous", "", None)]


# -- the owner rule --------------------------------------------------------------------------


def test_alice_edits_and_deletes_her_own_note(testapp, podium_engine, alice) -> None:
    note = write(testapp, alice)
    changed = testapp.patch_json(note["url"], {"body": "edited"}, headers=alice).json
    assert changed["body"] == "edited"
    testapp.put_json(note["url"], {"title": "Renamed"}, headers=alice, status=200)
    assert stored(podium_engine) == [("Renamed", "", user_id(podium_engine, "alice"))]
    testapp.delete(note["url"], headers=alice, status=204)
    assert stored(podium_engine) == []


@pytest.mark.parametrize("method", ["PATCH", "PUT", "DELETE"])
def test_bob_gets_403_on_alices_note_and_nothing_changes(testapp, podium_engine, alice, bob,
                                                         method) -> None:
    note = write(testapp, alice)
    before = stored(podium_engine)
    response = testapp.request(note["url"], method=method, headers=bob,
                               body=b'{"title": "Bob was here"}',
                               content_type="application/json", expect_errors=True)
    assert response.status_int == 403
    error = response.json["error"]
    assert error["status"] == 403 and error["title"] == "Forbidden"
    assert "owner" in error["message"] and "notes.edit_any" in error["message"]
    assert stored(podium_engine) == before


def test_bob_gets_403_on_alices_note_in_the_pages(testapp, logged_in_app, podium_engine,
                                                  alice) -> None:
    note = write(testapp, alice)
    bob = logged_in_app(login="bob")
    for path in (f"/notes/{note['id']}/edit", f"/notes/{note['id']}/delete"):
        page = bob.get(path, status=403)
        assert "owner" in page.text and "notes.edit_any" in page.text
    bob.post_form(f"/notes/{note['id']}/edit", {"title": "Bob was here"}, status=403)
    bob.post_form(f"/notes/{note['id']}/delete", status=403)
    assert stored(podium_engine) == [("Alice's", "hers", user_id(podium_engine, "alice"))]


def test_an_editor_with_edit_any_edits_and_deletes_anyones_note(testapp, podium_user,
                                                                 api_token, podium_engine,
                                                                 alice) -> None:
    podium_user("eve", roles=["editor"])
    editor = bearer(api_token("eve"))
    note = write(testapp, alice)
    testapp.patch_json(note["url"], {"body": "moderated"}, headers=editor, status=200)
    assert stored(podium_engine) == [("Alice's", "moderated", user_id(podium_engine, "alice"))]
    nobodys = ownerless_note(podium_engine)
    testapp.patch_json(f"{API}/{nobodys}", {"body": "tidied"}, headers=editor, status=200)
    testapp.delete(note["url"], headers=editor, status=204)
    assert [title for title, _, _ in stored(podium_engine)] == ["Nobody's"]


def test_an_ownerless_note_needs_edit_any(testapp, podium_engine, alice) -> None:
    note = ownerless_note(podium_engine)
    refused = testapp.patch_json(f"{API}/{note}", {"body": "mine now"}, headers=alice,
                                 status=403).json["error"]
    assert "no owner" in refused["message"]
    testapp.delete(f"{API}/{note}", headers=alice, status=403)
    assert stored(podium_engine) == [("Nobody's", "", None)]


@tight(**{"podium.roles.authenticated": "notes.view notes.create"})
def test_edit_any_widens_edit_and_delete_it_does_not_replace_them(testapp, podium_user,
                                                                  api_token, podium_engine):
    """An editor with notes.edit_any but neither notes.edit nor notes.delete is
    refused by the views' own permission, before any note is looked at."""
    podium_user("alice")
    note = write(testapp, bearer(api_token("alice")))
    podium_user("zed", roles=["editor"])
    zed = bearer(api_token("zed"))
    refused = testapp.patch_json(note["url"], {"body": "z"}, headers=zed, status=403)
    assert "notes.edit" in refused.json["error"]["message"]
    testapp.delete(note["url"], headers=zed, status=403)
    assert len(rows(podium_engine)) == 1


# -- anonymous -------------------------------------------------------------------------------


def test_anonymous_post_gets_401_in_the_json_shape(testapp, podium_engine) -> None:
    response = testapp.post_json(API, {"title": "Anonymous"}, status=401)
    assert response.json["error"]["status"] == 401
    assert response.headers["WWW-Authenticate"].startswith("Bearer")
    assert stored(podium_engine) == []


def test_anonymous_edit_of_a_note_gets_401(testapp, podium_engine, alice) -> None:
    note = write(testapp, alice)
    testapp.patch_json(note["url"], {"body": "anonymous"}, status=401)
    testapp.delete(note["url"], status=401)
    assert stored(podium_engine) == [("Alice's", "hers", user_id(podium_engine, "alice"))]


@tight(**{"podium.roles.everyone": "notes.view notes.edit notes.delete"})
def test_anonymous_with_edit_but_not_edit_any_is_asked_to_log_in(testapp, podium_engine,
                                                                 alice) -> None:
    """Nobody owns nothing: an owned note's edit by nobody is a 401 (logging in
    may help), even when everyone holds notes.edit."""
    note = write(testapp, alice)
    response = testapp.patch_json(note["url"], {"body": "anonymous"}, status=401)
    assert "owner" in response.json["error"]["message"]
    assert stored(podium_engine) == [("Alice's", "hers", user_id(podium_engine, "alice"))]


def test_anonymous_reads_when_public_read_is_on(testapp, alice) -> None:
    note = write(testapp, alice)
    assert testapp.get(API).json["total"] == 1
    testapp.get(note["url"], status=200)
    assert titles(testapp.get("/notes/")) == ["Alice's"]


@tight(**{"notes.public_read": "false", "podium.roles.everyone": "notes.view notes.export"})
def test_public_read_off_hides_the_notes_from_anonymous(testapp, logged_in_app, alice) -> None:
    note = write(testapp, alice)
    listed = testapp.get(API, status=401).json["error"]
    assert listed["status"] == 401 and "logged-in" in listed["message"]
    testapp.get(note["url"], status=401)
    for page in ("/notes/", f"/notes/{note['id']}", "/notes/export.csv"):
        redirect = testapp.get(page, status=303)
        assert redirect.location.endswith("/login?next=" + page.replace("/", "%2F"))
    # A logged-in user reads them, by session and by token.
    assert titles(logged_in_app(login="reader").get("/notes/")) == ["Alice's"]
    assert testapp.get(API, headers=alice).json["total"] == 1


@tight(**{"notes.public_read": "maybe"})
def test_a_bad_public_read_stops_start_up(podium_settings) -> None:
    from podium.testing import build_app

    with pytest.raises(Exception, match=r"notes\.public_read.*'maybe'.*true or false"):
        build_app(podium_settings)


# -- the pages show the author and only the buttons one may use -------------------------------


def buttons(page: Any) -> set[str]:
    found = set()
    if page.html.select_one(f'a[href$="/notes/{page.note_id}/edit"]'):
        found.add("edit")
    if page.html.select_one("#note-delete-form"):
        found.add("delete")
    return found


def note_page(app: Any, note_id: int) -> Any:
    page = app.get(f"/notes/{note_id}")
    page.note_id = note_id
    return page


def test_the_pages_show_the_author(testapp, podium_engine, alice) -> None:
    note = write(testapp, alice)
    nobodys = ownerless_note(podium_engine)
    page = note_page(testapp, note["id"])
    assert page.html.select_one(".note .notes-author").text == "alice"
    assert note_page(testapp, nobodys).html.select_one(".notes-author") is None
    with podium_engine.begin() as conn:
        conn.execute(text("UPDATE podium_user SET display_name = 'Alice Liddell' "
                          "WHERE login = 'alice'"))
    listed = testapp.get("/notes/").html
    authors = {item["data-note-id"]: item.select_one(".notes-author")
               for item in listed.select(".notes-item")}
    assert authors[str(note["id"])].text == "Alice Liddell"
    assert authors[str(nobodys)] is None


def test_the_pages_hide_the_buttons_a_user_may_not_use(testapp, logged_in_app, podium_user,
                                                       podium_engine) -> None:
    owner = logged_in_app(login="alice")
    owner.post_form("/notes/new", {"title": "Alice's"}, status=302)
    [note] = [r["id"] for r in rows(podium_engine)]
    assert buttons(note_page(owner, note)) == {"edit", "delete"}
    assert buttons(note_page(logged_in_app(login="bob"), note)) == set()
    assert buttons(note_page(testapp, note)) == set()  # anonymous
    assert buttons(note_page(logged_in_app(login="eve", roles=["editor"]), note)) == {
        "edit", "delete"}
    listed = testapp.get("/notes/").html
    assert listed.select_one('a[href$="/notes/new"]') is None  # anonymous may not create
    assert listed.select_one('a[href$="/notes/export.csv"]') is None
    assert owner.get("/notes/").html.select_one('a[href$="/notes/new"]') is not None


@tight(**{"podium.roles.authenticated": "notes.view notes.edit"})
def test_the_owner_without_delete_sees_edit_only(testapp, podium_user, api_token, podium_engine,
                                                 podium_app) -> None:
    alice = podium_user("alice")
    with podium_engine.begin() as conn:
        conn.execute(text("INSERT INTO notes_note (title, body, created_at, updated_at, "
                          "owner_id) VALUES ('Hers', '', CURRENT_TIMESTAMP, "
                          "CURRENT_TIMESTAMP, :owner)"), {"owner": alice.id})
    [note] = [r["id"] for r in rows(podium_engine)]
    app = PodiumTestApp(podium_app, extra_environ={"HTTP_HOST": "localhost"})
    app.login("alice")
    assert buttons(note_page(app, note)) == {"edit"}
    app.post_form(f"/notes/{note}/delete", status=403)
    assert len(rows(podium_engine)) == 1
