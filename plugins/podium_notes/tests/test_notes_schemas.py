"""The validation rules the form and the API share, without a web request."""

from __future__ import annotations

import datetime
import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st

from podium_notes.models import Note, UTCDateTime
from podium_notes.schemas import (
    MAX_PER_PAGE,
    PageRequest,
    ValidationError,
    clean_title,
    parse_page_request,
    validate_note,
)


@given(st.text(max_size=300))
def test_a_title_is_accepted_only_in_the_shape_the_database_holds(value: str) -> None:
    try:
        title = clean_title(value)
    except ValueError:
        return
    assert title == value.strip()
    assert 1 <= len(title) <= 200
    assert not any(unicodedata.category(ch) == "Cc" for ch in title)  # NUL, newlines, tabs


def test_validate_note_fills_a_missing_body_unless_partial() -> None:
    assert validate_note({"title": "t"}) == {"title": "t", "body": ""}
    assert validate_note({"title": "t"}, partial=True) == {"title": "t"}
    assert validate_note({}, partial=True) == {}


def test_a_form_may_carry_extra_fields_an_api_call_may_not() -> None:
    form = {"title": "t", "body": "b", "csrf_token": "abc"}
    assert validate_note(form, ignore_unknown=True) == {"title": "t", "body": "b"}
    with pytest.raises(ValidationError) as raised:
        validate_note(form)
    assert set(raised.value.fields) == {"csrf_token"}


@given(st.integers(min_value=1, max_value=10**6), st.integers(min_value=1, max_value=MAX_PER_PAGE))
def test_valid_pagination_round_trips(page: int, per_page: int) -> None:
    request = parse_page_request({"page": str(page), "per_page": str(per_page)})
    assert request == PageRequest(page, per_page)
    assert request.offset == (page - 1) * per_page


@pytest.mark.parametrize("value", ["+5", " ", "1e3", "٣", "0x10", "5 5"])
def test_pagination_takes_plain_ascii_digits_only(value: str) -> None:
    with pytest.raises(ValidationError) as raised:
        parse_page_request({"page": value})
    assert set(raised.value.fields) == {"page"}


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
