"""Reading and writing import/export files, and validating imported notes,
without a database or a command line."""

from __future__ import annotations

import datetime
import io
import json
from dataclasses import dataclass

import pytest
from hypothesis import given
from hypothesis import strategies as st

from podium.api import InvalidInput
from podium_notes.schemas import (
    clean_body,
    clean_timestamp,
    clean_title,
    validate_imported_note,
)
from podium_notes.settings import Limits, limits_from
from podium_notes.transfer import (
    FileFormatError,
    format_of,
    read_records,
    write_csv,
    write_json,
)


@dataclass
class FakeNote:
    title: str
    body: str
    created_at: datetime.datetime
    updated_at: datetime.datetime


# -- where each record is -------------------------------------------------------------------


def test_csv_records_carry_the_physical_line_they_start_on() -> None:
    text = (
        "title,body\r\n"
        'One,"two\r\nlines"\r\n'  # lines 2-3
        "\r\n"                     # line 4, blank
        'Three,"a\nb\nc"\n'        # lines 5-7
        "Four,x\r"                 # line 8 (a lone CR ends a line too)
        "Five,y"                   # line 9, no final line break
    )
    records = read_records(text.encode(), "csv")
    assert [(r.line, r.data["title"]) for r in records] == [
        (2, "One"), (5, "Three"), (8, "Four"), (9, "Five")]
    assert records[0].data["body"] == "two\r\nlines"  # normalized by clean_body, not here


def test_json_records_carry_their_index_and_line() -> None:
    text = '[{"title": "a"},\n\n  {"title":\n "b"}, 3,\n{}\n]'
    records = read_records(text.encode(), "json")
    assert [(r.index, r.line) for r in records] == [(0, 1), (1, 3), (2, 4), (3, 5)]
    assert records[2].problem == (
        "expected an object with title, body, created_at, updated_at; found a number")
    assert records[1].where == "3: item [1]"


def test_a_byte_order_mark_is_not_part_of_the_first_column() -> None:
    [record] = read_records("\ufefftitle,body\nA,b\n".encode(), "csv")
    assert record.data == {"title": "A", "body": "b"}


def test_csv_columns_may_come_in_any_order_and_case_and_empty_dates_are_absent() -> None:
    [record] = read_records(b" Body ,TITLE,created_at\nb,A,\n", "csv")
    assert record.data == {"body": "b", "title": "A"}


@pytest.mark.parametrize(
    ("raw", "fmt", "message"),
    [
        (b"", "csv", "the file is empty"),
        (b"\n\n", "csv", "the file is empty"),
        (b"name,body\nx,y\n", "csv", "line 1: the first row must be a header"),
        (b"title,title\nx,y\n", "csv", "column title appears twice"),
        (b"title,id\nx,1\n", "csv", "unknown column 'id'"),
        (b'title\n"x\n', "csv", "line 2: not valid CSV"),
        (b"", "json", "not valid JSON"),
        (b"[1,]", "json", "not valid JSON"),
        (b"null", "json", "the JSON document is null"),
        (b"[" * 100_000, "json", "not valid JSON"),
        (b'["\xe9"]', "json", "line 1 is not UTF-8"),
    ],
)
def test_a_file_that_cannot_be_read_as_a_whole_is_one_error(raw, fmt, message) -> None:
    with pytest.raises(FileFormatError, match=message):
        read_records(raw, fmt)


def test_the_format_comes_from_the_option_or_the_extension() -> None:
    assert format_of("notes.JSON", None) == "json"
    assert format_of("notes.json", "csv") == "csv"
    assert format_of("-", "json") == "json"
    with pytest.raises(FileFormatError, match="--format"):
        format_of("notes", None)


# -- validation -----------------------------------------------------------------------------


def test_an_imported_note_follows_the_rules_of_the_form_and_the_api() -> None:
    assert validate_imported_note({"title": " A ", "body": "x\r\ny"}) == {
        "title": "A", "body": "x\ny"}
    with pytest.raises(InvalidInput) as raised:
        validate_imported_note({"title": "", "body": 3, "id": 1, "colour": "red"})
    assert raised.value.fields == {
        "title": "A title is required.",
        "body": "Must be a string.",
        "id": "Read-only: set by the server.",
        "colour": "Unknown field: a note has title, body, created_at, updated_at.",
    }


def test_imported_timestamps() -> None:
    created = datetime.datetime(2024, 5, 1, 7, 30, tzinfo=datetime.UTC)
    assert validate_imported_note(
        {"title": "t", "created_at": "2024-05-01T09:30:00+02:00",
         "updated_at": "2024-05-01T07:30:00Z"}
    ) == {"title": "t", "body": "", "created_at": created, "updated_at": created}
    for data, field, message in [
        ({"created_at": "2024-05-01T09:30:00"}, "created_at", "with its offset"),
        ({"created_at": "yesterday"}, "created_at", "ISO 8601"),
        ({"created_at": 1714550400}, "created_at", "Must be a string"),
        ({"created_at": "0001-01-01T00:00:00+01:00"}, "created_at", "Out of the range"),
        ({"updated_at": "2024-05-01T09:30:00Z"}, "updated_at", "Only with a created_at"),
        ({"created_at": "2024-05-02T00:00:00Z", "updated_at": "2024-05-01T00:00:00Z"},
         "updated_at", "Must not be before created_at"),
    ]:
        with pytest.raises(InvalidInput) as raised:
            validate_imported_note({"title": "t", **data})
        assert message in raised.value.fields[field], data
    assert clean_timestamp(" 2024-05-01T07:30:00+00:00 ") == created


# -- export, then import: the same notes ----------------------------------------------------


def _valid(title: str, body: str) -> bool:
    try:
        return clean_title(title) == title and clean_body(body) == body
    except ValueError:
        return False


moments = st.datetimes(
    min_value=datetime.datetime(1900, 1, 1), max_value=datetime.datetime(2100, 1, 1),
    timezones=st.just(datetime.UTC),
)
notes = st.lists(
    st.builds(
        lambda title, body, created, delta: FakeNote(title, body, created, created + delta),
        st.text(min_size=1, max_size=50),
        st.text(max_size=200),
        moments,
        st.timedeltas(min_value=datetime.timedelta(0), max_value=datetime.timedelta(days=900)),
    ).filter(lambda n: _valid(n.title, n.body)),
    max_size=5,
)


@pytest.mark.parametrize("fmt", ["json", "csv"])
@given(written=notes)
def test_what_export_writes_import_reads_back(fmt: str, written: list[FakeNote]) -> None:
    out = io.StringIO(newline="")
    count = (write_json if fmt == "json" else write_csv)(written, out)
    assert count == len(written)
    records = read_records(out.getvalue().encode(), fmt)
    assert [validate_imported_note(r.data) for r in records] == [
        {"title": n.title, "body": n.body, "created_at": n.created_at,
         "updated_at": n.updated_at}
        for n in written
    ]
    if fmt == "json":
        json.loads(out.getvalue())
        assert [r.line for r in records] == list(range(2, 2 + len(written)))


# -- settings -------------------------------------------------------------------------------


def test_limits_read_typed_settings_and_fall_back_to_the_defaults() -> None:
    assert limits_from({}) == Limits(20, 100)
    assert limits_from({"notes.page_size": 5, "notes.max_per_page": 10}) == Limits(5, 10)
    assert limits_from({"notes.page_size": "5"}) == Limits(5, 100)  # included by hand
    with pytest.raises(ValueError, match=r"notes\.page_size = 101 .* <= notes\.max_per_page"):
        limits_from({"notes.page_size": 101})
