"""The notes plugin's JSON API, through the full app with WebTest.

Requests are sent as a non-browser client sends them: JSON bodies with
``Content-Type: application/json``, an API token and no CSRF token.  What was written is
always checked on the stored rows through a separate connection.
"""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from notes_data import add_notes, bearer_client, count, rows

from podium.testing import PodiumTestApp

pytestmark = pytest.mark.podium_plugins("notes")

API = "/notes/api/notes"


@pytest.fixture
def testapp(podium_app, podium_user, api_token) -> PodiumTestApp:
    """The client of these tests: a program with the API token of a user with
    the role ``editor``.  Writing needs a signed-in user (the plugin's
    defaults), and many tests here change notes written straight to the
    table, which have no owner; who may change whose note is
    test_notes_owners.py's subject."""
    user = podium_user("writer", roles=["editor"])
    return bearer_client(podium_app, api_token(user.login))


@pytest.fixture
def anonymous(podium_app) -> PodiumTestApp:
    return PodiumTestApp(podium_app, extra_environ={"HTTP_HOST": "localhost"})

def parse_time(value: str) -> datetime.datetime:
    parsed = datetime.datetime.fromisoformat(value)
    assert parsed.utcoffset() == datetime.timedelta(0), value
    return parsed


def assert_bad_request(res: Any, fields: dict[str, str] | None = None) -> dict[str, Any]:
    """The 400 shape: the core's error object plus one message per field."""
    assert res.status_int == 400
    assert res.content_type == "application/json"
    error = res.json["error"]
    assert error["status"] == 400
    assert error["title"] == "Bad Request"
    assert error["message"]
    if fields is not None:
        assert error.get("fields", {}) == fields
    return error


# -- create and read -----------------------------------------------------------------------


def test_create_returns_201_with_location_and_stores_the_note(testapp, podium_engine):
    res = testapp.post_json(API, {"title": "  Hello  ", "body": "line 1\r\nline 2"}, status=201)
    [stored] = rows(podium_engine)
    assert (stored["title"], stored["body"]) == ("Hello", "line 1\nline 2")

    note = res.json
    url = f"http://localhost{API}/{stored['id']}"
    assert res.location == url
    assert set(note) == {"id", "title", "body", "created_at", "updated_at", "url"}
    assert note["id"] == stored["id"]
    assert note["url"] == url
    assert (note["title"], note["body"]) == ("Hello", "line 1\nline 2")
    assert parse_time(note["created_at"]) == stored["created_at"]
    assert note["updated_at"] == note["created_at"]
    assert testapp.get(res.location).json == note


def test_create_without_body_stores_an_empty_body(testapp, podium_engine):
    testapp.post_json(API, {"title": "Only a title"}, status=201)
    assert [(r["title"], r["body"]) for r in rows(podium_engine)] == [("Only a title", "")]


def test_title_of_200_characters_is_accepted_on_every_backend(testapp, podium_engine):
    title = "é" * 199 + "😀"  # characters, not bytes: 200 of them, more than 200 bytes
    res = testapp.post_json(API, {"title": title}, status=201)
    assert res.json["title"] == title
    assert [r["title"] for r in rows(podium_engine)] == [title]


def test_get_one_note(testapp, podium_engine):
    [note_id] = add_notes(podium_engine, 1)
    note = testapp.get(f"{API}/{note_id}").json
    assert note == {
        "id": note_id,
        "title": "Note 0",
        "body": "Body 0",
        "created_at": "2024-01-01T00:00:00+00:00",
        "updated_at": "2024-01-01T00:00:00+00:00",
        "url": f"http://localhost{API}/{note_id}",
    }


# -- list and pagination -------------------------------------------------------------------


def test_empty_list(testapp):
    first = f"http://localhost{API}?page=1&per_page=20"
    assert testapp.get(API).json == {
        "items": [], "page": 1, "per_page": 20, "total": 0, "pages": 0,
        "links": {"first": first, "prev": None, "next": None, "last": first}}


def test_list_links_keep_the_other_parameters(testapp, podium_engine):
    add_notes(podium_engine, 5)
    links = testapp.get(API, {"per_page": "2", "page": "2"}).json["links"]
    base = f"http://localhost{API}?page="
    assert links == {"first": f"{base}1&per_page=2", "prev": f"{base}1&per_page=2",
                     "next": f"{base}3&per_page=2", "last": f"{base}3&per_page=2"}


