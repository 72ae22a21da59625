"""What a note may be: pydantic models on Podium's JSON API layer, shared by
the API, the HTML forms and ``podium notes import``.

The rules keep the two databases in agreement: PostgreSQL refuses NUL
characters that SQLite would store, and ``String(200)`` is only a hint to
SQLite, so both limits are checked here rather than left to the backend.
Each rule is stated in the JSON Schema the OpenAPI document shows (lengths,
and one pattern written with explicit character ranges, which ECMA-262's,
Rust's and Python's regular expressions read alike), and the validators
below check exactly what it states.

Other plugins add input fields through the hook ``notes_extra_fields``; the
models the views use are composed from these and theirs by
:mod:`podium_notes.extensions`.
"""

from __future__ import annotations

import datetime
import unicodedata
from collections.abc import Callable, Mapping
from typing import Annotated, Any, ClassVar

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    PlainSerializer,
    ValidationError,
    ValidationInfo,
    WithJsonSchema,
    field_validator,
)
from pydantic.json_schema import JsonDict

from podium.api import ApiSchema, invalid_input

from .models import TITLE_MAX_LENGTH

#: The fields a client may set.
FIELDS = ("title", "body")
#: Fields of the JSON representation that the server owns.
READ_ONLY_FIELDS = ("id", "created_at", "updated_at", "url")
#: A note is short; this bounds what one request can make us store.
BODY_MAX_LENGTH = 100_000

#: Control characters (Unicode category Cc): a title is one line without them.
CONTROL = r"\x00-\x1f\x7f-\x9f"
#: The other blanks around a title, dropped: what ECMA-262 calls white space and
#: line terminators beyond the control characters (Python's ``str.isspace``
#: set, plus U+FEFF, which it leaves out).
BLANKS = r"\x20\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000\ufeff"
_BLANK_CHARS = frozenset(" \xa0\u1680\u2028\u2029\u202f\u205f\u3000\ufeff"
                         + "".join(map(chr, range(0x2000, 0x200b))))
#: A title: one line, with at least one character that is not a blank.
TITLE_PATTERN = f"^[^{CONTROL}]*[^{CONTROL}{BLANKS}][^{CONTROL}]*$"

REQUIRED = "A title is required."
NOT_A_STRING = "Must be a string."
READ_ONLY = "Read-only: set by the server."
UNKNOWN = "Unknown field: a note has a title and a body."


def clean_title(value: str) -> str:
    """A title is one line of at most 200 characters with something visible;
    the blanks around it are dropped."""
    if all(char in _BLANK_CHARS or unicodedata.category(char) == "Cc" for char in value):
        raise ValueError(REQUIRED)
    if any(unicodedata.category(char) == "Cc" for char in value):
        raise ValueError("Must be a single line without control characters.")
    if len(value) > TITLE_MAX_LENGTH:
        raise ValueError(f"At most {TITLE_MAX_LENGTH} characters (this one has {len(value)}).")
    return value.strip("".join(_BLANK_CHARS))


def clean_body(value: str) -> str:
    """Any text up to ``BODY_MAX_LENGTH`` characters as sent; line ends
    normalized to ``\\n`` so that a textarea (which sends CRLF) and an API
    client store the same."""
    if "\x00" in value:
        raise ValueError("Must not contain NUL characters.")
    if len(value) > BODY_MAX_LENGTH:
        raise ValueError(f"At most {BODY_MAX_LENGTH} characters (this one has {len(value)}).")
    return value.replace("\r\n", "\n").replace("\r", "\n")


def _stated(*, optional: bool = False, **rules: Any) -> Callable[[JsonDict], None]:
    """JSON Schema keywords the document states and a validator checks (not
    pydantic's own checks, whose messages and order would differ); an
    ``optional`` field's default (None, never stored) is left out."""

    def state(schema: JsonDict) -> None:
        schema.update(rules)
        if optional:
            schema.pop("default", None)

    return state


TITLE_DESCRIPTION = (f"One line, 1 to {TITLE_MAX_LENGTH} characters with something visible; "
                     "the blanks around it are dropped.")
BODY_DESCRIPTION = f"Any text up to {BODY_MAX_LENGTH} characters; line ends are stored as \\n."


def _title(optional: bool = False) -> Any:
    return Annotated[str, AfterValidator(clean_title), Field(
        description=TITLE_DESCRIPTION, examples=["Shopping list"],
        json_schema_extra=_stated(optional=optional, maxLength=TITLE_MAX_LENGTH,
                                  pattern=TITLE_PATTERN))]


def _body(optional: bool = False) -> Any:
    return Annotated[str, AfterValidator(clean_body), Field(
        description=BODY_DESCRIPTION, examples=["Milk\nBread"],
        json_schema_extra=_stated(optional=optional, maxLength=BODY_MAX_LENGTH))]


Title = _title()
Body = _body()
#: In a PATCH: a default that is never stored (only the fields sent are
#: applied); an explicit null is refused as "Must be a string."
OptionalTitle = _title(optional=True)
OptionalBody = _body(optional=True)


def unknown_field(schema: type[BaseModel]) -> str:
    """The message of an unknown field, naming the fields ``schema`` has
    (the notes' own and the plugins')."""
    extra = [name for name in schema.model_fields if name not in FIELDS]
    if not extra:
        return UNKNOWN
    return f"Unknown field: a note has a title, a body, {', '.join(extra)}."


