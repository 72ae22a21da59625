"""The request checks, in one tween: the Host (:mod:`.hosts`), the body size
(:mod:`.body_limit`), what WebOb cannot decode (:mod:`.unreadable`).

Each check is its own module's; this one only runs them in their order, which
is what the three tweens they were gave: a refused Host first, so that such a
client learns nothing more; a body too large next, a 413 before anything reads
it; then the path, query string, form and origin, read before the router
does.  One tween instead of three is two Python calls fewer per request, and
a Host already accepted is a set lookup.

The tween sits under Pyramid's exception view tween, so that each refusal is
rendered by the core's error views (in the layout or as JSON) and rolled back
by pyramid_tm like any 4xx, and just above the router (``MAIN``).
"""

from __future__ import annotations

from collections.abc import Callable

from pyramid.config import Configurator
from pyramid.registry import Registry
from pyramid.request import Request
from pyramid.response import Response
from pyramid.tweens import EXCVIEW, MAIN

from .body_limit import REFUSED, refusal
from .hosts import host_check
from .unreadable import bad_request, unreadable


def request_checks_tween_factory(handler: Callable[[Request], Response],
                                 registry: Registry) -> Callable[[Request], Response]:
    """The tween, with the Host check built once from the settings."""
    check_host = host_check(registry)
    accepted = check_host.accepted

    def request_checks_tween(request: Request) -> Response:
        environ = request.environ
        if environ.get("HTTP_HOST") not in accepted:
            check_host(request)
        if REFUSED in environ:
            error = refusal(request)
            if error is not None:
                raise error
        message = unreadable(request)
        if message is not None:
            raise bad_request(request, message)
        return handler(request)

    return request_checks_tween


def includeme(config: Configurator) -> None:
    config.add_tween("podium.web.checks.request_checks_tween_factory", under=EXCVIEW, over=MAIN)