def test_list_is_newest_first_and_paginated(testapp, podium_engine):
    add_notes(podium_engine, 45)
    first = testapp.get(API).json
    assert (first["page"], first["per_page"], first["total"], first["pages"]) == (1, 20, 45, 3)
    assert [n["title"] for n in first["items"]] == [f"Note {i}" for i in range(44, 24, -1)]
    assert set(first["items"][0]) == {"id", "title", "body", "created_at", "updated_at", "url"}

    last = testapp.get(API, {"page": "3"}).json
    assert [n["title"] for n in last["items"]] == [f"Note {i}" for i in range(4, -1, -1)]
    assert (last["page"], last["pages"]) == (3, 3)

    small = testapp.get(API, {"page": "2", "per_page": "7"}).json
    assert [n["title"] for n in small["items"]] == [f"Note {i}" for i in range(37, 30, -1)]
    assert (small["per_page"], small["pages"]) == (7, 7)

    everything = testapp.get(API, {"per_page": "100"}).json
    assert len(everything["items"]) == 45
    assert everything["pages"] == 1

    one = testapp.get(API, {"per_page": "1"}).json
    assert [n["title"] for n in one["items"]] == ["Note 44"]
    assert one["pages"] == 45


def test_list_page_past_the_end_is_empty(testapp, podium_engine):
    add_notes(podium_engine, 3)
    for page in ("2", "9" * 30):
        res = testapp.get(API, {"page": page})
        assert res.json["items"] == []
        assert (res.json["total"], res.json["pages"]) == (3, 1)


@pytest.mark.parametrize(
    ("params", "fields"),
    [
        ({"page": "0"}, {"page": "Must be a whole number, 1 or more."}),
        ({"page": "-1"}, {"page": "Must be a whole number, 1 or more."}),
        ({"page": "first"}, {"page": "Must be a whole number, 1 or more."}),
        ({"page": "1.0"}, {"page": "Must be a whole number, 1 or more."}),
        ({"page": ""}, {"page": "Must be a whole number, 1 or more."}),
        ({"per_page": "0"}, {"per_page": "Must be a whole number from 1 to 100."}),
        ({"per_page": "101"}, {"per_page": "Must be a whole number from 1 to 100."}),
        ({"per_page": "1_0"}, {"per_page": "Must be a whole number from 1 to 100."}),
        ({"per_page": "ten"}, {"per_page": "Must be a whole number from 1 to 100."}),
        (
            {"page": "0", "per_page": "1000"},
            {
                "page": "Must be a whole number, 1 or more.",
                "per_page": "Must be a whole number from 1 to 100.",
            },
        ),
    ],
)
def test_list_refuses_bad_pagination_with_field_messages(testapp, params, fields):
    error = assert_bad_request(testapp.get(API, params, status=400), fields)
    assert error["message"] == "Invalid pagination parameters."


# -- update --------------------------------------------------------------------------------


def test_put_replaces_the_note(testapp, podium_engine):
    [note_id] = add_notes(podium_engine, 1)
    [before] = rows(podium_engine)
    res = testapp.put_json(f"{API}/{note_id}", {"title": "New title", "body": "New body"})
    [after] = rows(podium_engine)
    assert (after["title"], after["body"]) == ("New title", "New body")
    assert after["created_at"] == before["created_at"]
    assert after["updated_at"] > before["updated_at"]
    assert res.json["title"] == "New title"
    assert parse_time(res.json["updated_at"]) == after["updated_at"]


def test_put_without_body_empties_it(testapp, podium_engine):
    [note_id] = add_notes(podium_engine, 1)
    testapp.put_json(f"{API}/{note_id}", {"title": "Just this"})
    assert [(r["title"], r["body"]) for r in rows(podium_engine)] == [("Just this", "")]


def test_patch_changes_only_the_fields_sent(testapp, podium_engine):
    first, second = add_notes(podium_engine, 2)
    res = testapp.patch_json(f"{API}/{first}", {"body": "Patched"})
    assert res.json["title"] == "Note 0"
    assert res.json["body"] == "Patched"
    stored = rows(podium_engine)
    assert [(r["title"], r["body"]) for r in stored] == [
        ("Note 0", "Patched"),
        ("Note 1", "Body 1"),
    ]
    assert stored[0]["updated_at"] > stored[0]["created_at"]

    testapp.patch_json(f"{API}/{second}", {"title": "Renamed"})
    assert [r["title"] for r in rows(podium_engine)] == ["Note 0", "Renamed"]


