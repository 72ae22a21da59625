"""With ``tags`` installed but not enabled, the notes are exactly as without it:
no field, no markup, no ``tags`` key, the API refuses ``tags`` as any unknown
field, and ``?tag=`` filters nothing."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine, text
from tags_data import browser, link_count, note_ids, program

pytestmark = pytest.mark.podium_plugins("notes")


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


API = "/notes/api/notes"


def test_the_form_has_no_tags_field(testapp):
    res = testapp.get("/notes/new")
    assert "tags" not in res.forms["note-form"].fields
    assert "tags-" not in res.text
    assert "/tags/static/" not in res.text


def test_the_api_refuses_tags_as_an_unknown_field(api, podium_engine: Engine):
    res = api.post_json(API, {"title": "Reading", "tags": ["python"]}, status=400)
    assert res.json["error"]["fields"] == {
        "tags": "Unknown field: a note has a title and a body."}
    assert note_ids(podium_engine) == []


def test_the_json_has_no_tags_key_and_the_pages_no_tags(api, testapp, podium_engine: Engine):
    res = api.post_json(API, {"title": "Reading"}, status=201)
    assert set(res.json) == {"id", "title", "body", "created_at", "updated_at", "url"}
    # Tags stored while the plugin was enabled stay in its tables, unseen.
    with podium_engine.begin() as conn:
        tag_id = conn.execute(text("INSERT INTO tags_tag (name) VALUES ('python') "
                                   "RETURNING id")).scalar_one()
        conn.execute(text("INSERT INTO tags_note_tag (note_id, tag_id) VALUES (:n, :t)"),
                     {"n": res.json["id"], "t": tag_id})
    assert "tags" not in api.get(res.location).json
    assert "tags" not in api.get(API).json["items"][0]
    for url in ("/notes/", f"/notes/{res.json['id']}"):
        assert "tags-" not in testapp.get(url).text
    # Nor does a form edit, which knows nothing of tags, touch them.
    form = testapp.get(f"/notes/{res.json['id']}/edit").forms["note-form"]
    form["title"] = "Renamed"
    form.submit(status=302)
    assert link_count(podium_engine) == 1
    # Deleting the note still takes its links (the database's cascade).
    api.delete(res.location, status=204)
    assert link_count(podium_engine) == 0


def test_tag_filters_nothing_and_the_tags_page_is_not_there(api, testapp):
    api.post_json(API, {"title": "One"}, status=201)
    assert api.get(API, {"tag": "python"}).json["total"] == 1
    assert api.get(API, {"tag": "<b>"}).json["total"] == 1
    res = testapp.get("/notes/", {"tag": "python"})
    assert [a.text for a in res.html.select(".notes-item-title")] == ["One"]
    testapp.get("/tags/", status=404)
    assert "/tags/" not in testapp.get("/").text
