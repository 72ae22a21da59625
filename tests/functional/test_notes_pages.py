"""The notes plugin's HTML pages, through the full app with WebTest.

Forms are filled and submitted as a browser would (``res.forms[...]``), and
every claim about what was written is checked on the stored rows through a
separate connection (``podium_engine``), not only on status codes.
"""

from __future__ import annotations

import datetime
import re
from typing import Any

import pytest
from notes_data import add_notes, count, notes_table, rows
from sqlalchemy import insert

from podium.testing import PodiumTestApp

pytestmark = pytest.mark.podium_plugins("notes")


@pytest.fixture
def testapp(logged_in_app) -> PodiumTestApp:
    """The browser of these tests: logged in as a user with the role
    ``editor``.  Writing needs a signed-in user (the plugin's defaults), and
    many tests here change notes written straight to the table, which have
    no owner; who may change whose note is test_notes_owners.py's subject."""
    return logged_in_app(login="writer", roles=["editor"])


@pytest.fixture
def anonymous(podium_app) -> PodiumTestApp:
    return PodiumTestApp(podium_app, extra_environ={"HTTP_HOST": "localhost"})






def create_with_form(testapp: Any, title: str, body: str = "") -> Any:
    """Fill and submit the new-note form; the redirect response."""
    form = testapp.get("/notes/new").forms["note-form"]
    form["title"] = title
    form["body"] = body
    return form.submit(status=302)


def csrf_token(testapp: Any) -> str:
    """The session's CSRF token, as a page hands it to the browser."""
    return testapp.get("/notes/new").forms["note-form"]["csrf_token"].value


def titles_on(res: Any) -> list[str]:
    return [a.text for a in res.html.select(".notes-item-title")]


def flashes_on(res: Any) -> list[str]:
    return [li.text for li in res.html.select(".notes-flash li")]


# -- the whole life of a note --------------------------------------------------------------


def test_create_list_view_edit_delete_through_the_forms(testapp, podium_engine):
    res = testapp.get("/notes/")
    assert "No notes yet" in res.text
    res = res.click("New note")

    form = res.forms["note-form"]
    form["title"] = "  Groceries  "
    form["body"] = "eggs\r\nmilk"
    res = form.submit(status=302)
    [stored] = rows(podium_engine)
    assert stored["title"] == "Groceries"  # surrounding blanks dropped
    assert stored["body"] == "eggs\nmilk"  # a textarea's CRLF stored as LF
    assert stored["created_at"] == stored["updated_at"]
    assert stored["created_at"].tzinfo is not None
    assert res.location == f"http://localhost/notes/{stored['id']}"

    res = res.follow()
    assert flashes_on(res) == ["Note “Groceries” created."]
    assert res.html.select_one(".note-title").text == "Groceries"
    assert res.html.select_one(".note-body").text == "eggs\nmilk"
    # The flash message is shown once.
    assert flashes_on(testapp.get(res.request.url)) == []

    res = testapp.get("/notes/")
    assert titles_on(res) == ["Groceries"]
    res = res.click("Groceries")
    res = res.click("Edit")
    form = res.forms["note-form"]
    assert form["title"].value == "Groceries"
    assert form["body"].value == "eggs\nmilk"
    form["title"] = "Groceries for Sunday"
    form["body"] = "eggs\nmilk\nbread"
    res = form.submit(status=302)
    [edited] = rows(podium_engine)
    assert (edited["id"], edited["title"], edited["body"]) == (
        stored["id"],
        "Groceries for Sunday",
        "eggs\nmilk\nbread",
    )
    assert edited["created_at"] == stored["created_at"]
    assert edited["updated_at"] > stored["updated_at"]
    res = res.follow()
    assert flashes_on(res) == ["Note “Groceries for Sunday” saved."]
    assert "edited" in res.html.select_one(".notes-meta").text

    res = res.forms["note-delete-form"].submit(status=302)
    assert rows(podium_engine) == []
    assert res.location == "http://localhost/notes/"
    res = res.follow()
    assert flashes_on(res) == ["Note “Groceries for Sunday” deleted."]
    assert "No notes yet" in res.text


