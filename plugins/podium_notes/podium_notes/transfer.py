"""Reading notes from JSON or CSV files, and writing them: no database, no click.

:func:`read_records` turns a file's bytes into :class:`Record` objects, each
with where it is in the file (its physical line, and for JSON its index in
the list), or raises :class:`FileFormatError` when the file as a whole
cannot be read: not UTF-8, not JSON, not a list, no CSV header.  Each record
is then validated on its own (:func:`podium_notes.schemas.validate_imported_note`),
so one bad row never costs the good ones.

The formats, as ``podium notes export`` writes them and ``import`` reads them:

JSON  a list of objects: ``title`` (required), ``body``, ``created_at``,
      ``updated_at`` (ISO 8601 with an offset)
CSV   a header row naming the columns (``title`` required; ``body``,
      ``created_at``, ``updated_at`` optional, in any order), then one note per
      record; fields with commas, quotes or line breaks are quoted (RFC 4180).
      An empty ``created_at``/``updated_at`` cell means "not given".
"""

from __future__ import annotations

import csv
import datetime
import io
import json
import re
import sys
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any, TextIO

from .schemas import IMPORT_FIELDS, TIMESTAMP_FIELDS

FORMATS = ("json", "csv")

#: JSON's whitespace (Python's ``\s`` is wider).
_JSON_WHITESPACE = re.compile(r"[ \t\n\r]*")


class FileFormatError(ValueError):
    """The file cannot be read as a whole; nothing of it may be imported."""


@dataclass(frozen=True)
class Record:
    """One note as found in the file, not yet validated."""

    line: int
    data: Mapping[str, Any]
    #: Its index in a JSON list; None for CSV.
    index: int | None = None
    #: Why it cannot even be validated (a CSV row with too many fields...).
    problem: str | None = None

    @property
    def where(self) -> str:
        """``7`` or ``7: item [5]``, to follow a file name and a colon, as
        compilers do (editors and terminals turn ``notes.csv:7`` into a link)."""
        return str(self.line) if self.index is None else f"{self.line}: item [{self.index}]"


def format_of(filename: str, given: str | None) -> str:
    """The ``--format`` given, or the one the file name's extension says."""
    if given:
        return given
    extension = filename.rsplit(".", 1)[-1].lower() if "." in filename else ""
    if extension in FORMATS:
        return extension
    raise FileFormatError(
        f"cannot tell the format of {filename} from its name: use --format json or --format csv"
    )


def decode(raw: bytes) -> str:
    """UTF-8 text (a leading byte order mark, as Excel writes, is dropped)."""
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        raise FileFormatError(
            f"line {line} is not UTF-8 text (byte 0x{raw[exc.start]:02x}): "
            "save the file as UTF-8"
        ) from None


def read_records(raw: bytes, fmt: str) -> list[Record]:
    text = decode(raw)
    if fmt == "json":
        return read_json(text)
    if fmt == "csv":
        return read_csv(text)
    raise ValueError(f"unknown format {fmt!r}")


# -- JSON -----------------------------------------------------------------------------------


def read_json(text: str) -> list[Record]:
    """The items of a JSON list, each with its index and the line it starts on."""
    try:
        document = json.loads(text)
    except json.JSONDecodeError as exc:
        raise FileFormatError(f"not valid JSON: {exc.msg} at line {exc.lineno} column "
                              f"{exc.colno}") from None
    except RecursionError:
        raise FileFormatError("not valid JSON: nested too deeply") from None
    if not isinstance(document, list):
        raise FileFormatError(
            f"the JSON document is {_kind(document)}; expected a list of notes, "
            'like [{"title": "...", "body": "..."}]'
        )
    records = []
    for index, (line, item) in enumerate(_list_items(text)):
        problem = None
        if not isinstance(item, dict):
            problem = (f"expected an object with {', '.join(IMPORT_FIELDS)}; "
                       f"found {_kind(item)}")
            item = {}
        records.append(Record(line, item, index, problem))
    return records