def test_patch_that_changes_nothing_keeps_updated_at(testapp, podium_engine):
    [note_id] = add_notes(podium_engine, 1)
    before = rows(podium_engine)
    testapp.patch_json(f"{API}/{note_id}", {})
    testapp.patch_json(f"{API}/{note_id}", {"title": "Note 0"})
    assert rows(podium_engine) == before


# -- delete --------------------------------------------------------------------------------


def test_delete_answers_204_and_removes_only_that_note(testapp, podium_engine):
    first, second = add_notes(podium_engine, 2)
    # A bodiless DELETE declares JSON too: that is what exempts it from the
    # CSRF token (see the core's podium.security.csrf).
    res = testapp.delete_json(f"{API}/{first}", status=204)
    assert res.body == b""
    assert [r["id"] for r in rows(podium_engine)] == [second]
    testapp.delete_json(f"{API}/{first}", status=404)
    testapp.get(f"{API}/{first}", status=404)


# -- invalid input -------------------------------------------------------------------------

NOT_JSON_MESSAGE_START = "The request body is not valid JSON"
NOT_OBJECT_MESSAGE = "The request body must be a JSON object."

BAD_OBJECTS = [
    pytest.param({}, {"title": "A title is required."}, id="missing-title"),
    pytest.param({"title": ""}, {"title": "A title is required."}, id="empty-title"),
    pytest.param({"title": " \t "}, {"title": "A title is required."}, id="blank-title"),
    pytest.param(
        {"title": "x" * 201},
        {"title": "At most 200 characters (this one has 201)."},
        id="long-title",
    ),
    pytest.param(
        {"title": "two\nlines"},
        {"title": "Must be a single line without control characters."},
        id="control-character-in-title",
    ),
    pytest.param({"title": 7}, {"title": "Must be a string."}, id="number-title"),
    pytest.param({"title": None}, {"title": "Must be a string."}, id="null-title"),
    pytest.param({"title": ["a"]}, {"title": "Must be a string."}, id="list-title"),
    pytest.param({"title": "ok", "body": False}, {"body": "Must be a string."}, id="bool-body"),
    pytest.param({"title": "ok", "body": None}, {"body": "Must be a string."}, id="null-body"),
    pytest.param(
        {"title": "ok", "body": {"text": "x"}}, {"body": "Must be a string."}, id="object-body"
    ),
    pytest.param(
        {"title": "ok", "body": "a\x00b"},
        {"body": "Must not contain NUL characters."},
        id="nul-in-body",
    ),
    pytest.param(
        {"title": "ok", "colour": "red"},
        {"colour": "Unknown field: a note has a title and a body."},
        id="unknown-field",
    ),
    pytest.param(
        {"title": "ok", "id": 5}, {"id": "Read-only: set by the server."}, id="read-only-field"
    ),
    pytest.param(
        {"title": "", "body": 1, "tags": []},
        {
            "title": "A title is required.",
            "body": "Must be a string.",
            "tags": "Unknown field: a note has a title and a body.",
        },
        id="every-problem-at-once",
    ),
]


@pytest.mark.parametrize(("data", "fields"), BAD_OBJECTS)
def test_create_refuses_bad_input_with_field_messages(testapp, podium_engine, data, fields):
    res = testapp.post_json(API, data, status=400)
    error = assert_bad_request(res, fields)
    assert error["message"] == "The note was not saved: correct the fields listed."
    assert "Location" not in res.headers
    assert count(podium_engine) == 0


@pytest.mark.parametrize(("data", "fields"), BAD_OBJECTS)
def test_put_refuses_bad_input_and_leaves_the_note_alone(testapp, podium_engine, data, fields):
    [note_id] = add_notes(podium_engine, 1)
    before = rows(podium_engine)
    assert_bad_request(testapp.put_json(f"{API}/{note_id}", data, status=400), fields)
    assert rows(podium_engine) == before


