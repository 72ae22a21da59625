"""``podium notes import`` and ``export``, run as a user runs them.

Each test gets a SQLite file of its own, migrated by ``podium db upgrade``;
what the commands wrote is checked on the stored rows with SQLAlchemy, not
only on their output.
"""

from __future__ import annotations

import datetime
import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine, select

from podium_notes.models import Note

ROOT = Path(__file__).resolve().parents[2]
PODIUM = str(Path(sys.executable).with_name("podium"))

notes_table = Note.__table__


def podium(*args: str, database_url: str, stdin: str | None = None,
           **env: str) -> subprocess.CompletedProcess:
    # Only notes: the tests must not depend on what other installed plugins do.
    environ = {**os.environ, "PODIUM_DATABASE_URL": database_url, "PODIUM_PLUGINS": "notes",
               **env}
    return subprocess.run([PODIUM, *args], capture_output=True, text=True, env=environ,
                          cwd=ROOT, timeout=120, input=stdin)


def error_lines(result: subprocess.CompletedProcess) -> list[str]:
    """stderr, without the core's warning about some other installed plugin
    whose commands cannot be imported (not this plugin's business)."""
    return [line for line in result.stderr.splitlines()
            if "cannot be imported for its commands" not in line]


def import_notes(path: Path, *options: str, database_url: str) -> subprocess.CompletedProcess:
    return podium("notes", "import", "development.ini", str(path), *options,
                  database_url=database_url)