def test_saving_an_unchanged_note_keeps_its_timestamp(testapp, podium_engine):
    [note_id] = add_notes(podium_engine, 1)
    before = rows(podium_engine)
    res = testapp.get(f"/notes/{note_id}/edit").forms["note-form"].submit(status=302)
    assert rows(podium_engine) == before
    assert flashes_on(res.follow()) == ["Nothing changed."]


def test_prefix_without_slash_leads_to_the_list(testapp):
    res = testapp.get("/notes", status=302)
    assert res.location == "http://localhost/notes/"


# -- list and pagination -------------------------------------------------------------------


def test_list_is_newest_first_and_paginated(testapp, podium_engine):
    add_notes(podium_engine, 45)
    res = testapp.get("/notes/")
    assert titles_on(res) == [f"Note {i}" for i in range(44, 24, -1)]
    assert "Page 1 of 3" in res.text
    assert not res.html.select('a[rel="prev"]')

    res = res.click("Older")
    assert res.request.path_qs == "/notes/?page=2"
    assert titles_on(res) == [f"Note {i}" for i in range(24, 4, -1)]

    res = res.click("Older")
    assert titles_on(res) == [f"Note {i}" for i in range(4, -1, -1)]
    assert not res.html.select('a[rel="next"]')
    assert titles_on(res.click("Newer")) == [f"Note {i}" for i in range(24, 4, -1)]


def test_list_shows_an_excerpt_of_the_body(testapp, podium_engine):
    with podium_engine.begin() as conn:
        now = datetime.datetime.now(datetime.UTC)
        conn.execute(
            insert(notes_table).values(
                title="Long",
                body="word " * 100,
                created_at=now,
                updated_at=now,
            )
        )
    excerpt = testapp.get("/notes/").html.select_one(".notes-excerpt").text
    assert excerpt.startswith("word word") and excerpt.endswith("...")
    assert len(excerpt) <= 160


@pytest.mark.parametrize("page", ["0", "-1", "two", "1.5", ""])
def test_list_refuses_a_page_that_is_not_a_positive_number(testapp, page):
    res = testapp.get("/notes/", {"page": page}, status=400)
    assert "page: Must be a whole number, 1 or more." in res.text


def test_list_page_past_the_end_is_not_found(testapp, podium_engine):
    testapp.get("/notes/", {"page": "2"}, status=404)  # no note at all: only page 1 exists
    add_notes(podium_engine, 21)
    testapp.get("/notes/", {"page": "2"}, status=200)
    res = testapp.get("/notes/", {"page": "3"}, status=404)
    assert "There is no page 3 of notes; there are 2." in res.text
    testapp.get("/notes/", {"page": "9" * 30}, status=404)


# -- validation ----------------------------------------------------------------------------

INVALID_FORMS = [
    pytest.param("", "A title is required.", id="empty-title"),
    pytest.param("   ", "A title is required.", id="blank-title"),
    pytest.param("x" * 201, "At most 200 characters (this one has 201).", id="long-title"),
]


@pytest.mark.parametrize(("title", "message"), INVALID_FORMS)
def test_invalid_new_note_is_shown_again_with_errors_and_nothing_is_written(
    testapp, podium_engine, title, message
):
    form = testapp.get("/notes/new").forms["note-form"]
    form["title"] = title
    form["body"] = "kept <as typed>"
    res = form.submit(status=400)

    assert count(podium_engine) == 0
    assert res.html.select_one("#note-title-error").text == message
    assert res.html.select_one("#note-title")["aria-invalid"] == "true"
    assert "The note was not saved" in res.html.select_one(".notes-form-summary").text
    form = res.forms["note-form"]
    assert form["title"].value == title
    assert form["body"].value == "kept <as typed>"
    # Correcting the form and sending it again works.
    form["title"] = "Fixed"
    form.submit(status=302)
    assert [r["title"] for r in rows(podium_engine)] == ["Fixed"]


