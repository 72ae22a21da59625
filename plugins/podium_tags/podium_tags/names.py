"""What a tag name is, and how the form's text and the API's JSON become tags.

A tag is stored in one normal form, so that "Python", " python " and
its full-width letters (U+FF50...) are one tag: NFKC (compatibility characters
folded), surrounding blanks trimmed, lower-cased.  Once normalised it is
1 to ``tags.max_length`` characters of letters and digits of any script,
combining marks, and ``- _ . +``, starting with a letter or a digit.  No
spaces (a space means two tags were meant: separate them with commas), no
commas (the form's separator), nothing HTML or a URL would have to escape
with meaning (``< > & " ' # / ? %``).

Input:

- the form's field is one text, tags separated by commas (``python, web``);
- the API's ``tags`` is a list of strings, or one string read exactly as
  the form's text: one parser for both, so a client may send either;
- empty entries (``python,,web``, a trailing comma) are skipped, repeated
  tags kept once, in their first place.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

#: Characters allowed besides letters, digits and combining marks.
PUNCTUATION = "-_.+"
#: The form's separator.
SEPARATOR = ","
#: The column's size (``tags_tag.name``): the setting ``tags.max_length`` may not exceed it.
COLUMN_LENGTH = 100
#: How much of a refused tag a message repeats.
_SHOWN = 30


class TagError(ValueError):
    """A tag, or the tags of a note, that cannot be accepted; the message says why."""


@dataclass(frozen=True)
class Limits:
    """The typed settings ``tags.max_per_note`` and ``tags.max_length``."""

    max_per_note: int = 10
    max_length: int = 40


def normalise(raw: str) -> str:
    """The stored form of one tag (NFKC, trimmed, lower-cased), not yet checked."""
    return unicodedata.normalize("NFKC", raw).strip().lower()


def _allowed(char: str) -> bool:
    return char in PUNCTUATION or unicodedata.category(char)[0] in "LNM"


def _shown(text: str) -> str:
    return repr(text if len(text) <= _SHOWN else text[:_SHOWN] + "…")


def check_name(raw: str, limits: Limits) -> str:
    """One tag, normalised and checked; :class:`TagError` says what is wrong."""
    name = normalise(raw)
    if not name:
        raise TagError("A tag cannot be empty.")
    if len(name) > limits.max_length:
        raise TagError(f"The tag {_shown(name)} is too long: at most {limits.max_length} "
                       f"characters ({len(name)} given).")
    if any(char.isspace() for char in name):
        raise TagError(f"The tag {_shown(name)} contains a space: separate tags with commas, "
                       "or join words with a hyphen.")
    bad = sorted({char for char in name if not _allowed(char)})
    if bad:
        shown = " ".join(repr(char) for char in bad[:5])
        raise TagError(f"The tag {_shown(name)} contains {shown}: a tag has letters, digits "
                       f"and {' '.join(PUNCTUATION)} only.")
    if unicodedata.category(name[0])[0] not in "LN":
        raise TagError(f"The tag {_shown(name)} must start with a letter or a digit.")
    return name


def check_names(raws: Iterable[str], limits: Limits) -> list[str]:
    """Several tags, normalised, checked, empty ones skipped and repeats kept once."""
    names: dict[str, None] = {}
    for raw in raws:
        if not normalise(raw):
            continue
        names.setdefault(check_name(raw, limits))
    if len(names) > limits.max_per_note:
        raise TagError(f"Too many tags: at most {limits.max_per_note} per note "
                       f"({len(names)} given).")
    return list(names)


def parse_text(text: str, limits: Limits) -> list[str]:
    """The form's field: tags separated by commas."""
    return check_names(text.split(SEPARATOR), limits)


def parse_value(value: Any, limits: Limits) -> list[str]:
    """The API's ``tags``: a list of strings, or one string read as the form's text."""
    if isinstance(value, str):
        return parse_text(value, limits)
    if not isinstance(value, list):
        raise TagError(f"tags is a list of strings (or one string, tags separated by "
                       f"commas), not {_json_type(value)}.")
    not_strings = [item for item in value if not isinstance(item, str)]
    if not_strings:
        raise TagError(f"tags is a list of strings; it holds {_json_type(not_strings[0])}.")
    for item in value:
        if SEPARATOR in item:
            raise TagError(f"The tag {_shown(item)} contains a comma: send each tag as its own "
                           "string.")
    return check_names(value, limits)


def joined(names: Sequence[str]) -> str:
    """Tags as the form's field shows them."""
    return f"{SEPARATOR} ".join(names)


def _json_type(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, dict):
        return "an object"
    if isinstance(value, list):
        return "a list"
    return type(value).__name__