@pytest.fixture(scope="module")
def migrated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A database brought up to date once by ``podium db upgrade``; each test
    works on a copy of it (a migration costs a second)."""
    path = tmp_path_factory.mktemp("migrated") / "notes.sqlite"
    result = podium("db", "upgrade", "development.ini", database_url=f"sqlite:///{path}")
    assert result.returncode == 0, result.stderr
    return path


@pytest.fixture
def database_url(tmp_path: Path, migrated: Path) -> str:
    path = tmp_path / "notes.sqlite"
    shutil.copyfile(migrated, path)
    return f"sqlite:///{path}"


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    engine = create_engine(database_url)
    yield engine
    engine.dispose()


def stored(engine: Engine) -> list[dict]:
    """Every stored note, in the order they were inserted."""
    with engine.connect() as conn:
        rows = conn.execute(select(notes_table).order_by(notes_table.c.id))
        return [dict(row._mapping) for row in rows]


def utc(text: str) -> datetime.datetime:
    """A stored timestamp as an aware UTC datetime (SQLite gives naive values)."""
    value = datetime.datetime.fromisoformat(str(text))
    return value.replace(tzinfo=datetime.UTC) if value.tzinfo is None else value


# -- importing ------------------------------------------------------------------------------


def test_a_json_file_is_imported(tmp_path, database_url, engine):
    path = tmp_path / "notes.json"
    path.write_text(json.dumps([
        {"title": "Shopping", "body": "milk\neggs"},
        {"title": "  Ideas  "},
        {"title": "Old", "body": "from 2020", "created_at": "2020-02-03T04:05:06+02:00"},
    ], indent=2), encoding="utf-8")

    result = import_notes(path, database_url=database_url)

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "imported 3 notes, 0 rows refused"
    assert "Importing notes" in result.stderr  # the progress bar's label, on stderr
    rows = stored(engine)
    assert [(r["title"], r["body"]) for r in rows] == [
        ("Shopping", "milk\neggs"), ("Ideas", ""), ("Old", "from 2020")]
    assert utc(rows[2]["created_at"]) == datetime.datetime(2020, 2, 3, 2, 5, 6,
                                                           tzinfo=datetime.UTC)
    assert rows[2]["updated_at"] == rows[2]["created_at"]


def test_bad_csv_rows_are_reported_with_their_line_and_the_good_ones_kept(
        tmp_path, database_url, engine):
    path = tmp_path / "notes.csv"
    path.write_bytes(
        b"title,body,created_at\r\n"                      # line 1
        b'First,"a body\r\non two lines",\r\n'            # lines 2-3
        b",no title,\r\n"                                 # line 4: refused
        b"Second,plain,2024-01-02T03:04:05Z\r\n"          # line 5
        b"\r\n"                                           # line 6: blank, skipped
        b"Third,one,too,many\r\n"                         # line 7: refused
        b"Fourth,,yesterday\r\n"                          # line 8: refused
        + b"Long," + b"x" * 100_001 + b",\r\n"            # line 9: refused
        + b"Fifth,last,\r\n"                              # line 10
    )

    result = import_notes(path, database_url=database_url)

    assert result.returncode == 3, result.stderr  # some refused, the others imported
    assert result.stdout.strip() == "imported 3 notes, 4 rows refused"
    refusals = [line for line in error_lines(result) if line.startswith(str(path))]
    assert refusals == [
        f"{path}:4: title: A title is required",
        f"{path}:7: 4 fields, the header has 3 (title, body, created_at); "
        "quote fields that contain commas",
        f"{path}:8: created_at: Must be an ISO 8601 date and time with its offset, "
        "like 2024-05-01T09:30:00+00:00",
        f"{path}:9: body: At most 100000 characters (this one has 100001)",
    ]
    rows = stored(engine)
    assert [(r["title"], r["body"]) for r in rows] == [
        ("First", "a body\non two lines"), ("Second", "plain"), ("Fifth", "last")]
    assert utc(rows[1]["created_at"]) == datetime.datetime(2024, 1, 2, 3, 4, 5,
                                                           tzinfo=datetime.UTC)


def test_bad_json_items_are_reported_with_their_index_and_line(tmp_path, database_url, engine):
    path = tmp_path / "notes.json"
    path.write_text(
        '[\n'
        '  {"title": "Good"},\n'
        '  {"title": ""},\n'
        '  "just a string",\n'
        '  {\n'
        '    "title": "Typo",\n'
        '    "bdy": "oops"\n'
        '  }\n'
        ']\n', encoding="utf-8")

    result = import_notes(path, database_url=database_url)

    assert result.returncode == 3
    assert result.stdout.strip() == "imported 1 note, 3 rows refused"
    assert [line for line in error_lines(result) if line.startswith(str(path))] == [
        f"{path}:3: item [1]: title: A title is required",
        f"{path}:4: item [2]: expected an object with title, body, created_at, updated_at; "
        "found a string",
        f"{path}:5: item [3]: bdy: Unknown field: a note has title, body, created_at, "
        "updated_at",
    ]
    assert [r["title"] for r in stored(engine)] == ["Good"]


def test_strict_imports_nothing_when_a_row_is_refused(tmp_path, database_url, engine):
    path = tmp_path / "notes.csv"
    path.write_text("title,body\nGood,one\n,bad\n", encoding="utf-8")

    result = import_notes(path, "--strict", database_url=database_url)

    assert result.returncode == 1
    assert error_lines(result) == [
        f"{path}:3: title: A title is required",
        "Error: 1 row refused (listed above); nothing imported (--strict)",
    ]
    assert stored(engine) == []


def test_a_dry_run_writes_nothing(tmp_path, database_url, engine):
    path = tmp_path / "notes.csv"
    path.write_text("title,body\nOne,1\nTwo,2\n,refused\n", encoding="utf-8")

    result = import_notes(path, "--dry-run", database_url=database_url)

    assert result.returncode == 3
    assert result.stdout.strip() == "dry run: would import 2 notes, 1 row refused; nothing written"
    assert f"{path}:4: title: A title is required" in result.stderr
    assert stored(engine) == []


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("broken.json", '[{"title": "a"},\n {"title": "b" "body": "c"}]',
         "not valid JSON: Expecting ',' delimiter at line 2 column 16"),
        ("object.json", '{"title": "a"}', "the JSON document is an object; expected a list"),
        ("noheader.csv", "Shopping,milk\nIdeas,\n",
         "line 1: the first row must be a header naming the columns"),
        ("badcolumn.csv", "title,text\nShopping,milk\n", "unknown column 'text' in the header"),
        ("unclosed.csv", 'title,body\nGood,one\nBad,"never closed\nMore,two\n',
         "line 3: not valid CSV: unexpected end of data"),
        ("latin1.csv", b"title,body\nCaf\xe9,au lait\n", "line 2 is not UTF-8 text"),
        ("missing.json", None, "cannot read"),
        ("notes.txt", "title\nx\n", "use --format json or --format csv"),
    ],
)
def test_a_file_that_cannot_be_read_writes_nothing_and_says_why_in_one_line(
        tmp_path, database_url, engine, name, content, message):
    path = tmp_path / name
    if isinstance(content, bytes):
        path.write_bytes(content)
    elif content is not None:
        path.write_text(content, encoding="utf-8")

    result = import_notes(path, database_url=database_url)

    assert result.returncode == 1
    [line] = error_lines(result)
    assert line.startswith(f"Error: {path}") or line.startswith(f"Error: cannot read {path}")
    assert message in line and line.endswith("nothing imported")
    assert result.stdout == ""
    assert stored(engine) == []


def test_the_format_option_wins_over_the_extension_and_stdin_works(database_url, engine):
    result = podium("notes", "import", "development.ini", "-", "--format", "csv",
                    database_url=database_url, stdin="title\nFrom stdin\n")
    assert result.returncode == 0, result.stderr
    assert [r["title"] for r in stored(engine)] == ["From stdin"]


def test_an_unmigrated_database_is_one_error_and_nothing_written(tmp_path):
    path = tmp_path / "notes.json"
    path.write_text('[{"title": "a"}]', encoding="utf-8")
    url = f"sqlite:///{tmp_path / 'empty.sqlite'}"
    result = import_notes(path, database_url=url)
    assert result.returncode == 1
    [line] = [line for line in error_lines(result) if line.startswith("Error:")]
    assert "no such table: notes_note" in line and "podium db upgrade development.ini" in line
    assert "Traceback" not in result.stderr


def test_a_platform_without_the_notes_plugin_is_refused(tmp_path, database_url):
    path = tmp_path / "notes.json"
    path.write_text('[{"title": "a"}]', encoding="utf-8")
    result = podium("notes", "import", "development.ini", str(path),
                    database_url=database_url, PODIUM_PLUGINS="")
    assert result.returncode == 1
    assert error_lines(result)[-1] == (
        "Error: the notes plugin is not enabled in development.ini: add notes to podium.plugins")


# -- exporting ------------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["json", "csv"])
def test_an_export_imports_into_another_platform_unchanged(tmp_path, migrated, database_url,
                                                           engine, fmt):
    source = tmp_path / "source.json"
    source.write_text(json.dumps([
        {"title": "Plain"},
        {"title": "Tricky, \"quoted\"", "body": "commas, quotes \" and\nline breaks\n",
         "created_at": "2021-06-01T12:00:00+00:00", "updated_at": "2022-06-01T12:00:00+00:00"},
        {"title": "Ünïcödé ✓", "body": "日本語"},
    ]), encoding="utf-8")
    assert import_notes(source, database_url=database_url).returncode == 0

    exported = tmp_path / f"export.{fmt}"
    result = podium("notes", "export", "development.ini", "--format", fmt,
                    "--output", str(exported), database_url=database_url)
    assert result.returncode == 0, result.stderr
    assert "exported 3 notes" in result.stderr

    shutil.copyfile(migrated, tmp_path / "other.sqlite")
    other_url = f"sqlite:///{tmp_path / 'other.sqlite'}"
    result = import_notes(exported, database_url=other_url)
    assert result.returncode == 0, result.stderr

    other = create_engine(other_url)
    try:
        copied = stored(other)
    finally:
        other.dispose()

    def comparable(rows: list[dict]) -> list[tuple]:
        return [(r["title"], r["body"], utc(r["created_at"]), utc(r["updated_at"]))
                for r in rows]

    assert comparable(copied) == comparable(stored(engine))


def test_export_writes_to_stdout_by_default(tmp_path, database_url):
    source = tmp_path / "source.csv"
    source.write_text("title,body\nOne,1\n", encoding="utf-8")
    assert import_notes(source, database_url=database_url).returncode == 0
    result = podium("notes", "export", "development.ini", database_url=database_url)
    assert result.returncode == 0, result.stderr
    [note] = json.loads(result.stdout)
    assert (note["title"], note["body"]) == ("One", "1")
    assert set(note) == {"title", "body", "created_at", "updated_at"}


# -- discoverability ------------------------------------------------------------------------


def test_podium_help_lists_the_notes_commands(database_url):
    result = podium("--help", database_url=database_url)
    assert result.returncode == 0, result.stderr
    [line] = [line for line in result.stdout.splitlines() if line.strip().startswith("notes ")]
    assert "import notes from JSON or CSV" in line
    result = podium("notes", "--help", database_url=database_url)
    commands = result.stdout.split("Commands:")[1].split()
    assert "import" in commands and "export" in commands
