"""The tags plugin's settings: how many tags a note may have, and how long one may be.

Set in the ini file (``tags.max_per_note = 10``) or the environment
(``PODIUM_TAGS_MAX_PER_NOTE=10``, which wins); Podium types and checks them at
start-up, naming the key, the value and what is allowed.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from podium.api import Setting

from .names import COLUMN_LENGTH, Limits

#: The plugin's name: its settings' namespace, its URL prefix, its tables' prefix.
NAMESPACE = "tags"

MAX_PER_NOTE = Setting(
    "max_per_note", int, Limits.max_per_note,
    "the most tags one note may have (more is refused with a message, not cut)",
    minimum=1, maximum=1000,
)
MAX_LENGTH = Setting(
    "max_length", int, Limits.max_length,
    f"the longest tag, in characters once normalised (at most {COLUMN_LENGTH}, the column's size)",
    minimum=1, maximum=COLUMN_LENGTH,
)

SETTINGS = (MAX_PER_NOTE, MAX_LENGTH)

#: Where includeme keeps the typed limits for the hooks and the slot contents.
LIMITS_KEY = "tags.limits"


def limits_from(settings: Mapping[str, Any]) -> Limits:
    """The typed limits from the application's (or a command's) settings."""
    values = {}
    for setting in SETTINGS:
        key = f"{NAMESPACE}.{setting.key}"
        raw = settings.get(key, setting.default)
        # Podium stores typed values; a host including the package by hand may pass strings.
        values[setting.key] = setting.parse(key, raw) if isinstance(raw, str) else raw
    return Limits(**values)
