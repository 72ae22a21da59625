"""The note's schemas, without a web request: what the validators accept
is what the OpenAPI document says they accept."""

from __future__ import annotations

import datetime
import re
import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError

from podium_notes.models import Note, UTCDateTime
from podium_notes.schemas import (
    BODY_MAX_LENGTH,
    TITLE_PATTERN,
    NoteInput,
    NotePatch,
    clean_body,
    clean_title,
)

#: The document's rules for a title, read as JSON Schema reads them: the
#: pattern matches the whole text (``$`` is the end, not "before a final
#: newline" as in Python) and at most 200 characters.
_DOCUMENTED = re.compile(TITLE_PATTERN.removeprefix("^").removesuffix("$"))

#: Text near the edges: blanks, control characters, what JSON Schema and
#: Python disagree on (U+FEFF, U+0085, U+001C).
_EDGY = st.text(alphabet=st.sampled_from(
    " \t\n\r\x00\x1c\x1f\x7f\x85\x9f\xa0\u1680\u2000\u200a\u200b\u2028\u202f"
    "\u205f\u3000\ufeffaé😀"), max_size=8)


def _accepted(value: str) -> bool:
    try:
        clean_title(value)
    except ValueError:
        return False
    return True


@given(st.one_of(_EDGY, st.text(max_size=300)))
def test_a_title_is_accepted_exactly_when_the_document_says(value: str) -> None:
    documented = len(value) <= 200 and _DOCUMENTED.fullmatch(value) is not None
    assert _accepted(value) == documented, repr(value)


@given(st.one_of(_EDGY, st.text(max_size=300)))
def test_an_accepted_title_is_what_the_database_holds(value: str) -> None:
    if not _accepted(value):
        return
    title = clean_title(value)
    assert title and title == title.strip() and len(title) <= 200
    assert not any(unicodedata.category(ch) == "Cc" for ch in title)  # NUL, newlines, tabs


@pytest.mark.parametrize(("sent", "stored"), [("a\r\nb\rc", "a\nb\nc"), ("", "")])
def test_a_body_keeps_its_text_with_line_ends_normalized(sent: str, stored: str) -> None:
    assert clean_body(sent) == stored
    with pytest.raises(ValueError, match="NUL"):
        clean_body("a\x00b")
    with pytest.raises(ValueError, match="At most"):
        clean_body("x" * (BODY_MAX_LENGTH + 1))


def test_a_new_note_has_an_empty_body_and_a_patch_only_what_was_sent() -> None:
    assert NoteInput.model_validate({"title": "t"}).model_dump() == {"title": "t", "body": ""}
    patch = NotePatch.model_validate({"body": "b"})
    assert patch.model_fields_set == {"body"}
    assert NotePatch.model_validate({}).model_fields_set == set()


def test_unknown_and_null_fields_are_refused() -> None:
    with pytest.raises(ValidationError) as raised:
        NoteInput.model_validate({"title": "t", "csrf_token": "abc"})
    assert [e["loc"] for e in raised.value.errors()] == [("csrf_token",)]
    with pytest.raises(ValidationError):
        NotePatch.model_validate({"title": None})


def test_stored_datetimes_come_back_in_utc_whatever_the_connection_zone() -> None:
    kind = UTCDateTime()
    paris = datetime.timezone(datetime.timedelta(hours=2))
    value = datetime.datetime(2024, 6, 1, 14, 0, tzinfo=paris)
    back = kind.process_result_value(value, dialect=None)  # type: ignore[arg-type]
    assert back == value and back.tzinfo == datetime.UTC
    naive = kind.process_result_value(datetime.datetime(2024, 6, 1, 12), dialect=None)  # type: ignore[arg-type]
    assert naive == value
    with pytest.raises(ValueError):
        kind.process_bind_param(datetime.datetime(2024, 6, 1, 12), dialect=None)  # type: ignore[arg-type]


def test_update_touches_updated_at_only_when_something_changed() -> None:
    created = datetime.datetime(2024, 1, 1, tzinfo=datetime.UTC)
    later = created + datetime.timedelta(hours=1)
    note = Note("t", "b", now=created)
    assert not note.update({"title": "t", "body": "b"}, now=later)
    assert note.updated_at == created and not note.edited
    assert note.update({"body": "c"}, now=later)
    assert note.updated_at == later and note.edited
