"""Validation shared by the HTML forms and the JSON API.

Plain functions and dataclasses, no schema library: a note has two fields,
and both front ends must accept and refuse exactly the same values, so they
call the same functions and differ only in how they show the errors (beside
the form fields, or as ``fields`` in a JSON 400).

The rules also keep the two databases in agreement: PostgreSQL refuses NUL
characters in text that SQLite would store, and ``String(200)`` is only a
hint to SQLite, so both limits are checked here rather than left to the
backend.
"""

from __future__ import annotations

import datetime
import json
import re
import unicodedata
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from typing import Any

from .models import TITLE_MAX_LENGTH

#: The fields a client may set.
FIELDS = ("title", "body")
#: Fields of the JSON representation that the server owns.
READ_ONLY_FIELDS = ("id", "created_at", "updated_at", "url")
#: A note is short; this bounds what one request can make us store.
BODY_MAX_LENGTH = 100_000

#: The defaults of the settings ``notes.page_size`` and ``notes.max_per_page``
#: (see :mod:`podium_notes.settings`), which the views pass in.
DEFAULT_PER_PAGE = 20
MAX_PER_PAGE = 100

_WHOLE_NUMBER = re.compile(r"[0-9]+")


class ValidationError(Exception):
    """Input that cannot be accepted: a message, and one message per field."""

    def __init__(self, fields: Mapping[str, str] | None = None, message: str | None = None):
        self.fields: dict[str, str] = dict(fields or {})
        self.message = message or "The note was not saved: correct the fields listed."
        super().__init__(self.message)


class FieldError(ValueError):
    """Raised by a field cleaner; the message is shown beside the field."""