@pytest.mark.parametrize(
    ("data", "fields"),
    [
        ({"title": ""}, {"title": "A title is required."}),
        ({"title": "x" * 201}, {"title": "At most 200 characters (this one has 201)."}),
        ({"body": 3}, {"body": "Must be a string."}),
        (
            {"body": "fine", "created_at": "2020-01-01T00:00:00+00:00"},
            {"created_at": "Read-only: set by the server."},
        ),
        ({"color": "red"}, {"color": "Unknown field: a note has a title and a body."}),
    ],
)
def test_patch_refuses_bad_input_and_leaves_the_note_alone(testapp, podium_engine, data, fields):
    [note_id] = add_notes(podium_engine, 1)
    before = rows(podium_engine)
    assert_bad_request(testapp.patch_json(f"{API}/{note_id}", data, status=400), fields)
    assert rows(podium_engine) == before


@pytest.mark.parametrize(("method", "path"), [("POST", ""), ("PUT", "/{id}"), ("PATCH", "/{id}")])
@pytest.mark.parametrize(
    ("body", "message"),
    [
        pytest.param(b'{"title": "unfinished', NOT_JSON_MESSAGE_START, id="truncated"),
        pytest.param(b"title=Hello", NOT_JSON_MESSAGE_START, id="form-encoded"),
        pytest.param(b"", NOT_JSON_MESSAGE_START, id="empty"),
        pytest.param(b"\xff\xfe\x00", NOT_JSON_MESSAGE_START, id="not-text"),
        pytest.param(b"[" * 100_000, NOT_JSON_MESSAGE_START, id="nested-too-deep"),
        pytest.param(b'["title", "Hello"]', NOT_OBJECT_MESSAGE, id="array"),
        pytest.param(b'"Hello"', NOT_OBJECT_MESSAGE, id="string"),
        pytest.param(b"null", NOT_OBJECT_MESSAGE, id="null"),
    ],
)
def test_bodies_that_are_not_a_json_object_are_refused(
    testapp, podium_engine, method, path, body, message
):
    [note_id] = add_notes(podium_engine, 1)
    before = rows(podium_engine)
    res = testapp.request(
        API + path.format(id=note_id),
        method=method,
        body=body,
        content_type="application/json",
        expect_errors=True,
    )
    error = assert_bad_request(res, {})
    assert error["message"].startswith(message)
    assert rows(podium_engine) == before


def test_json_sent_as_another_content_type_needs_the_csrf_token(logged_in_app, podium_engine):
    # A browser's session: the API's writers are users now, and a browser is
    # what another site can make send a request.
    browser = logged_in_app()
    # Without the token: refused by CSRF (a browser can send text/plain cross-site);
    # a 403, since the session's identity is what a forgery would borrow.
    res = browser.post(API, '{"title": "x"}', content_type="text/plain", status=403)
    assert "CSRF" in res.json["error"]["message"]
    # With it (a same-site page): refused because the API speaks JSON only.
    token = browser.get("/notes/new").forms["note-form"]["csrf_token"].value
    res = browser.post(API, {"title": "x", "csrf_token": token}, status=415)
    assert res.json["error"]["message"] == (
        "Send the body as JSON, with Content-Type: application/json (this request's "
        "Content-Type: application/x-www-form-urlencoded)."
    )
    assert count(podium_engine) == 0


def test_nobody_may_write_but_everyone_reads(anonymous, podium_engine):
    """The plugin's defaults: reading is open, writing needs a user (401 and
    the Bearer challenge for a program without a token)."""
    [note_id] = add_notes(podium_engine, 1)
    before = rows(podium_engine)
    assert anonymous.get(f"{API}/{note_id}").json["id"] == note_id
    assert anonymous.get(API).json["total"] == 1
    for method, url in (("POST", API), ("PUT", f"{API}/{note_id}"),
                        ("PATCH", f"{API}/{note_id}"), ("DELETE", f"{API}/{note_id}")):
        res = anonymous.request(url, method=method, body=b'{"title": "x"}',
                                content_type="application/json", status=401)
        assert res.headers["WWW-Authenticate"].startswith("Bearer"), method
        assert res.json["error"]["status"] == 401
    assert rows(podium_engine) == before