class NoteSchema(ApiSchema):
    """The notes' wording of a refusal (the layer's 400, with these messages)."""

    invalid_message: ClassVar[str | None] = "The note was not saved: correct the fields listed."

    @classmethod
    def error_message(cls, path: str, error_type: str, message: str) -> str:
        if error_type == "extra_forbidden":
            return READ_ONLY if path in READ_ONLY_FIELDS else unknown_field(cls)
        if path in FIELDS:
            if error_type == "string_type":
                return NOT_A_STRING
            if error_type == "missing":
                return REQUIRED
        return message


class NoteInput(NoteSchema):
    """A new note, or a note replaced (PUT, the forms): the title is required,
    a missing body is an empty one."""

    model_config = ConfigDict(json_schema_extra={"examples": [
        {"title": "Shopping list", "body": "Milk\nBread"}]})

    title: Title
    body: Body = ""


class NotePatch(NoteSchema):
    """A PATCH: only the fields sent change (``model_fields_set``)."""

    model_config = ConfigDict(json_schema_extra={"examples": [{"body": "Milk\nBread\nEggs"}]})

    title: OptionalTitle = None
    body: OptionalBody = None


#: A time as the notes have always sent it: ISO 8601 with its offset (``+00:00``).
Moment = Annotated[datetime.datetime, PlainSerializer(datetime.datetime.isoformat),
                   WithJsonSchema({"type": "string", "format": "date-time"}, mode="serialization")]


class NoteOutput(BaseModel):
    """A note as the API shows it; ``url`` is where to GET, PUT, PATCH or DELETE
    it.  Keys other plugins add (hook ``notes_represent``) follow the notes' own."""

    model_config = ConfigDict(extra="allow", from_attributes=True, json_schema_extra={
        "examples": [{"id": 7, "title": "Shopping list", "body": "Milk\nBread",
                      "created_at": "2024-05-01T09:30:00+00:00",
                      "updated_at": "2024-05-01T09:30:00+00:00",
                      "url": "https://example.org/notes/api/notes/7"}]})

    id: int
    title: str
    body: str
    created_at: Moment
    updated_at: Moment
    url: str


# -- importing notes from a file (podium notes import) ----------------------------------

#: The fields an imported note may carry: what a client sets, plus the
#: timestamps of notes written elsewhere (``podium notes export`` writes them).
IMPORT_FIELDS = ("title", "body", "created_at", "updated_at")
TIMESTAMP_FIELDS = ("created_at", "updated_at")


def clean_timestamp(value: str) -> datetime.datetime:
    """An ISO 8601 date and time *with* its offset, as an aware UTC datetime.

    A time without an offset is refused, as the model refuses naive datetimes:
    guessing its zone would shift the note by some hours without a word."""
    try:
        moment = datetime.datetime.fromisoformat(value.strip())
    except ValueError:
        moment = None
    if moment is None or moment.tzinfo is None:
        raise ValueError(
            "Must be an ISO 8601 date and time with its offset, like 2024-05-01T09:30:00+00:00.")
    try:
        return moment.astimezone(datetime.UTC)
    except OverflowError:  # 0001-01-01T00:00:00+01:00 is before year 1 in UTC
        raise ValueError("Out of the range of dates a note can have.") from None


Timestamp = Annotated[str, AfterValidator(clean_timestamp)]


class ImportedNote(NoteInput):
    """One note of a file ``podium notes import`` reads: the title and body
    follow exactly the API's rules; ``created_at`` and ``updated_at`` are
    optional (a note without them is dated at the import), and
    ``updated_at`` only comes with a ``created_at`` it does not precede."""

    invalid_message: ClassVar[str | None] = "The note was not imported."

    created_at: Timestamp | None = None
    updated_at: Timestamp | None = None

    @classmethod
    def error_message(cls, path: str, error_type: str, message: str) -> str:
        if error_type == "extra_forbidden" and path not in READ_ONLY_FIELDS:
            return "Unknown field: a note has " + ", ".join(IMPORT_FIELDS) + "."
        if path in TIMESTAMP_FIELDS and error_type == "string_type":
            return NOT_A_STRING
        return super().error_message(path, error_type, message)

    @field_validator("updated_at")
    @classmethod
    def _after_created(cls, updated: Any, info: ValidationInfo) -> Any:
        if "created_at" not in info.data:
            return updated  # created_at is invalid: its own error says so
        created = info.data["created_at"]
        if created is None:
            raise ValueError("Only with a created_at.")
        if updated < created:
            raise ValueError("Must not be before created_at.")
        return updated


def validate_imported_note(data: Mapping[str, Any]) -> dict[str, Any]:
    """The values of one imported note (its timestamps only when given), or
    ``InvalidInput`` naming every problem."""
    try:
        note = ImportedNote.model_validate(data)
    except ValidationError as exc:
        raise invalid_input(exc, ImportedNote, "note") from None
    values: dict[str, Any] = {"title": note.title, "body": note.body}
    for name in TIMESTAMP_FIELDS:
        if getattr(note, name) is not None:
            values[name] = getattr(note, name)
    return values
