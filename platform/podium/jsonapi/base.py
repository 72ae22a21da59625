"""``ApiSchema``, the base of what JSON API clients send: text both databases store alike.

Its own module so that the models, the error wording (:mod:`.invalid`) and
the view options (:mod:`.schemas`) can each import it.
"""

from __future__ import annotations

from typing import Any, ClassVar

from pydantic import BaseModel, ConfigDict, field_validator


def check_storable(value: Any, where: str = "") -> None:
    """Refuse text no database can store the same: NUL (PostgreSQL refuses
    it, SQLite keeps it) and lone UTF-16 surrogates (``"\\ud800"`` in JSON,
    which no driver can encode).  Lists and dicts are looked into, and the
    message names the item (``where``: "item 0: ")."""
    if isinstance(value, str):
        problem = None
        if "\x00" in value:
            problem = "must not contain NUL characters (U+0000)."
        elif not value.isascii():
            try:
                value.encode("utf-8")
            except UnicodeEncodeError as exc:
                problem = (f"must be valid Unicode text: {exc.object[exc.start]!a} is a lone "
                           "UTF-16 surrogate, not a character.")
        if problem:
            text = where + problem
            raise ValueError(text[0].upper() + text[1:])
    elif isinstance(value, (list, tuple)):
        for index, item in enumerate(value):
            check_storable(item, f"{where}item {index}: ")
    elif isinstance(value, (set, frozenset)):
        for item in value:
            check_storable(item, f"{where}an item: ")
    elif isinstance(value, dict):
        for key, item in value.items():
            check_storable(key, f"{where}a key: ")
            check_storable(item, f"{where}{key!r}: ")


#: Field values that hold no text.
_PLAIN = frozenset({int, float, bool, type(None)})


class ApiSchema(BaseModel):
    """The base of request and response models: unknown fields are refused
    (a misspelt field must not be dropped silently), fields are read from
    attributes too (an ORM row serializes as it is), and every text field
    is one both databases store alike (:func:`check_storable`).

    A schema words its own 400s with :attr:`invalid_message` and
    :meth:`error_message`; the defaults are the layer's."""

    model_config = ConfigDict(extra="forbid", from_attributes=True)

    #: The 400's ``message`` when fields are invalid (None: the layer's).
    invalid_message: ClassVar[str | None] = None

    @classmethod
    def error_message(cls, path: str, error_type: str, message: str) -> str:
        """The message shown for field ``path``'s error of pydantic's type
        ``error_type`` (``missing``, ``string_type``, ``extra_forbidden``...);
        ``message`` is the layer's wording.  Override to speak your users'
        language; the default keeps the layer's."""
        return message

    @field_validator("*", mode="after")
    @classmethod
    def _storable(cls, value: Any) -> Any:
        kind = value.__class__
        if kind is str:
            if value.isascii() and "\x00" not in value:
                return value  # the common case, without a call
        elif kind in _PLAIN:
            return value
        check_storable(value)
        return value
