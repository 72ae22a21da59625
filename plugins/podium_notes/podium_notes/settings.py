"""The notes plugin's settings, declared for Podium to read, type and check.

They live under the plugin's namespace in the ini file (``notes.page_size =
20``) or in the environment (``PODIUM_NOTES_PAGE_SIZE=20``, which wins).
Podium converts them at start-up and refuses a bad value with a message
naming the key, the value and what is allowed; the plugin reads them typed
from ``registry.settings``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from podium.api import Setting, SettingsError

#: The plugin's name, hence its settings' namespace (``notes.page_size``).
NAMESPACE = "notes"

PAGE_SIZE = Setting(
    "page_size",
    int,
    20,
    "notes per page of the HTML list, and the JSON API's per_page when a client sends none",
    minimum=1,
)
MAX_PER_PAGE = Setting(
    "max_per_page",
    int,
    100,
    "the largest per_page the JSON API accepts (larger is refused with a 400, not clamped); "
    "at least page_size",
    minimum=1,
)

PUBLIC_READ = Setting(
    "public_read",
    bool,
    True,
    "whether anonymous visitors may read notes (the list, each note, the API's GET, the "
    "CSV export) when their roles allow it; when false, reading needs a logged-in user "
    "with notes.view",
)

SETTINGS = (PAGE_SIZE, MAX_PER_PAGE, PUBLIC_READ)
#: The full keys, which the API's list names as its ``per_page_settings``.
PAGE_SIZE_SETTING = f"{NAMESPACE}.{PAGE_SIZE.key}"
MAX_PER_PAGE_SETTING = f"{NAMESPACE}.{MAX_PER_PAGE.key}"


@dataclass(frozen=True)
class Limits:
    """How many notes a page shows, and how many a client may ask for."""

    page_size: int = PAGE_SIZE.default
    max_per_page: int = MAX_PER_PAGE.default


def _value(settings: Mapping[str, Any], setting: Setting) -> Any:
    key = f"{NAMESPACE}.{setting.key}"
    raw = settings.get(key)
    if raw is None:
        return setting.default
    # Podium stores typed values; a host that includes the package by hand
    # (config.include("podium_notes")) may hand us the ini's strings.
    return setting.parse(key, raw) if isinstance(raw, str) else raw


def public_read_from(settings: Mapping[str, Any]) -> bool:
    """The setting ``notes.public_read``, typed."""
    return bool(_value(settings, PUBLIC_READ))


def limits_from(settings: Mapping[str, Any]) -> Limits:
    """The typed limits, checked together (each alone is checked by Podium)."""
    limits = Limits(_value(settings, PAGE_SIZE), _value(settings, MAX_PER_PAGE))
    if limits.page_size > limits.max_per_page:
        raise SettingsError(
            f"{NAMESPACE}.{PAGE_SIZE.key}",
            limits.page_size,
            f"expected a whole number <= {NAMESPACE}.{MAX_PER_PAGE.key} "
            f"({limits.max_per_page}): the API's default page must be one it accepts",
        )
    return limits
