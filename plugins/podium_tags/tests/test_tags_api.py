"""Tags in the notes' JSON API: accepted on POST, PUT and PATCH, refused with
``fields.tags``, shown in every note's JSON, and ``?tag=`` on the list;
requests sent as a program sends them, results checked on the stored rows."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import Engine
from tags_data import browser, link_count, note_ids, program, stored_tags, tag_names, visitor

pytestmark = pytest.mark.podium_plugins("notes", "tags")


@pytest.fixture
def writer(podium_user):
    return podium_user("writer")


@pytest.fixture
def testapp(podium_app, writer):
    """The browser of a signed-in user, ``writer``."""
    return browser(podium_app, writer)


@pytest.fixture
def api(podium_app, writer, api_token):
    """A program with an API token of the same user."""
    return program(podium_app, api_token(writer.login))


@pytest.fixture
def anonymous(podium_app):
    return visitor(podium_app)


API = "/notes/api/notes"
#: No ``tags`` key at all (None is sent as null).
ABSENT = object()


def create(api: Any, title: str, tags: Any = ABSENT, **kw: Any) -> Any:
    body: dict[str, Any] = {"title": title}
    if tags is not ABSENT:
        body["tags"] = tags
    return api.post_json(API, body, **kw)


def bad_tags(res: Any) -> str:
    """The 400's message for the field tags, in the core's error shape."""
    assert res.status_int == 400
    error = res.json["error"]
    assert (error["status"], error["title"]) == (400, "Bad Request")
    return error["fields"]["tags"]


def test_a_note_is_created_with_its_tags_and_shows_them(api, podium_engine: Engine):
    res = create(api, "Reading", ["Python", "web", "python"], status=201)
    [note_id] = note_ids(podium_engine)
    assert stored_tags(podium_engine) == {note_id: ["python", "web"]}
    assert res.json["tags"] == ["python", "web"]
    assert res.json["id"] == note_id
    assert api.get(res.location).json["tags"] == ["python", "web"]


def test_a_note_without_tags_has_an_empty_list(api):
    res = create(api, "Plain", status=201)
    assert res.json["tags"] == []
    assert api.get(API).json["items"][0]["tags"] == []


def test_one_string_is_read_as_the_forms_text(api, podium_engine: Engine):
    res = create(api, "Reading", "python, web", status=201)
    assert res.json["tags"] == ["python", "web"]


def test_put_replaces_the_tags_and_clears_them_when_absent(api, podium_engine: Engine):
    url = create(api, "Reading", ["python", "web"], status=201).location
    [note_id] = note_ids(podium_engine)
    res = api.put_json(url, {"title": "Reading", "tags": ["web", "pyramid"]}, status=200)
    assert res.json["tags"] == ["pyramid", "web"]
    assert stored_tags(podium_engine) == {note_id: ["pyramid", "web"]}
    # PUT replaces the whole note: no tags sent, no tags kept.
    res = api.put_json(url, {"title": "Reading"}, status=200)
    assert res.json["tags"] == []
    assert stored_tags(podium_engine) == {}


def test_patch_changes_the_tags_only_when_sent(api, podium_engine: Engine):
    url = create(api, "Reading", ["python"], status=201).location
    [note_id] = note_ids(podium_engine)
    res = api.patch_json(url, {"title": "Renamed"}, status=200)
    assert (res.json["title"], res.json["tags"]) == ("Renamed", ["python"])
    res = api.patch_json(url, {"tags": ["web"]}, status=200)
    assert (res.json["title"], res.json["tags"]) == ("Renamed", ["web"])
    res = api.patch_json(url, {"tags": []}, status=200)
    assert res.json["tags"] == []
    assert stored_tags(podium_engine) == {}
    assert note_ids(podium_engine) == [note_id]


def test_a_change_of_the_tags_alone_is_a_new_version(api):
    """The note's ETag covers its tags: a client holding the old version is
    told, and its stale write refused."""
    url = create(api, "Reading", ["python"], status=201).location
    before = api.get(url).headers["ETag"]
    api.patch_json(url, {"tags": ["web"]}, status=200)
    assert api.get(url, headers={"If-None-Match": before}).json["tags"] == ["web"]
    api.patch_json(url, {"tags": ["mine"]}, headers={"If-Match": before}, status=412)
    assert api.get(url).json["tags"] == ["web"]


def test_an_unknown_field_names_the_tags_too(api):
    res = api.post_json(API, {"title": "x", "colour": "red"}, status=400)
    assert res.json["error"]["fields"] == {
        "colour": "Unknown field: a note has a title, a body, tags."}


@pytest.mark.parametrize(("tags", "message"), [
    (["ok", "<script>"], "The tag '<script>' contains '<' '>'"),
    (["web design"], "contains a space"),
    ([str(n) for n in range(11)], "Too many tags: at most 10 per note (11 given)."),
    (["x" * 41], "too long: at most 40 characters (41 given)"),
    (42, "tags is a list of strings (or one string, tags separated by commas), not a number."),
    (None, "not null"),
    ({"name": "web"}, "not an object"),
    (["web", 7], "tags is a list of strings; it holds a number."),
    (["a,b"], "contains a comma"),
])
def test_bad_tags_are_a_400_naming_the_field_and_nothing_is_written(
        api, podium_engine: Engine, tags: Any, message: str):
    res = create(api, "Reading", tags, status=400)
    assert message in bad_tags(res)
    assert note_ids(podium_engine) == []
    assert tag_names(podium_engine) == []


def test_the_notes_errors_and_the_tags_errors_come_together(api, podium_engine: Engine):
    res = api.post_json(API, {"title": "", "tags": ["<b>"]}, status=400)
    fields = res.json["error"]["fields"]
    assert set(fields) == {"title", "tags"}
    assert fields["title"] == "A title is required."
    assert note_ids(podium_engine) == []


def test_a_bad_tag_refuses_an_update_and_keeps_the_note_as_it_was(api, podium_engine):
    url = create(api, "Reading", ["python"], status=201).location
    [note_id] = note_ids(podium_engine)
    for method in (api.put_json, api.patch_json):
        res = method(url, {"title": "Changed", "tags": ["bad tag"]}, status=400)
        assert "contains a space" in bad_tags(res)
    assert api.get(url).json["title"] == "Reading"
    assert stored_tags(podium_engine) == {note_id: ["python"]}


def test_the_list_shows_the_tags_and_filters_by_tag(api):
    create(api, "One", ["python", "web"], status=201)
    create(api, "Two", ["web"], status=201)
    create(api, "Three", status=201)
    items = api.get(API).json["items"]
    assert [(i["title"], i["tags"]) for i in items] == [
        ("Three", []), ("Two", ["web"]), ("One", ["python", "web"])]

    res = api.get(API, {"tag": "Web"}).json
    assert [i["title"] for i in res["items"]] == ["Two", "One"]
    assert (res["total"], res["pages"]) == (2, 1)
    res = api.get(API, {"tag": "web", "per_page": "1", "page": "2"}).json
    assert [i["title"] for i in res["items"]] == ["One"]
    assert res["total"] == 2
    assert api.get(API, {"tag": "none"}).json["total"] == 0


def test_a_malformed_filter_is_a_json_400(api):
    res = api.get(API, {"tag": "a b"}, status=400)
    assert res.content_type == "application/json"
    assert res.json["error"]["message"].startswith("tag: The tag 'a b' contains a space")


def test_the_list_reads_every_notes_tags_in_one_query(api, podium_engine: Engine):
    for n in range(4):
        create(api, f"Note {n}", [f"t{n}", "common"], status=201)
    from sqlalchemy import event

    statements: list[str] = []

    def record(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        statements.append(statement)

    event.listen(podium_engine, "before_cursor_execute", record)
    try:
        items = api.get(API).json["items"]
    finally:
        event.remove(podium_engine, "before_cursor_execute", record)
    assert all("common" in item["tags"] for item in items)
    assert sum("tags_note_tag" in s for s in statements) == 1


def test_deleting_a_note_deletes_its_tags_links(api, podium_engine: Engine):
    first = create(api, "One", ["python", "web"], status=201).location
    create(api, "Two", ["web"], status=201)
    assert link_count(podium_engine) == 3
    api.delete(first, status=204)
    assert link_count(podium_engine) == 1
    # The tag itself is kept (README: unused tags), and shows nowhere.
    assert tag_names(podium_engine) == ["python", "web"]
    assert [" ".join(li.text.split()) for li in
            api.get("/tags/").html.select(".tags-index li")] == ["web 1 note"]


def test_deleting_a_note_through_its_page_deletes_its_links_too(api, testapp, podium_engine):
    create(api, "One", ["python"], status=201)
    [note_id] = note_ids(podium_engine)
    testapp.post_form(f"/notes/{note_id}/delete", status=302)
    assert link_count(podium_engine) == 0


def test_the_same_new_tag_on_two_notes_is_one_tag(api, podium_engine: Engine):
    create(api, "One", ["fresh"], status=201)
    create(api, "Two", ["fresh"], status=201)
    assert tag_names(podium_engine) == ["fresh"]
    assert link_count(podium_engine) == 2


def test_a_tag_cannot_inject_markup_into_the_pages(api, podium_engine: Engine):
    # The rules refuse markup; what they allow is still escaped wherever shown.
    create(api, "<i>Title</i>", ["c++", "a.b"], status=201)
    [note_id] = note_ids(podium_engine)
    for url in (f"/notes/{note_id}", "/notes/", "/tags/", f"/notes/{note_id}/edit"):
        res = api.get(url)
        assert "<i>" not in res.text
    page = api.get(f"/notes/{note_id}")
    assert [a.text for a in page.html.select(".note .tags-tag")] == ["a.b", "c++"]
    assert page.html.select(".note .tags-tag")[1]["href"] == "http://localhost/notes/?tag=c%2B%2B"
    assert [n["title"] for n in api.get(API, {"tag": "c++"}).json["items"]] == ["<i>Title</i>"]


def test_tags_ride_on_the_notes_permissions(api, anonymous, podium_user, api_token,
                                            podium_app, podium_engine: Engine):
    url = create(api, "Mine", ["python"], status=201).location
    anonymous.post_json(API, {"title": "Anonymous", "tags": ["spam"]}, status=401)
    other = podium_user("other")
    stranger = program(podium_app, api_token(other.login))
    stranger.patch_json(url, {"tags": ["defaced"]}, status=403)
    assert tag_names(podium_engine) == ["python"]
    assert api.get(url).json["tags"] == ["python"]
