"""Each plugin's settings: declared, read from its namespace, typed.

``notes.page_size = 20`` in the ini, or ``PODIUM_NOTES_PAGE_SIZE=20`` in
the environment (which wins), reaches the plugin as the int 20, in
``registry.settings["notes.page_size"]`` and in ``plugin.settings``.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Mapping, MutableMapping, Sequence
from typing import Any

from ..settings.types import Setting, SettingsError


def environment_name(plugin: str, key: str) -> str:
    """``PODIUM_<PLUGIN>_<KEY>``: upper case, every other character an underscore."""
    return "PODIUM_" + re.sub(r"[^A-Z0-9]", "_", f"{plugin}_{key}".upper())


def read_plugin_settings(
    name: str,
    schema: Sequence[Setting],
    settings: Mapping[str, Any],
    environ: Mapping[str, str],
) -> tuple[dict[str, Any], list[str]]:
    """Typed values by relative key, and every problem found (not just the first)."""
    values: dict[str, Any] = {}
    problems: list[str] = []
    for setting in schema:
        full_key = f"{name}.{setting.key}"
        env = environment_name(name, setting.key)
        raw = environ[env] if env in environ else settings.get(full_key)
        if raw is None or (isinstance(raw, str) and not raw.strip()):
            if setting.required:
                problems.append(
                    f"setting {full_key} is required ({setting.description or setting.type_name}): "
                    f"set it in the ini file or in {env}"
                )
            values[setting.key] = setting.default
            continue
        try:
            values[setting.key] = setting.parse(full_key, raw)
        except SettingsError as exc:
            problems.append(str(exc))
    problems.extend(unknown_keys(name, schema, settings))
    return values, problems


def unknown_keys(name: str, schema: Sequence[Setting], settings: Mapping[str, Any]) -> list[str]:
    prefix = name + "."
    known = [s.key for s in schema]
    problems = []
    for key in sorted(settings):
        if not key.startswith(prefix) or key[len(prefix):] in known:
            continue
        relative = key[len(prefix):]
        close = difflib.get_close_matches(relative, known, n=1)
        hint = f"; did you mean {prefix}{close[0]}?" if close else (
            f"; {name} declares: {', '.join(prefix + k for k in known)}" if known
            else f"; plugin {name} declares no settings"
        )
        problems.append(f"setting {key} is not a setting of plugin {name}{hint}")
    return problems


def store_typed(name: str, values: Mapping[str, Any], settings: MutableMapping[str, Any]) -> None:
    for key, value in values.items():
        settings[f"{name}.{key}"] = value
