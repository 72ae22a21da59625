"""CSRF: a token on every form-shaped request.

A page on another site can make a browser send a GET or a POST whose body
is a form (urlencoded, multipart or text/plain), with the user's cookies.
It cannot send a PUT, PATCH or DELETE, nor a POST whose ``Content-Type`` is
``application/json``, without a CORS preflight, which Podium never approves.
So the token is required on every POST that is not JSON, and API clients
(curl, scripts, other services) send JSON or use PUT/PATCH/DELETE without
one.  Pyramid's own origin check stays on for HTTPS requests either way.
"""

from __future__ import annotations

from pyramid.config import Configurator
from pyramid.request import Request


def is_json_body(request: Request) -> bool:
    content_type = request.content_type
    return content_type == "application/json" or content_type.endswith("+json")


def csrf_applies(request: Request) -> bool:
    """Pyramid calls this before checking the token of an unsafe request."""
    return request.method == "POST" and not is_json_body(request)


def includeme(config: Configurator) -> None:
    config.set_default_csrf_options(require_csrf=True, callback=csrf_applies)
