"""Workaround: give plain ``alembic -c development.ini ...`` the plugins' revisions.

Each plugin's revisions directory is found at run time, among the installed
distributions, so no ini file can list it in ``version_locations``.
``podium db`` builds alembic's ``Config`` with every directory before alembic
reads anything (:func:`podium.store.migrations.configure_branches`), but the
plain ``alembic`` command builds its ``ScriptDirectory`` from the ini file
before ``env.py`` runs, and alembic offers no public way to change the
version locations of a ``ScriptDirectory`` it already built.  This module
does it through alembic's internals: ``ScriptDirectory._load_revisions`` and
the memoized ``_version_locations`` and ``_singular_version_location``.

It is checked against :data:`SUPPORTED` (``tests/unit/test_workarounds.py``
and ``tests/integration/test_alembic_late_version_locations.py``, which also
proves that plain alembic still migrates a plugin's branch).
Commands that read revisions before running ``env.py`` (``alembic heads``,
``branches``; ``history`` and ``show`` unless ``revision_environment =
true``) only see the core's: ``podium db heads`` and ``podium db history``
see every branch.
"""

from __future__ import annotations

import os
from collections.abc import Iterable

from alembic.script import ScriptDirectory

DEPENDENCY = "alembic"
#: The alembic releases whose internals this was checked against.
SUPPORTED = ">=1.13,<1.21"
#: The same bounds as a pair (lower included, upper excluded).
ALEMBIC_VERSIONS = ("1.13", "1.21")


def add_version_locations(script: ScriptDirectory, directories: Iterable[str]) -> None:
    """Add ``directories`` to the version locations of a script directory
    alembic already built, and make it read its revisions again."""
    known = {os.path.abspath(str(p)) for p in script.version_locations}
    if not script.version_locations:
        known = {os.path.abspath(os.path.join(script.dir, "versions"))}
        script.version_locations = [os.path.join(script.dir, "versions")]
    added = [d for d in directories if os.path.abspath(d) not in known]
    if not added:
        return
    script.version_locations = [*script.version_locations, *added]
    # Forget what was derived from the old list, if anything was.
    script.__dict__.pop("_version_locations", None)
    script.__dict__.pop("_singular_version_location", None)
    script.revision_map = type(script.revision_map)(script._load_revisions)
