"""Tags in the notes' pages: the form's field, the note's page, the list and
its ``?tag=`` filter, and ``/tags/``; driven through the whole app with WebTest
as a browser would, and checked on the stored rows."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import Engine
from tags_data import browser, note_ids, stored_tags, visitor

pytestmark = pytest.mark.podium_plugins("notes", "tags")


@pytest.fixture
def writer(podium_user):
    return podium_user("writer")


@pytest.fixture
def testapp(podium_app, writer):
    """The browser of a signed-in user, ``writer``."""
    return browser(podium_app, writer)


@pytest.fixture
def anonymous(podium_app):
    return visitor(podium_app)


def create(testapp: Any, title: str, tags: str = "", body: str = "") -> Any:
    """Fill and submit the new-note form; the response (a redirect when saved)."""
    form = testapp.get("/notes/new").forms["note-form"]
    form["title"] = title
    form["body"] = body
    form["tags"] = tags
    return form.submit(expect_errors=True)


def tags_on(res: Any, where: str = ".note") -> list[str]:
    return [a.text for a in res.html.select(f"{where} .tags-tag")]


def item_tags(res: Any) -> dict[str, list[str]]:
    """Each list item's title and the tags it shows."""
    return {li.select_one(".notes-item-title").text: [a.text for a in li.select(".tags-tag")]
            for li in res.html.select(".notes-item")}


def test_the_form_has_a_tags_field_and_the_note_gets_its_tags(testapp, podium_engine: Engine):
    field = testapp.get("/notes/new").html.select_one("#note-tags")
    assert field["name"] == "tags"
    assert field.find_previous("label").text == "Tags"
    res = create(testapp, "Reading", "Python, web,  python")
    assert res.status_int == 302
    [note_id] = note_ids(podium_engine)
    assert stored_tags(podium_engine) == {note_id: ["python", "web"]}
    page = res.follow()
    assert tags_on(page) == ["python", "web"]
    link = page.html.select_one(".note .tags-tag")
    assert link["href"] == "http://localhost/notes/?tag=python"


def test_editing_shows_the_tags_and_replaces_them(testapp, podium_engine: Engine):
    create(testapp, "Reading", "python, web")
    [note_id] = note_ids(podium_engine)
    form = testapp.get(f"/notes/{note_id}/edit").forms["note-form"]
    assert form["tags"].value == "python, web"
    form["tags"] = "web, Pyramid"
    form.submit(status=302)
    assert stored_tags(podium_engine) == {note_id: ["pyramid", "web"]}
    form = testapp.get(f"/notes/{note_id}/edit").forms["note-form"]
    form["tags"] = ""
    form.submit(status=302)
    assert stored_tags(podium_engine) == {}


def test_a_bad_tag_is_shown_on_the_form_with_the_notes_errors_and_nothing_is_written(
        testapp, podium_engine: Engine):
    res = create(testapp, "", "fine, <script>")
    assert res.status_int == 400
    assert note_ids(podium_engine) == []
    assert stored_tags(podium_engine) == {}
    # Both errors at once: the notes' own (title) and the tags'.
    assert res.html.select_one("#note-title-error").text == "A title is required."
    error = res.html.select_one("#note-tags-error").text
    assert "contains '<' '>'" in error
    field = res.html.select_one("#note-tags")
    assert field["aria-invalid"] == "true"
    assert "note-tags-error" in field["aria-describedby"].split()
    # The text as typed, to correct it (escaped in the attribute, not markup).
    assert field["value"] == "fine, <script>"
    assert "<script>" not in res.text.split('id="note-tags"', 1)[1].split(">", 1)[0]


def test_a_bad_tag_alone_refuses_an_edit_and_keeps_the_old_tags(testapp, podium_engine: Engine):
    create(testapp, "Reading", "python")
    [note_id] = note_ids(podium_engine)
    form = testapp.get(f"/notes/{note_id}/edit").forms["note-form"]
    form["title"] = "Renamed"
    form["tags"] = "a, b, c, d, e, f, g, h, i, j, k"
    res = form.submit(status=400)
    assert "Too many tags: at most 10 per note (11 given)." in res.html.select_one(
        "#note-tags-error").text
    assert res.html.select_one("#note-title-error") is None
    assert stored_tags(podium_engine) == {note_id: ["python"]}
    assert testapp.get(f"/notes/{note_id}").html.select_one(".note-title").text == "Reading"


@pytest.mark.podium_settings(**{"tags.max_per_note": "2", "tags.max_length": "5"})
def test_the_limits_are_the_settings(testapp, podium_engine: Engine):
    assert "at most 2 per note" in create(testapp, "A", "a, b, c").text
    assert "too long: at most 5 characters" in create(testapp, "A", "abcdef").text
    assert create(testapp, "A", "a, abcde").status_int == 302