def test_a_plain_user_writes_but_does_not_change_ownerless_notes(podium_app, podium_user,
                                                                 api_token, podium_engine):
    """Without ``editor``, a user's token creates notes and changes its own
    only (``notes.edit_any`` is the role ``editor``'s)."""
    user = podium_user("plain")
    client = bearer_client(podium_app, api_token(user.login))
    [ownerless] = add_notes(podium_engine, 1)
    mine = client.post_json(API, {"title": "Mine"}, status=201).json["id"]
    client.patch_json(f"{API}/{mine}", {"body": "changed"}, status=200)
    client.patch_json(f"{API}/{ownerless}", {"body": "changed"}, status=403)
    client.delete(f"{API}/{ownerless}", status=403)
    assert {r["id"]: r["body"] for r in rows(podium_engine)} == {ownerless: "Body 0",
                                                                 mine: "changed"}


# -- not found and wrong methods -----------------------------------------------------------


@pytest.mark.parametrize("method", ["GET", "PUT", "PATCH", "DELETE"])
def test_missing_note_is_a_json_404(testapp, podium_engine, method):
    [note_id] = add_notes(podium_engine, 1)
    before = rows(podium_engine)
    missing = note_id + 1000
    res = testapp.request(
        f"{API}/{missing}",
        method=method,
        body=b'{"title": "x"}',
        content_type="application/json",
        expect_errors=True,
    )
    assert res.status_int == 404
    assert res.json == {
        "error": {"status": 404, "title": "Not Found", "message": f"No note with id {missing}."}
    }
    assert rows(podium_engine) == before


@pytest.mark.parametrize(
    "path", ["/abc", "/0", "/-3", "/1.5", "/99999999999999999999", "/2147483648"]
)
def test_ids_that_are_not_note_ids_are_json_404s(testapp, path):
    res = testapp.get(API + path, status=404)
    assert res.json["error"]["status"] == 404


def test_other_methods_are_405_with_allow(testapp, podium_engine):
    [note_id] = add_notes(podium_engine, 1)
    res = testapp.delete_json(API, status=405)
    assert res.headers["Allow"] == "GET, HEAD, POST"
    assert res.json["error"]["status"] == 405
    res = testapp.post_json(f"{API}/{note_id}", {"title": "x"}, status=405)
    assert res.headers["Allow"] == "GET, HEAD, PUT, PATCH, DELETE"
    assert [r["title"] for r in rows(podium_engine)] == ["Note 0"]


# -- the API and the pages see the same notes ----------------------------------------------


def test_a_note_made_through_the_api_is_shown_escaped_on_the_pages(testapp):
    note = testapp.post_json(API, {"title": "<b>bold</b>", "body": "<i>x</i>"}).json
    page = testapp.get(f"/notes/{note['id']}")
    assert "&lt;b&gt;bold&lt;/b&gt;" in page.text
    assert "<b>bold</b>" not in page.text
    assert "&lt;i&gt;x&lt;/i&gt;" in page.text


# -- versions: ETag, If-None-Match, If-Match -------------------------------------------------


def test_a_read_sends_an_etag_and_304_when_the_client_has_that_version(testapp, podium_engine):
    [note_id] = add_notes(podium_engine, 1)
    res = testapp.get(f"{API}/{note_id}")
    etag = res.headers["ETag"]
    again = testapp.get(f"{API}/{note_id}", headers={"If-None-Match": etag}, status=304)
    assert again.body == b""
    testapp.patch_json(f"{API}/{note_id}", {"body": "changed"})
    assert testapp.get(f"{API}/{note_id}", headers={"If-None-Match": etag}).json["body"] == (
        "changed")


@pytest.mark.parametrize("method", ["PUT", "PATCH", "DELETE"])
def test_a_write_with_a_stale_if_match_is_412_and_changes_nothing(testapp, podium_engine,
                                                                   method):
    [note_id] = add_notes(podium_engine, 1)
    url = f"{API}/{note_id}"
    stale = testapp.get(url).headers["ETag"]
    current = testapp.patch_json(url, {"title": "Changed"}).headers["ETag"]
    assert current != stale and testapp.get(url).headers["ETag"] == current
    before = rows(podium_engine)
    res = testapp.request(url, method=method, body=b'{"title": "Mine"}', status=412,
                          headers={"Content-Type": "application/json", "If-Match": stale})
    assert res.json["error"]["status"] == 412
    assert rows(podium_engine) == before
    # With the current version the write goes through.
    testapp.request(url, method=method, body=b'{"title": "Mine"}',
                    headers={"Content-Type": "application/json", "If-Match": current},
                    status=204 if method == "DELETE" else 200)
