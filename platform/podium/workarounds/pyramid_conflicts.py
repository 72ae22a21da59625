"""The conflicting registrations inside Pyramid's ``ConfigurationConflictError``.

Pyramid detects two actions with one discriminator but exposes what
conflicted only as formatted text; Podium names the plugin behind each
registration, so it reads the mapping the exception keeps (``_conflicts``:
discriminator -> the ``ActionInfo`` of each registration).
"""

from __future__ import annotations

from typing import Any

from pyramid.exceptions import ConfigurationConflictError

DEPENDENCY = "pyramid"
SUPPORTED = ">=2.0,<2.2"


def conflicts_of(error: ConfigurationConflictError) -> dict[Any, list[Any]]:
    """Discriminator -> the ``ActionInfo`` objects that registered it."""
    conflicts = getattr(error, "_conflicts", None)
    if not isinstance(conflicts, dict):
        raise TypeError(f"{DEPENDENCY} no longer keeps the conflicts on "
                        "ConfigurationConflictError._conflicts: see podium.workarounds")
    return {discriminator: list(infos) for discriminator, infos in conflicts.items()}
