"""Error pages: the layout for people, JSON for programs, never a traceback
in production.

Every 4xx and 5xx goes through these views, so a plugin raising
``HTTPNotFound`` or failing with an exception gets the same answer as the
core.  The transaction is already doomed by then: pyramid_tm vetoes the
commit of any 4xx/5xx response.
"""

from __future__ import annotations

import logging
import traceback
from typing import Any

from pyramid.config import Configurator
from pyramid.csrf import BadCSRFOrigin, BadCSRFToken
from pyramid.httpexceptions import HTTPError, HTTPInternalServerError
from pyramid.renderers import render, render_to_response
from pyramid.request import Request
from pyramid.response import Response

from ..excerpts import request_excerpt
from ..security.csrf import CSRFNeedsHTTPS, authenticated_by, is_json_body

log = logging.getLogger(__name__)

ERROR_TEMPLATE = "podium:templates/error.jinja2"

#: A CSRF refusal, by what the request was and who it came from (see
#: :func:`csrf_refusal`).
CSRF_FORM_EXPIRED = (
    "This form has expired or was not sent by this site (missing or wrong CSRF token). "
    "Reload the page and send the form again."
)
CSRF_SESSION_JSON = (
    "This request is identified by your session cookie, so it needs the CSRF token of a "
    "page of this site (missing or wrong): a script in the page sends it in the "
    "X-CSRF-Token header. A program that is not a page uses an API token instead "
    "(Authorization: Bearer <token>), which needs no CSRF token."
)
CSRF_ANONYMOUS_JSON = (
    "This request needs a CSRF token (missing or wrong): a script in a page of this site "
    "sends the page's token in the X-CSRF-Token header. A program uses an API token "
    "(Authorization: Bearer <token>), which needs no CSRF token."
)
CSRF_FOREIGN_ORIGIN = (
    "This request was not sent by this site: its Origin (or Referer) header names another "
    "site, which may not send requests here (CSRF protection). A site trusted to do so is "
    "listed in the setting pyramid.csrf_trusted_origins."
)


def keep_path_readable(request: Request) -> None:
    """Replace the bytes of the path that are not UTF-8 by U+FFFD in the environ.

    Called before an error page is rendered: the layout reads the path, and a
    request refused before anything looked at its path (a Host not allowed, a
    body too large) would otherwise fail there again, and get a bare text page
    and a logged traceback instead of the site's 4xx page."""
    environ = request.environ
    path = environ.get("PATH_INFO", "")
    if not path.isascii():
        raw = path.encode("latin-1", "replace")
        environ["PATH_INFO"] = raw.decode("utf-8", "replace").encode().decode("latin-1")


#: Registry key: the names of the routes that have a JSON API view
#: (``json_api=True``), filled by :mod:`podium.jsonapi.schemas`.
JSON_ROUTES = "podium.json_api_routes"
#: What a browser's form sends.
FORM_TYPES = frozenset({"application/x-www-form-urlencoded", "multipart/form-data"})

_HTML_FIRST = ("text/html", "application/json")
_JSON_FIRST = ("application/json", "text/html")
#: Accept header -> answer; clients send a handful of distinct headers, and
#: parsing one costs more than rendering a small error body.
_ACCEPT_ANSWERS: dict[tuple[str | None, bool], bool] = {}
_ACCEPT_ANSWERS_MAX = 512


def wants_json(request: Request) -> bool:
    """JSON when the request reached a JSON API route without a form (the
    route speaks JSON, whatever ``Accept`` says; a form a browser posted
    there is answered as a page would be), the client prefers it, sent a
    JSON body, or called an API URL (a path with an ``/api/`` segment) and
    accepts anything."""
    route = getattr(request, "matched_route", None)
    if (route is not None and route.name in request.registry.get(JSON_ROUTES, ())
            and request.content_type not in FORM_TYPES):
        return True
    environ = request.environ
    # The raw PATH_INFO: WebOb decodes it again on each access; "/api/" reads the same.
    json_first = "/api/" in environ.get("PATH_INFO", "") + "/" or is_json_body(request)
    key = (environ.get("HTTP_ACCEPT"), json_first)
    answer = _ACCEPT_ANSWERS.get(key)
    if answer is None:
        offers = _JSON_FIRST if json_first else _HTML_FIRST
        acceptable = request.accept.acceptable_offers(list(offers))
        answer = bool(acceptable) and acceptable[0][0] == "application/json"
        if len(_ACCEPT_ANSWERS) >= _ACCEPT_ANSWERS_MAX:
            _ACCEPT_ANSWERS.clear()
        _ACCEPT_ANSWERS[key] = answer
    return answer


