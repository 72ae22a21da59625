"""The running app's schema status, remembered while the database's recorded
revisions stay the same: what ``/health`` asks on every probe and the admin
console on every page.

The full comparison (:func:`podium.store.schema_status.app_schema_status`)
reads every revision file and discovers the installed plugins, about 100 ms
on a site of 100 plugins, while the recorded revisions are one statement: a
plain SELECT of ``alembic_version`` on a pooled connection outside any
request's transaction.  So one :class:`SchemaCheck` per app keeps the last
full answer with the rows it was computed for, and makes the full comparison
again only when they change: a ``podium db upgrade`` (or ``podium db
forget``) changes them, and the next question sees it.  A database that
cannot be read, or has no ``alembic_version`` table yet, is compared in full
every time (the full comparison says which).

Light to import: alembic and the revision files wait for the first full
comparison.
"""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING

from pyramid.registry import Registry
from sqlalchemy import Select, String, column, select, table
from sqlalchemy.exc import DBAPIError

from ..plugins.plugin_set import plugin_set

if TYPE_CHECKING:
    from .schema_status import SchemaStatus

REGISTRY_KEY = "podium.store.schema_check"
_CREATING = threading.Lock()

# alembic's own table, read with one plain SELECT (a MigrationContext would first
# ask whether the table exists: a second statement per question).  A lightweight
# table clause, not a Table: a Table bound in a core module is one the core's
# migrations own (podium.store.migrations.table_owners).
_RECORDED: Select[str] = select(column("version_num", String)).select_from(
    table("alembic_version"))


class SchemaCheck:
    """One app's schema status, and the recorded revisions it is the answer for."""

    def __init__(self, registry: Registry) -> None:
        self.registry = registry
        self._lock = threading.Lock()
        #: ``(alembic_version rows, the status computed for them)``, once known.
        self._last: tuple[frozenset[str], SchemaStatus] | None = None

    def recorded(self) -> frozenset[str] | None:
        """The rows of ``alembic_version``, in one statement; None when they
        cannot be read (no such table, or no database)."""
        try:
            with self.registry["podium.engine"].connect() as connection:
                return frozenset(connection.scalars(_RECORDED))
        except DBAPIError:
            return None

    def status(self) -> SchemaStatus:
        """The database against the code, from the last full comparison while the
        recorded revisions are the ones it was made for.  Raises as
        :func:`~podium.store.schema_status.schema_status` does (``DBAPIError``,
        alembic's ``CommandError``)."""
        recorded = self.recorded()
        with self._lock:
            last = self._last
        if recorded is not None and last is not None and last[0] == recorded:
            return last[1]
        from .schema_status import app_schema_status

        status = app_schema_status(dict(self.registry.settings),
                                   self.registry["podium.engine"],
                                   plugin_set(self.registry).enabled)
        with self._lock:
            self._last = (recorded, status) if recorded is not None else None
        return status

    def summary(self) -> tuple[bool, str]:
        """(current, what is wrong), as ``podium db check`` says it; never raises
        for a database or revision files that cannot be read: that is what is wrong."""
        from alembic.util import CommandError

        try:
            status = self.status()
        except DBAPIError as exc:
            return False, f"the database does not answer: {exc.orig}"
        except CommandError as exc:
            return False, f"the migrations cannot be read: {exc}"
        return status.is_current, "" if status.is_current else status.describe_problem()


def schema_check(registry: Registry) -> SchemaCheck:
    """The app's one :class:`SchemaCheck`, made on first use, so that ``/health``
    and the admin console share its last answer."""
    with _CREATING:
        found: SchemaCheck | None = registry.get(REGISTRY_KEY)
        if found is None:
            found = registry[REGISTRY_KEY] = SchemaCheck(registry)
    return found
