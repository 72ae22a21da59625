"""Setting types and errors: the leaf every other module may import.

A declared :class:`Setting` (type, default, environment variable, meaning)
drives validation and ``podium config``; :class:`SettingsError` names the
key, the value and what is allowed.  Nothing of Podium is imported here, so
plugins, the store and the assets can all use these without a cycle.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


class SettingsError(ValueError):
    """A setting has a value Podium cannot use.

    The message always says which key, which value and what is allowed.
    """

    def __init__(self, key: str, value: Any, allowed: str):
        self.key, self.value, self.allowed = key, value, allowed
        shown = "(missing)" if value is None else repr(value)
        super().__init__(f"setting {key} = {shown} is not valid: {allowed}")


def as_bool(key: str, value: Any) -> bool:
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in ("true", "yes", "on", "1"):
        return True
    if text in ("false", "no", "off", "0", ""):
        return False
    raise SettingsError(key, value, "expected true or false")


def as_int(key: str, value: Any, minimum: int | None = None) -> int:
    try:
        number = int(str(value).strip())
    except ValueError:
        raise SettingsError(key, value, "expected a whole number") from None
    if minimum is not None and number < minimum:
        raise SettingsError(key, value, f"expected a whole number >= {minimum}")
    return number


def as_words(key: str, value: Any) -> list[str]:
    """A whitespace- or newline-separated list, as Pyramid's aslist does."""
    if isinstance(value, (list, tuple)):
        return [str(v) for v in value]
    return str(value or "").split()


def as_str(key: str, value: Any) -> str:
    return str(value).strip()


def as_float(key: str, value: Any) -> float:
    try:
        return float(str(value).strip())
    except ValueError:
        raise SettingsError(key, value, "expected a number") from None


#: Plain Python types a plugin author may give as a setting's type.
CONVERTERS: dict[Any, Callable[[str, Any], Any]] = {
    str: as_str,
    int: as_int,
    float: as_float,
    bool: as_bool,
    list: as_words,
}

TYPE_NAMES = {str: "text", int: "whole number", float: "number", bool: "true/false",
              list: "list of words"}


@dataclass(frozen=True)
class Setting:
    """One declared setting: where it lives, how to read it, what it means.

    ``convert`` is ``str``, ``int``, ``float``, ``bool`` or ``list``, or a
    function ``(key, raw_value) -> value`` that raises :class:`SettingsError`;
    ``minimum`` and ``maximum`` bound the converted value (both included).
    A plugin's keys are relative to its namespace (``page_size`` is read
    from ``notes.page_size``); the core's are absolute.
    """

    key: str
    convert: Any = str
    default: Any = None
    description: str = ""
    env: str | None = None
    secret: bool = False
    required: bool = False
    choices: tuple[Any, ...] = ()
    minimum: float | None = None
    maximum: float | None = None

    def parse(self, key: str, raw: Any) -> Any:
        """Convert ``raw`` (a string from an ini file or the environment)."""
        convert = CONVERTERS.get(self.convert, self.convert)
        value = convert(key, raw)
        if (self.minimum is not None and value < self.minimum) or (
                self.maximum is not None and value > self.maximum):
            raise SettingsError(key, raw, f"expected a {self.type_name} {self.bounds}")
        if self.choices and value not in self.choices:
            allowed = ", ".join(str(c) for c in self.choices)
            raise SettingsError(key, raw, f"expected one of {allowed}")
        return value

    @property
    def bounds(self) -> str:
        """The range a value must lie in (``>= 1``, ``<= 100``, ``from 1 to
        100``), or ``""``: what ``podium config describe`` shows beside the type."""
        if self.minimum is not None and self.maximum is not None:
            return f"from {self.minimum:g} to {self.maximum:g}"
        if self.minimum is not None:
            return f">= {self.minimum:g}"
        if self.maximum is not None:
            return f"<= {self.maximum:g}"
        return ""

    @property
    def type_name(self) -> str:
        if self.choices:
            return "one of " + ", ".join(str(c) for c in self.choices)
        return TYPE_NAMES.get(self.convert, getattr(self.convert, "__name__", "value"))


class SettingsErrors(SettingsError):
    """Several bad settings at once, so that one edit of the ini fixes them all."""

    def __init__(self, errors: list[SettingsError]):
        self.errors = errors
        self.key, self.value, self.allowed = errors[0].key, errors[0].value, errors[0].allowed
        ValueError.__init__(
            self, f"{len(errors)} settings are not valid:\n" + "\n".join(f"  - {e}" for e in errors)
        )
