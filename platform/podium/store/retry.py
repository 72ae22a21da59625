"""Retrying requests that met a concurrent transaction (pyramid_retry).

pyramid_retry runs a request again when its error is marked retryable;
``retry.attempts`` (3 by default) bounds how often.  zope.sqlalchemy marks
PostgreSQL's serialization failures and deadlocks, but only when pyramid_tm
gets to ask it, which it does not when an exception view has already turned
the error into a 5xx response (Podium's always does); and nobody marks
SQLite's "database is locked"; nor a statement that met a pooled
connection the server had dropped (Podium does not pre-ping, see
``podium.store.engine``).  So the error is marked where it is turned
into a response: :func:`podium.web.unavailable.database_error` calls
:func:`mark_if_retryable` for every database error, raised by a view or by
the commit.  Each retry is logged (:func:`log_retry`); the last attempt's error becomes a
503 with ``Retry-After`` instead of a 500.
"""

from __future__ import annotations

import io
import logging

from pyramid.request import Request
from pyramid_retry import IRetryableError, mark_error_retryable

from ..excerpts import request_excerpt
from .errors import is_conflict, is_stale_connection

log = logging.getLogger(__name__)


def mark_if_retryable(exc: BaseException) -> bool:
    """Mark a conflict retryable (for pyramid_retry); say whether it is one."""
    if IRetryableError.providedBy(exc):
        return True
    if isinstance(exc, Exception) and (is_conflict(exc) or is_stale_connection(exc)):
        mark_error_retryable(exc)
        return True
    return False


def log_retry(request: Request, exc: BaseException) -> None:
    """Called where the conflict is turned into a response, not from an
    ``IBeforeRetry`` subscriber: a single subscriber makes Pyramid notify
    every event of every request (NewRequest, ContextFound, BeforeRender,
    NewResponse), which every request would pay for a rare retry."""
    attempt = request.environ.get("retry.attempt", 0) + 1
    attempts = request.environ.get("retry.attempts", "?")
    cause = getattr(exc, "orig", None) or exc
    log.warning("retrying %s after attempt %s of %s failed: %s: %s",
                request_excerpt(request), attempt, attempts,
                type(cause).__name__, str(cause).strip().splitlines()[0] if str(cause) else "")


def seek_instead_of_copying(request: Request) -> None:
    """``retry.activate_hook``: before each request, pyramid_retry copies the
    body so that a retry can read it again.  A request with neither
    Content-Length nor Transfer-Encoding has no body (RFC 9112, 6.3): hand it
    an empty, seekable one instead of copying nothing.  Returns None: the
    number of attempts stays ``retry.attempts``."""
    environ = request.environ
    if not environ.get("CONTENT_LENGTH") and "HTTP_TRANSFER_ENCODING" not in environ:
        environ["wsgi.input"] = io.BytesIO()
        environ["CONTENT_LENGTH"] = "0"
        environ["webob.is_body_seekable"] = True
