"""The notes' hooks (podium_notes.hooks), implemented by a real plugin
distribution ("labels", written as another plugin would write one), through
the whole app: pages and API."""

from __future__ import annotations

import importlib
import logging
from collections.abc import Iterator
from types import ModuleType
from typing import Any

import pytest
from notes_data import OPEN_TO_EVERYONE, add_notes, count, rows

from podium.api import HookError
from podium.testing import PodiumTestApp, build_app
from podium.testing.apps import delete_all_rows

pytestmark = pytest.mark.podium_plugins("notes", "labels")

API = "/notes/api/notes"

LABELS = '''
from pyramid.events import BeforeRender
from podium.api import Plugin

#: What the notes' form template was given, captured as it is rendered.
RENDERED = []


def capture(event):
    if event.get("renderer_name") == "podium_notes:templates/form.jinja2":
        given = event.rendering_val
        RENDERED.append((dict(given["values"]), dict(given["errors"])))


def includeme(config):
    config.add_subscriber(capture, BeforeRender)


plugin = Plugin(includeme=includeme, hookimpls="PKG.impls")
'''

IMPLS = '''
from pydantic import field_validator
from pyramid.httpexceptions import HTTPBadRequest
from podium.api import ApiSchema, hookimpl
from podium_notes.models import Note

CALLS = {"extra_fields": 0, "validate": [], "saved": [], "represent": []}


class LabelInput(ApiSchema):
    label: str | None = None

    @field_validator("label")
    @classmethod
    def lower_case_letters(cls, value):
        if not (value.isalpha() and value.islower()):
            raise ValueError("Lower case letters only.")
        return value


@hookimpl(versions=[2])
def notes_extra_fields(registry):
    CALLS["extra_fields"] += 1
    return LabelInput


@hookimpl(versions=[2])
def notes_validate(request, note, values, partial):
    # What no field's model can check: here, two fields together.
    CALLS["validate"].append((note.id if note else None, partial))
    if values.get("label") == "secret" and values.get("title", "") != "Secret":
        return {"label": "Only on a note titled Secret."}
    return None


@hookimpl(versions=[2])
def notes_saved(request, note, values, created, partial):
    CALLS["saved"].append((note.id, created, partial))
    label = values.get("label")
    if label == "boom":
        raise RuntimeError("labels broke")
    if label:
        # Written in the notes' transaction: the row below shows it was kept.
        note.body = f"{note.body}[{label}]"
        request.dbsession.flush()


@hookimpl(versions=[1])
def notes_list_filters(request, params):
    prefix = params.get("title_prefix")
    if prefix is None:
        return None
    if not prefix.isalnum():
        raise HTTPBadRequest("title_prefix: letters and digits only.")
    return [Note.title.startswith(prefix)]


@hookimpl(versions=[1])
def notes_represent(request, notes):
    CALLS["represent"].append([note.id for note in notes])
    return {note.id: {"label_of": f"label-{note.id}", "title": "not the title"}
            for note in notes}
'''


@pytest.fixture
def podium_settings(podium_settings):
    """A site open to anonymous writers: these tests are about the hooks, whoever
    writes (who may is test_permissions.py's)."""
    return {**podium_settings, **OPEN_TO_EVERYONE}


@pytest.fixture
def labels(make_plugin) -> Iterator[tuple[ModuleType, ModuleType]]:
    package = make_plugin("labels", LABELS, target="PKG:plugin", files={"impls.py": IMPLS})
    yield importlib.import_module(package), importlib.import_module(f"{package}.impls")


@pytest.fixture
def app(labels, podium_settings: dict[str, Any]) -> Iterator[PodiumTestApp]:
    router = build_app(podium_settings)
    try:
        yield PodiumTestApp(router, extra_environ={"HTTP_HOST": "localhost"})
    finally:
        delete_all_rows(router.registry["podium.engine"])
        router.registry["podium.engine"].dispose()


@pytest.fixture
def calls(labels) -> dict[str, Any]:
    return labels[1].CALLS


