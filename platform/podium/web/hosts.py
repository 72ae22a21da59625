"""400 Bad Request for a Host this site does not answer to (``podium.allowed_hosts``).

Pyramid builds every absolute URL (redirects, static URLs, ``route_url``)
from the request's Host, so a request for ``Host: evil.example`` would be
answered with links to evil.example, which a cache in front of the site may
then serve to everyone.

The Host checked is ``request.host``, as the server hands it over: waitress
replaces it by ``X-Forwarded-Host`` only for a ``trusted_proxy`` listed in
``trusted_proxy_headers``, so a forwarded header from anyone else is never
believed here either.  The port is ignored, names are compared without case
and without a trailing dot, and IPv6 literals in their shortest form.

Entries are matched as nginx's ``server_name`` matches them: ``example.org``
that name only, ``.example.org`` that name and every subdomain (Django's
``ALLOWED_HOSTS`` rule), ``*.example.org`` the subdomains only.

One tween, under the exception view tween so that the core's error views
render its ``HTTPBadRequest`` in the layout or as JSON, and above the other
checks of the request, so that a refused host learns nothing more.  The one
path it lets through is ``/health`` (:mod:`podium.web.health`): load balancers
probe by address, and that answer holds no URL.
"""

from __future__ import annotations

import ipaddress
import logging
import re
from collections.abc import Callable, Iterable

from pyramid.config import Configurator
from pyramid.httpexceptions import HTTPBadRequest
from pyramid.registry import Registry
from pyramid.request import Request
from pyramid.response import Response
from pyramid.tweens import EXCVIEW, MAIN

from ..excerpts import excerpt, request_excerpt
from .health import HEALTH_PATH

log = logging.getLogger(__name__)

SETTING = "podium.allowed_hosts"

#: A Host header: a name or an IPv6 literal, then an optional port.
_HOST = re.compile(r"(?P<name>[a-z0-9_-]+(?:\.[a-z0-9_-]+)*\.?|\[[0-9a-f:.]+\])(?::[0-9]*)?")


def host_name(host: str) -> str | None:
    """The name part of a Host header, normalised for comparison, or None
    when it is not a host name at all."""
    match = _HOST.fullmatch(host.strip().lower())
    if match is None:
        return None
    name = match["name"]
    if name.startswith("["):
        try:
            return f"[{ipaddress.IPv6Address(name[1:-1]).compressed}]"
        except ValueError:
            return None
    return name[:-1] if name.endswith(".") else name


class AllowedHosts:
    """The entries of ``podium.allowed_hosts``, ready to answer one question."""

    def __init__(self, entries: Iterable[str]):
        self.entries = tuple(entries)
        self.exact = frozenset(e for e in self.entries if not e.startswith((".", "*.")))
        self.with_subdomains = tuple(e[1:] for e in self.entries if e.startswith("."))
        self.subdomains_only = tuple(e[2:] for e in self.entries if e.startswith("*."))

    def __contains__(self, name: object) -> bool:
        if not isinstance(name, str):
            return False
        if name in self.exact or name in self.with_subdomains:
            return True
        return any(name.endswith("." + domain)
                   for domain in self.with_subdomains + self.subdomains_only)

    def fallback(self) -> str:
        """A host of the site's own, put in place of a refused one so that the
        error page's links point at the site and never at the refused host."""
        entry = self.entries[0] if self.entries else "localhost"
        return entry.removeprefix("*.").removeprefix(".")


def refusal(host: str) -> str:
    return (f"This site does not answer to the host name {excerpt(host, 80)}. "
            "Check the address you typed or the link you followed.")


def allowed_hosts_tween_factory(handler: Callable[[Request], Response],
                                registry: Registry) -> Callable[[Request], Response]:
    allowed = AllowedHosts(registry.settings[SETTING])

    def allowed_hosts_tween(request: Request) -> Response:
        host = request.host
        if host_name(host) in allowed or request.path_info == HEALTH_PATH:
            return handler(request)
        message = refusal(host)
        log.info("400 for %s: %s", request_excerpt(request), message)
        request.environ["HTTP_HOST"] = allowed.fallback()
        raise HTTPBadRequest(message)

    return allowed_hosts_tween


def includeme(config: Configurator) -> None:
    # Under the exception view tween, so that its 400 is rendered like any other
    # error; over the body limit's and the unreadable input's, so that nothing
    # else is said to a host the site does not serve.
    config.add_tween("podium.web.hosts.allowed_hosts_tween_factory", under=EXCVIEW,
                     over=("podium.web.body_limit.body_limit_tween_factory", MAIN))
