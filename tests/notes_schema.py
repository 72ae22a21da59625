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


@cache
def installed_script() -> ScriptDirectory:
    """The core's and every installed plugin's revisions, as plain alembic sees them."""
    settings = base_settings("sqlite://", "*")
    apply_environment(settings, {})
    normalize(settings)
    return ScriptDirectory.from_config(alembic_config_for(settings))


def installed_revisions() -> set[str]:
    """Every revision of the core and of the installed plugins."""
    return {sc.revision for sc in installed_script().walk_revisions()}


def reached(versions: set[str]) -> set[str]:
    """Every revision the rows of ``alembic_version`` stand for: alembic keeps only
    the latest ones, and a revision implies its ancestors and what it depends on
    (``tags_0001`` implies ``notes_0002``).  A revision of a plugin installed only
    for one test (not in :func:`installed_script`) stands for itself."""
    known = installed_revisions()
    found = set(versions)
    for version in versions & known:
        found.update(sc.revision for sc in installed_script().iterate_revisions(version, "base"))
    return found