@pytest.fixture
def engine(app):
    return app.app.registry["podium.engine"]


# -- extra fields and validation --------------------------------------------------------


def test_the_api_accepts_the_extra_field_and_the_plugin_saves_it(app, engine, calls):
    res = app.post_json(API, {"title": "Hello", "label": "work"}, status=201)
    [stored] = rows(engine)
    assert stored["body"] == "[work]"  # notes_saved wrote it in the same transaction
    assert calls["saved"] == [(stored["id"], True, False)]
    assert calls["validate"] == [(None, False)]
    app.post_json(API, {"title": "Again", "label": "home"}, status=201)
    assert calls["extra_fields"] == 1  # once per application, not per request
    assert res.json["label_of"] == f"label-{stored['id']}"
    assert res.json["title"] == "Hello"  # the notes' own keys win


def test_without_the_plugin_the_extra_field_is_unknown(make_plugin, podium_settings):
    router = build_app({**podium_settings, "podium.plugins": "notes"})
    try:
        res = PodiumTestApp(router, extra_environ={"HTTP_HOST": "localhost"}).post_json(
            API, {"title": "Hello", "label": "work"}, status=400)
        assert res.json["error"]["fields"] == {
            "label": "Unknown field: a note has a title and a body."}
        # And the JSON keeps its shape.
        note = PodiumTestApp(router, extra_environ={"HTTP_HOST": "localhost"}).post_json(
            API, {"title": "Hello"}, status=201).json
        assert set(note) == {"id", "title", "body", "created_at", "updated_at", "url"}
    finally:
        delete_all_rows(router.registry["podium.engine"])
        router.registry["podium.engine"].dispose()


def test_the_api_shows_the_plugins_errors_with_the_notes_own_and_saves_nothing(
        app, engine, calls):
    res = app.post_json(API, {"title": "", "label": "Work"}, status=400)
    assert res.json["error"]["fields"] == {"title": "A title is required.",
                                           "label": "Lower case letters only."}
    res = app.post_json(API, {"title": "Fine", "label": "Work"}, status=400)
    assert res.json["error"]["fields"] == {"label": "Lower case letters only."}
    assert calls["validate"] == []  # asked only of notes whose fields are valid
    res = app.post_json(API, {"title": "Fine", "label": "secret"}, status=400)
    assert res.json["error"] == {
        "status": 400, "title": "Bad Request",
        "message": "The note was not saved: correct the fields listed.",
        "fields": {"label": "Only on a note titled Secret."}}
    assert count(engine) == 0 and calls["saved"] == []
    app.post_json(API, {"title": "Secret", "label": "secret"}, status=201)


def test_the_document_shows_the_plugins_field(app):
    document = app.get("/api/openapi.json").json
    schemas = document["components"]["schemas"]
    assert set(schemas["NoteInput"]["properties"]) == {"title", "body", "label"}
    assert set(schemas["NotePatch"]["properties"]) == {"title", "body", "label"}
    assert schemas["NoteInput"]["required"] == ["title"]


def test_a_plugin_written_for_version_1_is_refused_at_start_up(make_plugin, podium_settings):
    make_plugin("oldlabels", "from podium.api import Plugin\n"
                "plugin = Plugin(includeme=lambda config: None, hookimpls='PKG.impls')\n",
                target="PKG:plugin",
                files={"impls.py": "from podium.api import hookimpl\n\n"
                                   "@hookimpl(versions=[1])\n"
                                   "def notes_extra_fields(request):\n"
                                   "    return ['label']\n"})
    with pytest.raises(HookError) as raised:
        build_app({**podium_settings, "podium.plugins": "notes oldlabels"})
    message = str(raised.value)
    assert "plugin 'oldlabels' implements hook 'notes_extra_fields'" in message
    assert "version(s) 1 of its spec, but the spec is version 2" in message