def csrf_refusal(exc: HTTPError, request: Request) -> tuple[int, str]:
    """The status and the message of a CSRF refusal.

    A request identified by the session cookie is refused with a 403: it
    carries the user's authority, which it may not use without the token.
    Any other is a 400, the request being incomplete rather than forbidden.
    The message says what helps: a person reloads the form; a script in a
    page sends the page's token in ``X-CSRF-Token``; a program uses an API
    token, which needs none; a production site needs HTTPS."""
    status = 403 if authenticated_by(request) == "session" else 400
    if isinstance(exc, CSRFNeedsHTTPS):
        return status, str(exc.detail)  # "expired" would never help: the site needs HTTPS
    if isinstance(exc, BadCSRFOrigin):
        return status, CSRF_FOREIGN_ORIGIN
    if not (wants_json(request) or is_json_body(request)):
        return status, CSRF_FORM_EXPIRED
    return status, CSRF_SESSION_JSON if status == 403 else CSRF_ANONYMOUS_JSON


def _message(exc: HTTPError) -> str:
    return str(exc.detail or exc.explanation or exc.title)


def error_response(request: Request, status: int, title: str, message: str,
                   details: str | None = None, headers: Any = None, *,
                   template: str = ERROR_TEMPLATE,
                   values: dict[str, Any] | None = None,
                   as_json: bool | None = None,
                   fields: dict[str, str] | None = None) -> Response:
    """The error as JSON (``{"error": {"status", "title", "message"}}``, plus
    ``fields``, one message per invalid field, when given) or as a page:
    ``template`` in the layout, with ``status``, ``title``, ``message``,
    ``details``, ``fields`` and ``values``.  JSON when ``as_json``, or when it is
    None and :func:`wants_json`."""
    if as_json if as_json is not None else wants_json(request):
        body: dict[str, Any] = {"status": status, "title": title, "message": message}
        if fields:
            body["fields"] = fields
        response = render_to_response("json", {"error": body}, request=request)
    else:
        keep_path_readable(request)
        page = {**(values or {}), "status": status, "title": title, "message": message,
                "details": details, "fields": fields}
        try:
            body = render(template, page, request=request).encode()
            # Headers given as they are: parsing a content type costs more than the rest.
            response = Response(body=body, headerlist=[
                ("Content-Type", "text/html; charset=UTF-8"), ("Content-Length", str(len(body)))])
        except Exception:
            # A broken layout must not turn every error into a bare traceback.
            log.exception("the error page itself failed to render")
            response = Response(f"{status} {title}\n\n{message}\n", content_type="text/plain")
    response.status_int = status
    for name, value in headers or ():
        if name.lower() in ("allow", "retry-after", "www-authenticate", "location"):
            response.headers[name] = value
    return response


def http_error(exc: HTTPError, request: Request) -> Response:
    if isinstance(exc, (BadCSRFToken, BadCSRFOrigin)):
        status, message = csrf_refusal(exc, request)
        return error_response(request, status, exc.title, message)
    # podium.jsonapi's InvalidInput carries one message per field.
    fields = getattr(exc, "fields", None)
    return error_response(request, exc.code, exc.title, _message(exc), headers=exc.headerlist,
                          fields=fields if isinstance(fields, dict) else None)


def server_error(exc: Exception, request: Request) -> Response:
    log.exception("error while serving %s", request_excerpt(request))
    show = request.registry.settings.get("podium.show_tracebacks")
    details = "".join(traceback.format_exception(exc)) if show else None
    error = HTTPInternalServerError()
    return error_response(
        request, error.code, error.title,
        "Something went wrong on our side; nothing was saved. It has been logged.",
        details,
    )


def includeme(config: Configurator) -> None:
    config.add_exception_view(http_error, context=HTTPError)
    config.add_exception_view(server_error, context=Exception)
    config.include(".unavailable")  # 503 for database conflicts and outages