def test_the_list_shows_each_notes_tags_and_filters_by_tag(testapp, podium_engine: Engine):
    create(testapp, "One", "python, web")
    create(testapp, "Two", "web")
    create(testapp, "Three")
    res = testapp.get("/notes/")
    assert item_tags(res) == {"Three": [], "Two": ["web"], "One": ["python", "web"]}
    assert res.html.select_one(".tags-filter") is None

    res = testapp.get("/notes/", {"tag": "web"})
    assert item_tags(res) == {"Two": ["web"], "One": ["python", "web"]}
    notice = res.html.select_one(".tags-filter")
    assert " ".join(notice.text.split()) == "Notes tagged web — show all"
    assert notice.select_one("a")["href"] == "http://localhost/notes/"

    # The filter's name is read as a tag is: normalised.
    assert list(item_tags(testapp.get("/notes/", {"tag": " PYTHON "}))) == ["One"]
    res = testapp.get("/notes/", {"tag": "nothing"})
    assert item_tags(res) == {}
    assert "Notes tagged nothing" in " ".join(res.html.select_one(".tags-filter").text.split())
    # Clicking a tag on a list item leads to the filtered list.
    res = testapp.get("/notes/").click("python")
    assert list(item_tags(res)) == ["One"]


def test_the_list_reads_the_tags_of_its_notes_once(testapp, podium_engine: Engine):
    for n in range(5):
        create(testapp, f"Note {n}", f"tag{n}, common")
    statements: list[str] = []
    from sqlalchemy import event

    def count(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        statements.append(statement)

    event.listen(podium_engine, "before_cursor_execute", count)
    try:
        res = testapp.get("/notes/")
    finally:
        event.remove(podium_engine, "before_cursor_execute", count)
    assert len(item_tags(res)) == 5
    assert sum("tags_note_tag" in s for s in statements) == 1


def test_a_malformed_filter_is_a_400_naming_the_problem(testapp):
    res = testapp.get("/notes/", {"tag": "<b>"}, status=400)
    assert "tag: The tag '<b>' contains '<' '>'" in res.html.text
    assert "<b>" not in res.text  # escaped
    # An empty one filters nothing, like an empty search box.
    assert testapp.get("/notes/", {"tag": ""}, status=200).html.select_one(".tags-filter") is None


@pytest.mark.podium_settings(**{"notes.page_size": "2"})
def test_a_filtered_list_counts_only_the_tagged_notes(testapp):
    for n in range(3):
        create(testapp, f"Tagged {n}", "x")
    create(testapp, "Untagged")
    res = testapp.get("/notes/", {"tag": "x"})
    assert list(item_tags(res)) == ["Tagged 2", "Tagged 1"]
    assert "Page 1 of 2" in res.html.select_one(".notes-pager").text
    res = testapp.get("/notes/", {"tag": "x", "page": "2"})
    assert list(item_tags(res)) == ["Tagged 0"]
    testapp.get("/notes/", {"tag": "x", "page": "3"}, status=404)


def test_the_tags_page_lists_the_tags_in_use_with_their_counts(testapp):
    assert "No note has a tag yet" in testapp.get("/tags/").text
    create(testapp, "One", "python, web")
    create(testapp, "Two", "web")
    res = testapp.get("/tags/")
    rows = [" ".join(li.text.split()) for li in res.html.select(".tags-index li")]
    assert rows == ["python 1 note", "web 2 notes"]
    res = res.click("web")
    assert list(item_tags(res)) == ["Two", "One"]
    assert testapp.get("/tags", status=302).location == "http://localhost/tags/"
    assert testapp.head("/tags/", status=200).body == b""
    res = testapp.post("/tags/", status=405)
    assert res.headers["Allow"] == "GET, HEAD"


@pytest.mark.podium_settings(**{"notes.public_read": "false"})
def test_the_tags_page_is_read_like_the_notes(anonymous, testapp):
    # Nobody is sent to the login page, as by the notes' list; a signed-in user reads.
    assert anonymous.get("/tags/", status=303).location.endswith("/login?next=%2Ftags%2F")
    anonymous.get("/notes/", status=303)
    testapp.get("/tags/", status=200)


def test_the_stylesheet_is_linked_on_the_notes_pages(testapp):
    for url in ("/notes/", "/notes/new", "/tags/"):
        links = [link["href"] for link in testapp.get(url).html.select("link[rel=stylesheet]")]
        assert any("/tags/static/tags.css" in href for href in links), (url, links)
    css = testapp.get("/tags/static/tags.css", status=200)
    assert ".tags-tag" in css.text


@pytest.mark.podium_settings(**{"notes.page_size": "1"})
def test_the_pager_of_a_filtered_list_keeps_the_tag(testapp):
    create(testapp, "Tagged 1", "x")
    create(testapp, "Untagged")
    create(testapp, "Tagged 2", "x")
    older = testapp.get("/notes/", {"tag": "x"}).html.select_one(".notes-pager a[rel=next]")
    assert "tag=x" in older["href"]
