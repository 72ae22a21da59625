"""CSRF: a token on every unsafe request, except JSON bodies.

A browser on another site can send a form (urlencoded, multipart or
text/plain) to Podium with the user's cookies, but it cannot send a request
whose ``Content-Type`` is ``application/json`` without a CORS preflight,
which Podium never approves.  So a request that declares a JSON body is
exempt from the token: API clients (curl, scripts, other services) just send
JSON, and every form-shaped request still needs the token.  Pyramid's own
origin check stays on for HTTPS requests either way.
"""

from __future__ import annotations

from pyramid.config import Configurator
from pyramid.request import Request


def is_json_body(request: Request) -> bool:
    content_type = request.content_type
    return content_type == "application/json" or content_type.endswith("+json")


def csrf_applies(request: Request) -> bool:
    """Pyramid calls this before checking the token of an unsafe request."""
    return not is_json_body(request)


def includeme(config: Configurator) -> None:
    config.set_default_csrf_options(require_csrf=True, callback=csrf_applies)
