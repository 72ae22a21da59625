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

Any other database error (an integrity error, a missing table) goes to the
500 view as before.
"""

from __future__ import annotations

import logging

from pyramid.config import Configurator
from pyramid.request import Request
from pyramid.response import Response
from pyramid_retry import is_last_attempt
from sqlalchemy.exc import DBAPIError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from transaction.interfaces import TransientError

from ..store.errors import is_unavailable
from ..store.retry import log_retry, mark_if_retryable
from .errors import error_response, request_excerpt, server_error

log = logging.getLogger(__name__)

TITLE = "Service Unavailable"
BUSY = "The database is busy with other changes; nothing was saved. Try again in a moment."
DOWN = "The database cannot be reached right now; nothing was saved. Try again in a moment."


def unavailable(request: Request, message: str) -> Response:
    seconds = request.registry.settings.get("podium.db.retry_after", 2)
    return error_response(request, 503, TITLE, message,
                          headers=[("Retry-After", str(seconds))])


def database_error(exc: Exception, request: Request) -> Response:
    cause = getattr(exc, "orig", None) or exc
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
    for context in (DBAPIError, PoolTimeout, TransientError):
        config.add_exception_view(database_error, context=context)