def test_body_with_a_nul_character_is_refused_beside_the_body(testapp, podium_engine):
    # PostgreSQL cannot store NUL in text: refused up front on both backends.
    res = testapp.post(
        "/notes/new",
        {"title": "T", "body": "a\x00b", "csrf_token": csrf_token(testapp)},
        status=400,
    )
    assert res.html.select_one("#note-body-error").text == "Must not contain NUL characters."
    assert not res.html.select("#note-title-error")
    assert count(podium_engine) == 0


def test_invalid_edit_is_shown_again_and_the_note_is_unchanged(testapp, podium_engine):
    [note_id] = add_notes(podium_engine, 1)
    before = rows(podium_engine)
    form = testapp.get(f"/notes/{note_id}/edit").forms["note-form"]
    form["title"] = " "
    form["body"] = "new body that must not be saved"
    res = form.submit(status=400)
    assert rows(podium_engine) == before
    assert res.html.select_one("#note-title-error").text == "A title is required."
    assert res.forms["note-form"]["body"].value == "new body that must not be saved"
    assert res.forms["note-form"].action == f"http://localhost/notes/{note_id}/edit"


# -- CSRF ----------------------------------------------------------------------------------


@pytest.mark.parametrize("token", [None, "forged"], ids=["missing-token", "wrong-token"])
def test_post_without_the_csrf_token_is_refused_and_writes_nothing(testapp, podium_engine, token):
    [note_id] = add_notes(podium_engine, 1)
    before = rows(podium_engine)
    testapp.get("/notes/new")  # the session has a token, the request does not send it
    data = {"title": "Sneaky", "body": "x"}
    if token:
        data["csrf_token"] = token
    for url in ("/notes/new", f"/notes/{note_id}/edit", f"/notes/{note_id}/delete"):
        # 403: the session identifies a user, whose authority a forgery would borrow.
        res = testapp.post(url, data, status=403)
        assert "CSRF" in res.text
    assert rows(podium_engine) == before


def test_a_browser_cannot_skip_the_token_by_claiming_a_plain_text_body(testapp, podium_engine):
    testapp.post("/notes/new", "title=Sneaky", content_type="text/plain", status=403)
    assert count(podium_engine) == 0


def test_nobody_reads_but_is_sent_to_log_in_to_write(anonymous, podium_engine):
    """The plugin's defaults: the pages are open to read; the form pages send
    nobody to the login page, and a form posted anyway is a 401, not done."""
    [note_id] = add_notes(podium_engine, 1, title="Public")
    assert "Public" in anonymous.get("/notes/").text
    assert "Public" in anonymous.get(f"/notes/{note_id}").text
    for url in ("/notes/new", f"/notes/{note_id}/edit", f"/notes/{note_id}/delete"):
        res = anonymous.get(url, status=303)
        assert res.location.startswith("http://localhost/login?next="), url
    before = rows(podium_engine)
    token = anonymous.csrf_token()
    for url in ("/notes/new", f"/notes/{note_id}/edit", f"/notes/{note_id}/delete"):
        res = anonymous.post(url, {"title": "Sneaky", "body": "x", "csrf_token": token},
                             status=401)
        assert "Log in" in res.text
    assert rows(podium_engine) == before


# -- delete --------------------------------------------------------------------------------


def test_get_on_the_delete_url_asks_and_does_not_delete(testapp, podium_engine):
    [note_id] = add_notes(podium_engine, 1, title="Keep me")
    res = testapp.get(f"/notes/{note_id}/delete")
    assert count(podium_engine) == 1
    assert "Delete “Keep me”?" in res.text
    res.forms["note-delete-form"].submit(status=302)
    assert count(podium_engine) == 0


def test_deleting_one_note_leaves_the_others(testapp, podium_engine):
    first, second = add_notes(podium_engine, 2)
    testapp.get(f"/notes/{first}").forms["note-delete-form"].submit(status=302)
    assert [r["id"] for r in rows(podium_engine)] == [second]


def test_ids_of_deleted_notes_are_not_reused(testapp, podium_engine):
    # An old link must not show a newer note (SQLite reuses the highest
    # rowid unless the table is AUTOINCREMENT).
    create_with_form(testapp, "First")
    [first] = rows(podium_engine)
    testapp.get(f"/notes/{first['id']}").forms["note-delete-form"].submit(status=302)
    create_with_form(testapp, "Second")
    [second] = rows(podium_engine)
    assert second["id"] > first["id"]
    testapp.get(f"/notes/{first['id']}", status=404)