def test_an_update_passes_the_note_and_partial(app, engine, calls):
    [note_id] = add_notes(engine, 1)
    app.patch_json(f"{API}/{note_id}", {"label": "home"}, status=200)
    app.put_json(f"{API}/{note_id}", {"title": "New", "label": "away"}, status=200)
    assert calls["validate"] == [(note_id, True), (note_id, False)]
    assert calls["saved"] == [(note_id, False, True), (note_id, False, False)]
    assert rows(engine)[0]["body"] == "[away]"  # PUT: the body is replaced, then labelled
    res = app.patch_json(f"{API}/{note_id}", {"title": "Newer", "label": "X"}, status=400)
    assert res.json["error"]["fields"] == {"label": "Lower case letters only."}
    assert rows(engine)[0]["title"] == "New"


def test_the_form_keeps_the_extra_field_and_shows_the_plugins_error(app, engine, labels):
    rendered = labels[0].RENDERED
    res = app.post_form("/notes/new", {"title": "Kept", "body": "b", "label": "Bad1"},
                        status=400)
    assert "The note was not saved" in res.text
    assert rendered[-1] == ({"title": "Kept", "body": "b", "label": "Bad1"},
                            {"label": "Lower case letters only."})
    assert count(engine) == 0
    app.post_form("/notes/new", {"title": "Kept", "body": "b", "label": "good"}, status=302)
    [stored] = rows(engine)
    assert stored["body"] == "b[good]"
    res = app.post_form(f"/notes/{stored['id']}/edit", {"title": "", "label": "Nope"},
                        status=400)
    assert rendered[-1] == ({"title": "", "body": "", "label": "Nope"},
                            {"title": "A title is required.",
                             "label": "Lower case letters only."})
    assert rows(engine)[0]["title"] == "Kept"


@pytest.mark.parametrize("how", ["api", "form"])
def test_an_exception_in_notes_saved_leaves_no_note(app, engine, calls, how):
    if how == "api":
        app.post_json(API, {"title": "Doomed", "label": "boom"}, status=500)
    else:
        app.post_form("/notes/new", {"title": "Doomed", "label": "boom"}, status=500)
    assert len(calls["saved"]) == 1 and calls["saved"][0][0] is not None  # it had its id
    assert count(engine) == 0


# -- lists and representation ------------------------------------------------------------


def test_list_filters_narrow_the_count_and_the_items(app, engine):
    add_notes(engine, 3, title="Note {}")
    add_notes(engine, 2, title="Other {}")
    listing = app.get(API, {"title_prefix": "Other", "per_page": "1"}).json
    assert (listing["total"], listing["pages"]) == (2, 2)
    assert [item["title"] for item in listing["items"]] == ["Other 1"]
    assert app.get(API).json["total"] == 5
    page = app.get("/notes/", {"title_prefix": "Other"}).text
    assert "Other 0" in page and "Other 1" in page and "Note 0" not in page
    res = app.get(API, {"title_prefix": "a-b"}, status=400)
    assert "title_prefix: letters and digits only." in res.text
    app.get("/notes/", {"title_prefix": "a-b"}, status=400)


def test_the_representation_is_asked_once_per_response_and_merged(
        app, engine, calls, caplog):
    ids = add_notes(engine, 3)
    with caplog.at_level(logging.WARNING, logger="podium_notes.extensions"):
        items = app.get(API).json["items"]
        assert calls["represent"] == [list(reversed(ids))]
        assert [item["label_of"] for item in items] == [f"label-{i}" for i in reversed(ids)]
        assert [item["title"] for item in items] == ["Note 2", "Note 1", "Note 0"]
        note = app.get(f"{API}/{ids[0]}").json
    assert calls["represent"][1:] == [[ids[0]]]
    assert note["label_of"] == f"label-{ids[0]}" and note["title"] == "Note 0"
    warnings = [r.getMessage() for r in caplog.records if r.name == "podium_notes.extensions"]
    assert len(warnings) == 1  # once for the plugin, not once per request or note
    assert "plugin 'labels': notes_represent returned the key 'title'" in warnings[0]