def _storable(text: str) -> None:
    """JSON's ``\\ud800`` escapes give strings with lone surrogates, which are
    not characters: no database driver can encode them, so refuse them here."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise FieldError(
            f"Must be valid Unicode text: {exc.object[exc.start]!a} is a lone UTF-16 "
            "surrogate, not a character."
        ) from None


def clean_title(value: object) -> str:
    """A title is one line of 1 to 200 characters, surrounding blanks dropped."""
    if not isinstance(value, str):
        raise FieldError("Must be a string.")
    _storable(value)
    title = value.strip()
    if not title:
        raise FieldError("A title is required.")
    if len(title) > TITLE_MAX_LENGTH:
        raise FieldError(f"At most {TITLE_MAX_LENGTH} characters (this one has {len(title)}).")
    if any(unicodedata.category(char) == "Cc" for char in title):
        raise FieldError("Must be a single line without control characters.")
    return title


def clean_body(value: object) -> str:
    """Any text up to ``BODY_MAX_LENGTH``; line ends normalized to ``\\n`` so
    that a textarea (which sends CRLF) and an API client store the same."""
    if not isinstance(value, str):
        raise FieldError("Must be a string.")
    _storable(value)
    body = value.replace("\r\n", "\n").replace("\r", "\n")
    if "\x00" in body:
        raise FieldError("Must not contain NUL characters.")
    if len(body) > BODY_MAX_LENGTH:
        raise FieldError(f"At most {BODY_MAX_LENGTH} characters (this one has {len(body)}).")
    return body


_CLEANERS = {"title": clean_title, "body": clean_body}


def validate_note(
    data: Mapping[str, Any],
    *,
    partial: bool = False,
    ignore_unknown: bool = False,
    extra_fields: Collection[str] = (),
) -> dict[str, str]:
    """The cleaned values of ``data``, or ``ValidationError`` listing every problem.

    ``partial`` (PATCH) validates only the fields present; otherwise the title
    is required and a missing body means an empty one.  Unknown fields are an
    error unless ``ignore_unknown`` (a form also posts its CSRF token and
    its button): a typo in an API call should not be silently dropped.
    ``extra_fields`` are the fields other plugins read (hook
    ``notes_extra_fields``): accepted here, checked by those plugins, and not
    part of the cleaned values.
    """
    errors: dict[str, str] = {}
    if not ignore_unknown:
        for name in data:
            if name in READ_ONLY_FIELDS:
                errors[name] = "Read-only: set by the server."
            elif name not in _CLEANERS and name not in extra_fields:
                errors[name] = "Unknown field: a note has a title and a body."
    cleaned: dict[str, str] = {}
    for name, clean in _CLEANERS.items():
        if name in data:
            value = data[name]
        elif partial:
            continue
        elif name == "title":
            errors[name] = "A title is required."
            continue
        else:
            value = ""
        try:
            cleaned[name] = clean(value)
        except FieldError as exc:
            errors[name] = str(exc)
    if errors:
        raise ValidationError(errors)
    return cleaned


def load_json_object(raw: bytes) -> dict[str, Any]:
    """Parse a request body that must be one JSON object."""
    try:
        data = json.loads(raw)
    except (ValueError, RecursionError) as exc:  # JSONDecodeError, UnicodeDecodeError
        raise ValidationError(message=f"The request body is not valid JSON ({exc}).") from exc
    if not isinstance(data, dict):
        raise ValidationError(
            message='The request body must be a JSON object, like {"title": "...", "body": "..."}.'
        )
    return data


@dataclass(frozen=True)
class PageRequest:
    """Which slice of a list a client asked for (pages count from 1)."""

    page: int = 1
    per_page: int = DEFAULT_PER_PAGE

    @property
    def offset(self) -> int:
        return (self.page - 1) * self.per_page


def _whole_number(value: str) -> int | None:
    """ASCII digits only: ``int()`` would also take "+5", "1_000" and non-ASCII digits."""
    value = value.strip()
    if not _WHOLE_NUMBER.fullmatch(value):
        return None
    try:
        return int(value)
    except ValueError:  # beyond Python's limit on digits converted
        return None


def parse_page_request(
    params: Mapping[str, str],
    *,
    default_per_page: int = DEFAULT_PER_PAGE,
    max_per_page: int = MAX_PER_PAGE,
) -> PageRequest:
    """Read ``page`` and ``per_page`` (1 to ``max_per_page``) from query parameters.

    Refused rather than clamped when out of range: a client asking for 500
    items and silently getting 100 would believe it has them all.
    """
    errors: dict[str, str] = {}
    page = 1
    per_page = default_per_page
    if "page" in params:
        number = _whole_number(params["page"])
        if number is None or number < 1:
            errors["page"] = "Must be a whole number, 1 or more."
        else:
            page = number
    if "per_page" in params:
        number = _whole_number(params["per_page"])
        if number is None or not 1 <= number <= max_per_page:
            errors["per_page"] = f"Must be a whole number from 1 to {max_per_page}."
        else:
            per_page = number
    if errors:
        raise ValidationError(errors, "Invalid pagination parameters.")
    return PageRequest(page, per_page)


# -- importing notes from a file (podium notes import) ----------------------------------

#: The fields an imported note may carry: what a client sets, plus the
#: timestamps of notes written elsewhere (``podium notes export`` writes them).
IMPORT_FIELDS = ("title", "body", "created_at", "updated_at")
TIMESTAMP_FIELDS = ("created_at", "updated_at")


def clean_timestamp(value: object) -> datetime.datetime:
    """An ISO 8601 date and time *with* its offset, as an aware UTC datetime.

    A time without an offset is refused, as the model refuses naive datetimes:
    guessing its zone would shift the note by some hours without a word."""
    if not isinstance(value, str):
        raise FieldError("Must be a string.")
    try:
        moment = datetime.datetime.fromisoformat(value.strip())
    except ValueError:
        moment = None
    if moment is None or moment.tzinfo is None:
        raise FieldError(
            "Must be an ISO 8601 date and time with its offset, like 2024-05-01T09:30:00+00:00."
        )
    try:
        return moment.astimezone(datetime.UTC)
    except OverflowError:  # 0001-01-01T00:00:00+01:00 is before year 1 in UTC
        raise FieldError("Out of the range of dates a note can have.") from None


def validate_imported_note(data: Mapping[str, Any]) -> dict[str, Any]:
    """The cleaned values of one imported note, or ``ValidationError`` listing
    every problem.

    The title and body follow exactly the rules of the form and the API
    (:func:`validate_note`); ``created_at`` and ``updated_at`` are optional
    (a note without them is dated at the import), and ``updated_at`` only
    comes with a ``created_at`` it does not precede.  Any other field is an
    error: a misspelt column must not drop data silently.
    """
    errors: dict[str, str] = {}
    try:
        cleaned: dict[str, Any] = validate_note(
            {k: v for k, v in data.items() if k not in TIMESTAMP_FIELDS}
        )
    except ValidationError as exc:
        errors.update(exc.fields)
        cleaned = {}
    for name in errors:
        if name not in IMPORT_FIELDS and name not in READ_ONLY_FIELDS:
            errors[name] = "Unknown field: a note has " + ", ".join(IMPORT_FIELDS) + "."
    for name in TIMESTAMP_FIELDS:
        if name in data:
            try:
                cleaned[name] = clean_timestamp(data[name])
            except FieldError as exc:
                errors[name] = str(exc)
    if "updated_at" in cleaned:
        if "created_at" not in data:
            errors["updated_at"] = "Only with a created_at."
        elif "created_at" in cleaned and cleaned["updated_at"] < cleaned["created_at"]:
            errors["updated_at"] = "Must not be before created_at."
    if errors:
        raise ValidationError(errors, "The note was not imported.")
    return cleaned