# -- not found and wrong methods -----------------------------------------------------------


@pytest.mark.parametrize("path", ["/notes/{id}", "/notes/{id}/edit", "/notes/{id}/delete"])
def test_missing_note_pages_are_404_html(testapp, podium_engine, path):
    [note_id] = add_notes(podium_engine, 1)
    missing = note_id + 1000
    res = testapp.get(path.format(id=missing), status=404)
    assert res.content_type == "text/html"
    assert f"No note with id {missing}." in res.text


def test_posting_to_a_missing_note_is_404_and_writes_nothing(testapp, podium_engine):
    [note_id] = add_notes(podium_engine, 1)
    before = rows(podium_engine)
    token = csrf_token(testapp)
    missing = note_id + 1000
    testapp.post(f"/notes/{missing}/edit", {"title": "x", "csrf_token": token}, status=404)
    testapp.post(f"/notes/{missing}/delete", {"csrf_token": token}, status=404)
    assert rows(podium_engine) == before


@pytest.mark.parametrize(
    "path",
    [
        "/notes/abc",
        "/notes/1.5",
        "/notes/-1",
        "/notes/0",
        "/notes/abc/edit",
        "/notes/99999999999999999999",
        "/notes/2147483648/edit",
    ],
)
def test_ids_that_are_not_note_ids_are_404_not_errors(testapp, path):
    testapp.get(path, status=404)


def test_other_methods_are_405_with_allow(testapp, podium_engine):
    [note_id] = add_notes(podium_engine, 1)
    res = testapp.put(f"/notes/{note_id}", status=405)
    assert res.headers["Allow"] == "GET, HEAD"
    res = testapp.delete(f"/notes/{note_id}/delete", status=405)
    assert res.headers["Allow"] == "GET, HEAD, POST"
    assert count(podium_engine) == 1


# -- escaping and assets -------------------------------------------------------------------


def test_markup_in_a_note_is_shown_escaped_everywhere(testapp, podium_engine):
    title = "<script>alert('t')</script>"
    body = "<img src=x onerror=alert('b')>"
    res = create_with_form(testapp, title, body).follow()
    [stored] = rows(podium_engine)
    assert (stored["title"], stored["body"]) == (title, body)  # stored as typed

    escaped_title = "&lt;script&gt;alert(&#39;t&#39;)&lt;/script&gt;"
    for page in (
        res,
        testapp.get("/notes/"),
        testapp.get(f"/notes/{stored['id']}/edit"),
        testapp.get(f"/notes/{stored['id']}/delete"),
    ):
        assert "<script>alert" not in page.text
        assert "<img src=x" not in page.text
        assert escaped_title in page.text
    assert "Note “" + escaped_title + "” created." in res.text  # the flash message too
    assert "&lt;img src=x onerror=alert(&#39;b&#39;)&gt;" in res.text


def test_the_plugin_stylesheet_is_served_as_css_and_linked_from_every_page(testapp, podium_engine):
    [note_id] = add_notes(podium_engine, 1)
    res = testapp.get("/notes/static/notes.css")
    assert res.content_type == "text/css"
    assert ".notes-list" in res.text
    for path in (
        "/notes/",
        "/notes/new",
        f"/notes/{note_id}",
        f"/notes/{note_id}/edit",
        f"/notes/{note_id}/delete",
    ):
        stylesheets = testapp.get(path).html.select('link[rel="stylesheet"]')
        links = [link["href"].split("?")[0] for link in stylesheets]  # without ?v=<hash>
        assert "http://localhost/notes/static/notes.css" in links, path


def test_timestamps_are_shown_in_utc(testapp, podium_engine):
    [note_id] = add_notes(podium_engine, 1)
    time = testapp.get(f"/notes/{note_id}").html.select_one(".notes-meta time")
    assert time["datetime"] == "2024-01-01T00:00:00+00:00"
    assert re.fullmatch(r"2024-01-01 00:00 UTC", time.text)
