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

A full disk (:func:`podium.store.errors.is_disk_full`) is a 503 too.  Both
are logged once per episode rather than once per request: a line when the
first request is refused (an error for an unreachable database, a warning
for a full disk), an info line when the database answers again or a write
commits again.  Nothing
stays broken meanwhile: each refused write is rolled back like any failed
request, so freeing space is all it takes.

Any other database error (an integrity error, a missing table) goes to the
500 view as before.
"""

from __future__ import annotations

import logging
import threading
from contextvars import ContextVar
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
LOST_IN_COMMIT = ("The connection to the database was lost while this change was being saved: "
                  "it may or may not have been saved. Check before sending it again.")

DISK_FULL_KEY = "podium.disk_full_episode"
UNREACHABLE_KEY = "podium.unreachable_episode"
#: In a pooled connection's ``info`` from its COMMIT until it is checked in.
_COMMITTING = "podium.committing_after_disk_full"
#: In a pooled connection's ``info`` from its COMMIT until the next BEGIN or check-in.
_IN_COMMIT = "podium.in_commit"
#: The error of a COMMIT that failed in this thread's current request, if any.
_lost_in_commit: ContextVar[BaseException | None] = ContextVar("podium_lost_in_commit",
                                                               default=None)


class Episode:
    """From the first request refused for one cause to the moment the cause
    is gone: one log line when it starts and one when it ends, with the
    number of requests refused meanwhile, rather than a line per request
    (an outage under load is thousands of requests a second)."""

    def __init__(self, started: str, ended: str, level: int) -> None:
        self.started, self.ended, self.level = started, ended, level
        self._lock = threading.Lock()
        self.active = False
        self.refused = 0

    def refuse(self, request: Request, cause: BaseException) -> None:
        with self._lock:
            first = not self.active
            self.active = True
            self.refused += 1
        if first:
            log.log(self.level, "%s; first refused: %s: %s: %s", self.started,
                    request_excerpt(request), type(cause).__name__, str(cause).strip())
        else:
            log.debug("%s: refused %s", self.started, request_excerpt(request))

    def end(self) -> None:
        with self._lock:
            if not self.active:
                return
            self.active = False
            refused, self.refused = self.refused, 0
        log.info("%s; %s request(s) were answered 503 meanwhile", self.ended, refused)


def disk_full_episode(engine: Engine) -> Episode:
    """Ends at the first COMMIT that succeeds: a COMMIT is noted on its
    connection, a failed one unnoted, and the note is read when the
    connection goes back to the pool.  Reads prove nothing, since they still
    work on a full disk."""
    episode = Episode("database disk full, answering 503 to writes until one commits again",
                      "database writes commit again after a full disk", logging.WARNING)

    def commit(conn: Any) -> None:
        if episode.active:
            conn.info[_COMMITTING] = True

    def handle_error(context: Any) -> None:
        if context.connection is not None and episode.active:
            context.connection.info.pop(_COMMITTING, None)

    def checkin(dbapi_connection: Any, connection_record: Any) -> None:
        if connection_record is not None and connection_record.info.pop(_COMMITTING, False):
            episode.end()

    event.listen(engine, "commit", commit)
    event.listen(engine, "handle_error", handle_error)
    event.listen(engine, "checkin", checkin)
    return episode


def unreachable_episode(engine: Engine) -> Episode:
    """Ends when the pool opens a connection again: after an outage every
    pooled connection is dropped, so the first new one is the database back."""
    episode = Episode("database unreachable, answering 503 until it answers again",
                      "database reachable again", logging.ERROR)
    event.listen(engine, "connect", lambda dbapi_connection, record: episode.end())
    return episode


def watch_commits(engine: Engine) -> None:
    """Notes an error raised by a COMMIT itself: the database may have
    committed before the connection died, so the client must not be told
    that nothing was saved."""

    def commit(conn: Any) -> None:
        conn.info[_IN_COMMIT] = True

    def done(conn: Any) -> None:
        conn.info.pop(_IN_COMMIT, None)

    def checkin(dbapi_connection: Any, connection_record: Any) -> None:
        if connection_record is not None:
            connection_record.info.pop(_IN_COMMIT, None)

    def handle_error(context: Any) -> None:
        conn = context.connection
        try:
            lost = conn is not None and conn.info.pop(_IN_COMMIT, False)
        except Exception:  # an unusable connection: no COMMIT of ours on it
            lost = False
        if lost:
            _lost_in_commit.set(context.sqlalchemy_exception)

    event.listen(engine, "commit", commit)
    event.listen(engine, "begin", done)
    event.listen(engine, "checkin", checkin)
    event.listen(engine, "handle_error", handle_error)


def lost_in_commit(exc: BaseException) -> bool:
    lost = _lost_in_commit.get()
    _lost_in_commit.set(None)
    return lost is not None and lost is exc


def refuse(request: Request, key: str, cause: BaseException, what: str) -> None:
    episode = request.registry.get(key)
    if episode is None:  # included without the store: no engine to watch
        log.warning("%s for %s: %s: %s", what, request_excerpt(request),
                    type(cause).__name__, str(cause).strip())
    else:
        episode.refuse(request, cause)


def unavailable(request: Request, message: str) -> Response:
    seconds = request.registry.settings.get("podium.db.retry_after", 2)
    return error_response(request, 503, TITLE, message,
                          headers=[("Retry-After", str(seconds))])


def database_error(exc: Exception, request: Request) -> Response:
    cause = getattr(exc, "orig", None) or exc
    if is_disk_full(exc):
        # Before the retry check: running the request again at once would meet
        # the same full disk.
        refuse(request, DISK_FULL_KEY, cause, "database disk full")
        return unavailable(request, FULL)
    if mark_if_retryable(exc):
        if not is_last_attempt(request):
            # pyramid_retry discards this response and runs the request again.
            log_retry(request, exc)
            return unavailable(request, BUSY)
        if is_unavailable(exc):
            refuse(request, UNREACHABLE_KEY, cause, "database unavailable")
            return unavailable(request, DOWN)
        attempts = request.environ.get("retry.attempts", 1)
        log.error("%s failed %s time(s) on a database conflict, answering 503: %s: %s",
                  request_excerpt(request), attempts, type(cause).__name__, cause)
        return unavailable(request, BUSY)
    if is_unavailable(exc):
        refuse(request, UNREACHABLE_KEY, cause, "database unavailable")
        return unavailable(request, LOST_IN_COMMIT if lost_in_commit(exc) else DOWN)
    return server_error(exc, request)


def includeme(config: Configurator) -> None:
    engine = config.registry.get("podium.engine")
    if engine is not None:
        config.registry[DISK_FULL_KEY] = disk_full_episode(engine)
        config.registry[UNREACHABLE_KEY] = unreachable_episode(engine)
        watch_commits(engine)
    for context in (DBAPIError, PoolTimeout, TransientError):
        config.add_exception_view(database_error, context=context)
