"""400 Bad Request for requests whose path, query string, form or origin cannot be read.

WebOb decodes each as UTF-8 on first read and fails there (``request.path_info``
and ``request.GET`` with ``UnicodeDecodeError``, which Pyramid's routing
re-raises as ``URLDecodeError``; ``request.POST`` with ``DeprecationWarning``
for a form declaring another charset, ``ValueError`` for a multipart body
without a valid boundary, ``LookupError`` or ``UnicodeError`` for a part in a
charset of its own), so wherever that first read happened (routing, the CSRF
check, a view, the error page) the client got a 500.  Pyramid's CSRF checks
fail too on what they read: ``ValueError`` for an ``Origin`` or ``Referer``
that is not a URL, ``TypeError`` for a token sent as a file.

The request checks' tween (:mod:`podium.web.checks`), under the exception
view tween and just above the router, makes those reads first (after the Host
and body size checks, so that a body too large is a 413 before this reads it)
and turns a refusal into an ``HTTPBadRequest`` saying which part is wrong,
which the core's error views render and pyramid_tm rolls back like any 4xx;
WebOb caches what it parsed, so nothing is parsed twice.  The exception view
for ``UnicodeDecodeError`` answers the same where the tween did not run (an
explicit ``pyramid.tweens``), and only for an unreadable request: any other
``UnicodeDecodeError`` is a bug and stays a 500.
"""

from __future__ import annotations

import logging
from urllib.parse import urlsplit

from pyramid.config import Configurator
from pyramid.httpexceptions import HTTPBadRequest
from pyramid.request import Request
from pyramid.response import Response

from ..excerpts import excerpt, request_excerpt
from ..security.csrf import SAFE_METHODS, TOKEN_FIELD
from .errors import error_response, keep_path_readable, server_error

log = logging.getLogger(__name__)

#: The content types WebOb parses as a form (``request.POST``); any other
#: body is left to the view, as WebOb leaves it.
_FORM_TYPES = ("", "application/x-www-form-urlencoded", "multipart/form-data")


def _bytes_shown(exc: UnicodeDecodeError) -> str:
    """The bytes that are not UTF-8, as they would be written in a URL (``%FF``)."""
    return "".join(f"%{byte:02X}" for byte in exc.object[exc.start:exc.end][:8])


def _path_problem(request: Request) -> str | None:
    if request.environ.get("PATH_INFO", "").isascii():
        return None
    try:
        _ = request.path_info
    except UnicodeDecodeError as exc:
        return (f"This address is not valid: {_bytes_shown(exc)} is not UTF-8 text, so it "
                "cannot name a page here. Check the link you followed or the address you typed.")
    return None


def _query_problem(request: Request) -> str | None:
    query = request.environ.get("QUERY_STRING", "")
    if not query or (query.isascii() and "%" not in query):
        return None
    try:
        _ = request.GET  # cached by WebOb for the view
    except UnicodeDecodeError as exc:
        return (f"The query string of this address (after the ?) is not valid: "
                f"{_bytes_shown(exc)} is not UTF-8 text. Check the link you followed.")
    return None


def _form_problem(request: Request) -> str | None:
    content_type = request.content_type
    if content_type not in _FORM_TYPES or (not content_type and request.method != "POST"):
        return None
    try:
        form = request.POST  # cached by WebOb for the CSRF check and the view
    except DeprecationWarning:  # WebOb's refusal of a charset other than UTF-8
        return (f"This form says it is encoded as {excerpt(request.charset, 40)}, and forms "
                "are read only as UTF-8: send it without a charset, or with charset=UTF-8.")
    except (LookupError, ValueError, AttributeError) as exc:
        if content_type != "multipart/form-data":
            if isinstance(exc, ValueError):
                return f"This form could not be read: {exc}."
            raise
        if isinstance(exc, ValueError) and not isinstance(exc, UnicodeError):
            return ("This form could not be read: a multipart/form-data body needs a valid "
                    "boundary parameter in its Content-Type, which this one lacks.")
        # WebOb decodes a part in the charset its own Content-Type names: an
        # unknown one is a LookupError, bytes not in it a UnicodeError, and a
        # charset on a part with filename="" an AttributeError inside WebOb.
        return ("A part of this form could not be read: it declares a charset that is "
                "unknown or does not match its bytes. Send the parts as UTF-8, without a "
                "charset of their own.")
    if not isinstance(form.get(TOKEN_FIELD, ""), str):
        # A file upload named csrf_token: Pyramid's token check compares it as text.
        return (f"The {TOKEN_FIELD} field of this form is a file; it must be the text of the "
                "token the form was served with. Reload the page and try again.")
    return None


def _origin_problem(request: Request) -> str | None:
    """The CSRF origin check (Pyramid's ``check_csrf_origin``) parses the
    ``Origin``, or else the ``Referer``, of an unsafe request as a URL; one
    that is not (``https://[::1``) raised ``ValueError`` there."""
    if request.method in SAFE_METHODS:
        return None
    environ = request.environ
    name, value = "Origin", environ.get("HTTP_ORIGIN")
    if value is None:
        name, value = "Referer", environ.get("HTTP_REFERER")
    if not value:
        return None
    try:
        urlsplit(value.split(" ")[-1])
    except ValueError:
        return (f"The {name} header of this request is not a valid URL "
                f"({excerpt(value, 80)}), so it cannot be checked against this site.")
    return None


def unreadable(request: Request) -> str | None:
    """What is wrong with the request's path, query string, form or origin, or None."""
    environ = request.environ
    if (environ["REQUEST_METHOD"] in SAFE_METHODS and not environ.get("CONTENT_TYPE")
            and not environ.get("QUERY_STRING") and environ.get("PATH_INFO", "").isascii()):
        # Most requests: an ASCII path, no query, a safe method with no form to
        # read (and no origin to check), which every check below lets through.
        return None
    return (_path_problem(request) or _query_problem(request) or _form_problem(request)
            or _origin_problem(request))


def bad_request(request: Request, message: str) -> HTTPBadRequest:
    """The 400 for an unreadable request, logged with the request as it came."""
    log.info("400 for %s: %s", request_excerpt(request), message)
    keep_path_readable(request)  # for every later reader: the layout, loggers, callbacks
    return HTTPBadRequest(message)


def undecodable(exc: UnicodeDecodeError, request: Request) -> Response:
    message = unreadable(request)
    if message is None:
        return server_error(exc, request)
    error = bad_request(request, message)
    return error_response(request, error.code, error.title, message)


def includeme(config: Configurator) -> None:
    config.add_exception_view(undecodable, context=UnicodeDecodeError)
