"""Request bodies over ``podium.max_body_size`` are refused with a 413 before
anything reads them.

The check cannot be a tween: pyramid_retry is an *execution policy*, which
runs before every tween, and it copies the whole body (to replay it on a
retry) right after calling its ``retry.activate_hook``.  So the check is
that hook, wrapped around the hook configured before it (Podium's
:func:`podium.store.retry.seek_instead_of_copying`, or a host's), through
the ``retry.activate_hook`` setting pyramid_retry reads when the
configuration is committed (a wrapping execution policy would conflict with
the one pyramid_retry registers).  A hook cannot answer the request, so a refused
request leaves with an empty body and a note in its environ, and the request
checks' tween just above the view (under Pyramid's exception view tween,
:mod:`podium.web.checks`) raises ``HTTPRequestEntityTooLarge`` for it: the
core's error views answer in the layout or as JSON, like any other error.

- With a Content-Length, the declared size decides; nothing is read.
- Without one (``Transfer-Encoding: chunked`` behind a server that streams
  it, which sets ``wsgi.input_terminated``), at most limit + 1 bytes are
  read into a seekable file; past the limit the request is refused, within
  it the file becomes the body (with its Content-Length), so pyramid_retry
  seeks it instead of copying it again.

A view may accept more for its route: ``config.add_view(...,
route_name="upload", max_body_size=50 * 2**20)``.  The hook runs before
routing, so for a body over the global limit, and only when some view
declared such a limit, it asks the routes mapper (``IRoutesMapper``, as
Pyramid's router does) which route the path matches; that route accepts the
largest ``max_body_size`` its views declare (never less than the global
limit).  A declaring view also checks its own limit when it is called,
since another view of the same route may have declared more.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from typing import Any

from pyramid.config import Configurator
from pyramid.exceptions import ConfigurationError, URLDecodeError
from pyramid.httpexceptions import HTTPRequestEntityTooLarge
from pyramid.interfaces import IRoutesMapper
from pyramid.request import Request

SETTING = "podium.max_body_size"
#: Registry key: route name -> the largest ``max_body_size`` its views declared.
ROUTE_LIMITS = "podium.route_body_limits"
#: Environ key of a refused request; its value is the 413's message.
REFUSED = "podium.body_refused"
#: Bytes read from a streamed body at a time.
CHUNK = 64 * 1024

ActivateHook = Callable[[Request], int | None]


def _too_large(size: int | None, limit: int) -> str:
    if size is None:
        return f"The request body is larger than the {limit} bytes this address accepts."
    return f"The request body ({size} bytes) is larger than the {limit} bytes this address accepts."


def route_limit(request: Request, limit: int) -> int:
    """The limit of the route ``request``'s path matches, or ``limit``."""
    declared: dict[str, int] = request.registry.get(ROUTE_LIMITS) or {}
    if not declared:
        return limit
    mapper = request.registry.queryUtility(IRoutesMapper)
    if mapper is None:
        return limit
    try:
        route = mapper(request)["route"]
    except URLDecodeError:
        return limit  # the router answers 400 for it
    if route is None:
        return limit
    return max(limit, declared.get(route.name, limit))


def _buffer_at_most(request: Request, limit: int) -> bool:
    """Read a body of unknown length, at most ``limit`` + 1 bytes; on success
    it becomes the request's seekable body with its Content-Length."""
    stream = request.body_file_raw
    buffer = tempfile.SpooledTemporaryFile(max_size=request.request_body_tempfile_limit)
    size = 0
    while size <= limit:
        chunk = stream.read(min(CHUNK, limit + 1 - size))
        if not chunk:
            break
        buffer.write(chunk)
        size += len(chunk)
    if size > limit:
        buffer.close()
        return False
    buffer.seek(0)
    request.body_file = buffer  # resets content_length and is_body_seekable
    request.content_length = size
    request.is_body_seekable = True
    return True


def _refuse(request: Request, message: str) -> int:
    request.environ[REFUSED] = message
    # Nothing after this point may read what was refused.
    request.body = b""
    return 1  # one attempt: pyramid_retry has nothing to replay


def limiting_hook(limit: int, previous: ActivateHook | None) -> ActivateHook:
    """A ``retry.activate_hook`` that refuses bodies over ``limit``, then asks
    ``previous`` (the hook it replaces) for the number of attempts."""

    def refuse_large_bodies(request: Request) -> int | None:
        environ = request.environ
        if environ.get("CONTENT_LENGTH"):
            size = request.content_length
            if size is not None and size > limit:
                allowed = route_limit(request, limit)
                if size > allowed:
                    return _refuse(request, _too_large(size, allowed))
        elif "HTTP_TRANSFER_ENCODING" in environ and request.is_body_readable:
            allowed = route_limit(request, limit)
            if not _buffer_at_most(request, allowed):
                return _refuse(request, _too_large(None, allowed))
        return previous(request) if previous is not None else None

    return refuse_large_bodies


def refusal(request: Request) -> HTTPRequestEntityTooLarge | None:
    """The 413 for a request the hook refused, or None; the request checks'
    tween (:mod:`podium.web.checks`) raises it, just above the view."""
    message = request.environ.get(REFUSED)
    return None if message is None else HTTPRequestEntityTooLarge(message)


def max_body_size_deriver(view: Callable[..., Any], info: Any) -> Callable[..., Any]:
    """The ``max_body_size`` view option: record the route's limit for the
    hook, and check this view's own when it is called."""
    declared = info.options.get("max_body_size")
    if declared is None:
        return view
    if isinstance(declared, bool) or not isinstance(declared, int) or declared < 1:
        raise ConfigurationError(
            f"max_body_size = {declared!r}: expected a whole number of bytes >= 1")
    route_name = info.options.get("route_name")
    if not route_name:
        raise ConfigurationError(
            f"max_body_size = {declared}: needs route_name, because the limit is checked "
            "before the view is found, from the route the path matches")
    limits: dict[str, int] = info.registry[ROUTE_LIMITS]
    limits[route_name] = max(limits.get(route_name, 0), declared)
    own = max(declared, info.registry.settings[SETTING])

    def limited(context: Any, request: Request) -> Any:
        size = request.content_length
        if size is not None and size > own:
            raise HTTPRequestEntityTooLarge(_too_large(size, own))
        return view(context, request)

    return limited


max_body_size_deriver.options = ("max_body_size",)  # type: ignore[attr-defined]


def includeme(config: Configurator) -> None:
    settings = config.get_settings()
    config.registry[ROUTE_LIMITS] = {}
    # podium.store has set its default hook by now; pyramid_retry reads the
    # setting only when the configuration is committed.
    previous = config.maybe_dotted(settings.get("retry.activate_hook"))
    settings["retry.activate_hook"] = limiting_hook(settings[SETTING], previous)
    # Before the CSRF check (Pyramid's, or Podium's own once it replaces it),
    # which reads a form's body for its token.
    config.add_view_deriver(max_body_size_deriver, "podium_max_body_size",
                            under="secured_view", over=("csrf_view", "podium_csrf"))
