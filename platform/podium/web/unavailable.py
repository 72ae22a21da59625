"""503 Service Unavailable for database errors that are nobody's bug.

A conflict with a concurrent transaction is marked retryable here (see
``podium.store.retry``), so pyramid_retry runs the request again; the page
rendered meanwhile is thrown away.  When the last attempt fails too, or the
database cannot be reached at all, the client gets a 503 with
``Retry-After`` (``podium.db.retry_after`` seconds) through the usual error
page or JSON body, rather than a 500 that says the code is broken.  Pages
that do not touch the database keep working, and the next request that
does reconnects by itself: a statement that meets a connection that died in
the pool is run again on a new one (``podium.store.errors.is_stale_connection``).

A full disk (:func:`podium.store.errors.is_disk_full`) is a 503 too, and is
logged once per episode rather than once per request: a warning when the
first write is refused, an info line when a write commits again.  Nothing
stays broken meanwhile: each refused write is rolled back like any failed
request, so freeing space is all it takes.

Any other database error (an integrity error, a missing table) goes to the
500 view as before.
"""

from __future__ import annotations

import logging
import threading
from typing import Any

from pyramid.config import Configurator
from pyramid.request import Request
from pyramid.response import Response
from pyramid_retry import is_last_attempt
from sqlalchemy import Engine, event
from sqlalchemy.exc import DBAPIError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from transaction.interfaces import TransientError

from ..excerpts import request_excerpt
from ..store.errors import is_disk_full, is_unavailable
from ..store.retry import log_retry, mark_if_retryable
from .errors import error_response, server_error

log = logging.getLogger(__name__)

TITLE = "Service Unavailable"
BUSY = "The database is busy with other changes; nothing was saved. Try again in a moment."
DOWN = "The database cannot be reached right now; nothing was saved. Try again in a moment."
FULL = "The database has no room left on disk; nothing was saved. Try again later."

EPISODE_KEY = "podium.disk_full_episode"
#: In a pooled connection's ``info`` from its COMMIT until it is checked in.
_COMMITTING = "podium.committing_after_disk_full"


class DiskFullEpisode:
    """From the first write refused for a full disk to the next commit that
    succeeds: what makes it one warning and one info line, not a traceback
    per request."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.active = False
        self.refused = 0

    def refuse(self, request: Request, cause: BaseException) -> None:
        with self._lock:
            first = not self.active
            self.active = True
            self.refused += 1
        if first:
            log.warning("database disk full, answering 503 to writes until one commits "
                        "again; first refused: %s: %s: %s", request_excerpt(request),
                        type(cause).__name__, str(cause).strip())
        else:
            log.debug("database disk full, refused %s", request_excerpt(request))

    def committed(self) -> None:
        with self._lock:
            if not self.active:
                return
            self.active = False
            refused, self.refused = self.refused, 0
        log.info("database writes commit again after a full disk; %s request(s) were "
                 "answered 503 meanwhile", refused)

    def watch(self, engine: Engine) -> None:
        """Ends the episode at the first COMMIT that succeeds: a COMMIT is noted
        on its connection, a failed one unnoted, and the note is read when the
        connection goes back to the pool.  Reads prove nothing, since they
        still work on a full disk."""

        def commit(conn: Any) -> None:
            if self.active:
                conn.info[_COMMITTING] = True

        def handle_error(context: Any) -> None:
            if context.connection is not None and self.active:
                context.connection.info.pop(_COMMITTING, None)

        def checkin(dbapi_connection: Any, connection_record: Any) -> None:
            if connection_record is not None and connection_record.info.pop(_COMMITTING, False):
                self.committed()

        event.listen(engine, "commit", commit)
        event.listen(engine, "handle_error", handle_error)
        event.listen(engine, "checkin", checkin)


def unavailable(request: Request, message: str) -> Response:
    seconds = request.registry.settings.get("podium.db.retry_after", 2)
    return error_response(request, 503, TITLE, message,
                          headers=[("Retry-After", str(seconds))])


def database_error(exc: Exception, request: Request) -> Response:
    cause = getattr(exc, "orig", None) or exc
    if is_disk_full(exc):
        # Before the retry check: running the request again at once would meet
        # the same full disk.
        episode = request.registry.get(EPISODE_KEY)
        if episode is None:  # included without the store: no engine to watch
            log.warning("database disk full for %s: %s: %s", request_excerpt(request),
                        type(cause).__name__, str(cause).strip())
        else:
            episode.refuse(request, cause)
        return unavailable(request, FULL)
    if mark_if_retryable(exc):
        if is_last_attempt(request):
            attempts = request.environ.get("retry.attempts", 1)
            log.error("%s failed %s time(s) on a database conflict, answering 503: %s: %s",
                      request_excerpt(request), attempts, type(cause).__name__, cause)
            return unavailable(request, DOWN if is_unavailable(exc) else BUSY)
        # pyramid_retry discards this response and runs the request again.
        log_retry(request, exc)
        return unavailable(request, BUSY)
    if is_unavailable(exc):
        log.error("database unavailable for %s: %s: %s", request_excerpt(request),
                  type(cause).__name__, str(cause).strip())
        return unavailable(request, DOWN)
    return server_error(exc, request)


def includeme(config: Configurator) -> None:
    engine = config.registry.get("podium.engine")
    if engine is not None:
        episode = DiskFullEpisode()
        episode.watch(engine)
        config.registry[EPISODE_KEY] = episode
    for context in (DBAPIError, PoolTimeout, TransientError):
        config.add_exception_view(database_error, context=context)
