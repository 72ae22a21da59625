"""Start-up errors an operator fixes, and how they are told: one ``Error:``
line per problem, no traceback.

A bad setting, a missing secret, an unknown plugin, a plugin refused for its
requirements or settings, two registrations that conflict, an override that
cannot be applied, a database behind its migrations: each message already
says what is wrong and what to do, and a traceback of Podium's own frames
above it only hides it.  A plugin whose code raised (``BrokenPluginError``)
keeps its traceback, which is the news; any other exception is a bug and is
never turned into a line.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Mapping
from typing import Any


def problems_of(error: BaseException) -> list[BaseException]:
    """The problems an error stands for: several plugin problems
    (``PluginErrors``) or bad settings (``SettingsErrors``) are one each."""
    from .plugins.errors import PluginError
    from .settings.types import SettingsError

    nested = getattr(error, "errors", None)
    if isinstance(error, (PluginError, SettingsError)) and isinstance(nested, list) and nested:
        return [problem for e in nested for problem in problems_of(e)]
    return [error]


def is_operator_error(error: BaseException) -> bool:
    """Whether ``error`` is told completely by its message."""
    from .assets.overrides import AssetOverrideError
    from .plugins.errors import BrokenPluginError, PluginError
    from .settings.types import SettingsError
    from .store.require_current import SchemaNotCurrentError

    problems = problems_of(error)
    return all(
        isinstance(p, (SettingsError, PluginError, AssetOverrideError, SchemaNotCurrentError))
        and not isinstance(p, BrokenPluginError)
        for p in problems
    )


@contextlib.contextmanager
def told_to_script_users(global_config: Mapping[str, Any]) -> Iterator[None]:
    """Around the app factory: when one of Pyramid's scripts loads the app
    (``pserve``, ``pshell``, ``proutes``... put their name in
    ``global_config["__script__"]``, since Pyramid 2.1) an operator error
    ends the script with its ``Error:`` lines and status 1, as the
    ``podium`` command does, since no script of Pyramid's catches it.
    Called as a library (``podium.main({}, ...)``, or ``bootstrap``, whose
    caller handles errors), the exception propagates unchanged."""
    script = global_config.get("__script__")
    if not script or script == "bootstrap":
        yield
        return
    try:
        yield
    except Exception as exc:
        if not is_operator_error(exc):
            raise
        raise SystemExit("\n".join(f"Error: {p}" for p in problems_of(exc))) from None