def _list_items(text: str) -> Iterator[tuple[int, Any]]:
    """Walk a JSON list already known to be valid, yielding (line, item)."""
    decoder = json.JSONDecoder()
    position = _JSON_WHITESPACE.match(text, 0).end() + 1  # past "["
    line, counted = 1, 0
    while True:
        position = _JSON_WHITESPACE.match(text, position).end()
        if text[position] == "]":
            return
        item, end = decoder.raw_decode(text, position)
        line += text.count("\n", counted, position)
        counted = position
        yield line, item
        position = _JSON_WHITESPACE.match(text, end).end()
        if text[position] == ",":
            position += 1


def _kind(value: Any) -> str:
    if isinstance(value, dict):
        return "an object"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "null"
    return "a number"


# -- CSV ------------------------------------------------------------------------------------


def read_csv(text: str) -> list[Record]:
    """The rows after the header, each with the physical line it starts on.

    A field may span lines (quoted line breaks), so a row's line is counted
    from where the previous row ended, not from the row's index.  Blank lines
    are skipped.
    """
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    previous_limit = csv.field_size_limit()
    csv.field_size_limit(sys.maxsize)  # a long body is the row's problem, not the file's
    try:
        rows = list(_csv_rows(reader))
    finally:
        csv.field_size_limit(previous_limit)
    if not rows:
        raise FileFormatError(f"the file is empty; expected a header row {_HEADER_EXAMPLE}")
    header_line, header = rows[0]
    columns = _columns(header_line, header)
    records = []
    for line, row in rows[1:]:
        if len(row) != len(columns):
            problem = (f"{_fields(len(row))}, the header has {len(columns)} "
                       f"({', '.join(columns)}); quote fields that contain commas")
            records.append(Record(line, {}, problem=problem))
            continue
        data = {
            name: value
            for name, value in zip(columns, row, strict=True)
            if not (name in TIMESTAMP_FIELDS and not value.strip())
        }
        records.append(Record(line, data))
    return records


_HEADER_EXAMPLE = "naming the columns, like title,body or title,body,created_at"


def _csv_rows(reader: Any) -> Iterator[tuple[int, list[str]]]:
    end_of_previous = 0
    while True:
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            raise FileFormatError(f"line {end_of_previous + 1}: not valid CSV: {exc}") from None
        start, end_of_previous = end_of_previous + 1, reader.line_num
        if row:
            yield start, row


def _columns(line: int, header: list[str]) -> list[str]:
    columns = [name.strip().lower() for name in header]
    if "title" not in columns:
        found = ",".join(header)
        shown = found if len(found) <= 60 else found[:57] + "..."
        raise FileFormatError(
            f"line {line}: the first row must be a header {_HEADER_EXAMPLE}; found {shown!r}"
        )
    unknown = [name for name in columns if name not in IMPORT_FIELDS]
    if unknown:
        raise FileFormatError(
            f"line {line}: unknown column {', '.join(map(repr, unknown))} in the header; "
            f"the columns are {', '.join(IMPORT_FIELDS)}"
        )
    repeated = sorted({name for name in columns if columns.count(name) > 1})
    if repeated:
        raise FileFormatError(f"line {line}: column {', '.join(repeated)} appears twice "
                              "in the header")
    return columns


def _fields(count: int) -> str:
    return "1 field" if count == 1 else f"{count} fields"


# -- writing --------------------------------------------------------------------------------

EXPORT_FIELDS = IMPORT_FIELDS


def _exported(note: Any) -> dict[str, str]:
    return {
        "title": note.title,
        "body": note.body,
        "created_at": _timestamp(note.created_at),
        "updated_at": _timestamp(note.updated_at),
    }


def _timestamp(value: datetime.datetime) -> str:
    return value.astimezone(datetime.UTC).isoformat()


def write_json(notes: Iterable[Any], out: TextIO) -> int:
    """A JSON list, one note per line (so an import's errors name useful lines)."""
    count = 0
    out.write("[")
    for note in notes:
        out.write(",\n  " if count else "\n  ")
        out.write(json.dumps(_exported(note), ensure_ascii=False))
        count += 1
    out.write("\n]\n" if count else "]\n")
    return count


def write_csv(notes: Iterable[Any], out: TextIO) -> int:
    """RFC 4180 CSV with a header row (CRLF line ends, as the RFC and Excel want)."""
    writer = csv.DictWriter(out, fieldnames=EXPORT_FIELDS)
    writer.writeheader()
    count = 0
    for note in notes:
        writer.writerow(_exported(note))
        count += 1
    return count
