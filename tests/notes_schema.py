"""The notes plugin's revisions, read from its script directory, so that a test
about migrations does not change with each new notes revision."""

from __future__ import annotations

import re
from functools import cache

from alembic.script import ScriptDirectory

from podium.settings.core import apply_environment, normalize
from podium.store.migrations import alembic_config_for
from podium.testing.apps import base_settings


@cache
def notes_revisions() -> tuple[str, ...]:
    """The notes branch's revisions, oldest first (``notes_0001``, ...)."""
    settings = base_settings("sqlite://", "notes")
    apply_environment(settings, {})
    normalize(settings)
    script = ScriptDirectory.from_config(alembic_config_for(settings))
    found = [sc.revision for sc in script.iterate_revisions("notes@head", "base")
             if re.fullmatch(r"notes_\d+", sc.revision)]
    return tuple(reversed(found))


def notes_head() -> str:
    return notes_revisions()[-1]
