"""The notes plugin's CSV export page (``/notes/export.csv``), through the full
app with WebTest, on SQLite and, when ``PODIUM_TEST_DATABASE_URL`` is set, on
PostgreSQL (``podium_database_url`` runs every test on each backend).

The page is rendered by the core's streaming ``csv`` renderer from
``podium.api.stream_rows``: rows are checked by parsing the body as a
spreadsheet would, and the streaming connection must go back to the pool.
"""

from __future__ import annotations

import csv
import datetime
import io
from typing import Any

import pytest
from sqlalchemy import Engine, func, insert, select

from podium.testing import PodiumTestApp
from podium_notes.models import Note

pytestmark = pytest.mark.podium_plugins("notes")


@pytest.fixture
def testapp(logged_in_app) -> PodiumTestApp:
    """An editor's browser: the export is the role ``editor``'s by default."""
    return logged_in_app(login="exporter", roles=["editor"])

notes_table = Note.__table__
URL = "/notes/export.csv"
HEADER = ["id", "title", "body", "created_at", "updated_at"]
START = datetime.datetime(2024, 1, 1, tzinfo=datetime.UTC)


def add_note(engine: Engine, title: str, body: str = "", *, minutes: int = 0,
             edited_minutes: int | None = None) -> int:
    """Store one note written ``minutes`` after START; its id."""
    created = START + datetime.timedelta(minutes=minutes)
    updated = created if edited_minutes is None else (
        START + datetime.timedelta(minutes=edited_minutes))
    values = {"title": title, "body": body, "created_at": created, "updated_at": updated}
    with engine.begin() as conn:
        return conn.execute(insert(notes_table).values(values)).inserted_primary_key[0]


def count(engine: Engine) -> int:
    with engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(notes_table)).scalar_one()


def parse(res: Any) -> list[list[str]]:
    """The body read back as CSV (``newline=""``: quoted line breaks stay in their cell)."""
    return list(csv.reader(io.StringIO(res.text, newline="")))


def test_the_export_is_a_csv_attachment_named_notes_csv(testapp, podium_engine):
    add_note(podium_engine, "Only")
    res = testapp.get(URL)
    assert res.status_int == 200
    assert res.content_type == "text/csv" and res.charset == "utf-8"
    assert res.headers["Content-Disposition"] == 'attachment; filename="notes.csv"'
    assert res.body.startswith(b"id,title,body,created_at,updated_at\r\n")
    assert podium_engine.pool.checkedout() == 0  # the streaming connection went back


def test_every_note_newest_first_with_its_values(testapp, podium_engine):
    first = add_note(podium_engine, "Groceries", "eggs\nmilk", minutes=0, edited_minutes=90)
    second = add_note(podium_engine, "Café, “quoted” and \"double\"", "a,b;c", minutes=30)
    third = add_note(podium_engine, "Latest", "", minutes=60)
    rows = parse(testapp.get(URL))
    assert rows == [
        HEADER,
        [str(third), "Latest", "", "2024-01-01T01:00:00+00:00", "2024-01-01T01:00:00+00:00"],
        [str(second), "Café, “quoted” and \"double\"", "a,b;c",
         "2024-01-01T00:30:00+00:00", "2024-01-01T00:30:00+00:00"],
        [str(first), "Groceries", "eggs\nmilk",
         "2024-01-01T00:00:00+00:00", "2024-01-01T01:30:00+00:00"],
    ]


def test_notes_written_at_the_same_instant_are_ordered_by_newest_id(testapp, podium_engine):
    ids = [add_note(podium_engine, f"Same {n}") for n in range(3)]
    assert [row[0] for row in parse(testapp.get(URL))[1:]] == [str(i) for i in reversed(ids)]


@pytest.mark.parametrize(
    ("title", "exported"),
    [
        ("=1+1", "'=1+1"),
        ("+SUM(A1:A2)", "'+SUM(A1:A2)"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("=cmd|' /C calc'!A0", "'=cmd|' /C calc'!A0"),
        ("1+1=2", "1+1=2"),  # only a leading sign makes a formula
    ],
)
def test_formula_like_cells_are_neutralised(testapp, podium_engine, title, exported):
    add_note(podium_engine, title, body=title)
    [_, row] = parse(testapp.get(URL))
    assert row[1:3] == [exported, exported]


def test_an_empty_export_is_just_the_header(testapp, podium_engine):
    assert count(podium_engine) == 0
    res = testapp.get(URL)
    assert res.body == b"id,title,body,created_at,updated_at\r\n"
    assert parse(res) == [HEADER]
    assert res.headers["Content-Disposition"] == 'attachment; filename="notes.csv"'


def test_a_large_export_is_complete_and_in_order(testapp, podium_engine):
    # Bigger than one chunk of the renderer (64 KiB): several chunks, nothing lost.
    values = [{"title": f"Note {i}", "body": "x" * 500,
               "created_at": START + datetime.timedelta(minutes=i),
               "updated_at": START + datetime.timedelta(minutes=i)} for i in range(300)]
    with podium_engine.begin() as conn:
        conn.execute(insert(notes_table), values)
    res = testapp.get(URL)
    assert len(res.body) > 64 * 1024
    rows = parse(res)
    assert [row[1] for row in rows[1:]] == [f"Note {i}" for i in range(299, -1, -1)]
    assert podium_engine.pool.checkedout() == 0


def test_head_answers_with_the_headers_and_no_body(testapp, podium_engine):
    add_note(podium_engine, "Only")
    res = testapp.head(URL)
    assert res.status_int == 200 and res.body == b""
    assert res.content_type == "text/csv"
    assert res.headers["Content-Disposition"] == 'attachment; filename="notes.csv"'
    assert podium_engine.pool.checkedout() == 0


@pytest.mark.parametrize("method", ["post", "put", "delete", "patch"])
def test_other_methods_are_405_with_allow_and_change_nothing(testapp, podium_engine, method):
    add_note(podium_engine, "Keep me")
    res = getattr(testapp, method)(URL, status=405)
    assert res.headers["Allow"] == "GET, HEAD"
    assert count(podium_engine) == 1


def test_the_notes_list_links_to_the_export(testapp, podium_engine):
    add_note(podium_engine, "Linked")
    listing = testapp.get("/notes/")
    link = listing.html.select_one(".notes-heading a.notes-export")
    assert link["href"] == "http://localhost/notes/export.csv"
    res = listing.click("Export CSV")
    assert res.content_type == "text/csv"
    assert parse(res)[1][1] == "Linked"
    # Also on an empty list: the export is then just the header.
    assert testapp.get("/notes/").html.select_one("a.notes-export") is not None


def test_the_export_is_an_editors_by_default(podium_app, logged_in_app, podium_engine):
    add_note(podium_engine, "Private enough")
    anonymous = PodiumTestApp(podium_app, extra_environ={"HTTP_HOST": "localhost"})
    assert anonymous.get(URL, status=303).location.startswith("http://localhost/login?next=")
    plain = logged_in_app(login="plain")
    res = plain.get(URL, status=403)
    assert "notes.export" in res.text
    assert plain.get("/notes/").html.select_one("a.notes-export") is None
