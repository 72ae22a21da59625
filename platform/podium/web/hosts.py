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

The first of the request checks (:mod:`podium.web.checks`, one tween under the
exception view tween, so that the core's error views render its
``HTTPBadRequest`` in the layout or as JSON), so that a refused host learns
nothing more.  The one path it lets through is ``/health``
(:mod:`podium.web.health`): load balancers probe by address, and that answer
holds no URL.
"""

from __future__ import annotations

import ipaddress
import logging
import re
from collections.abc import Iterable

from pyramid.httpexceptions import HTTPBadRequest
from pyramid.registry import Registry
from pyramid.request import Request

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


#: At most this many distinct Host headers are remembered as accepted: enough for
#: a site's names and ports, bounded against a client inventing subdomains.
ACCEPTED_CAP = 256


class HostCheck:
    """The check, built once from ``podium.allowed_hosts``; the request checks'
    tween (:mod:`podium.web.checks`) calls it for a Host header not yet in
    :attr:`accepted`, so that the common request costs a set lookup instead of
    parsing the same header again."""

    def __init__(self, allowed: AllowedHosts):
        self.allowed = allowed
        #: Host headers (``HTTP_HOST`` as sent) this check has let through.
        self.accepted: set[str] = set()

    def __call__(self, request: Request) -> None:
        """Return when ``request``'s Host is served here (or the path is the
        health probe's); raise ``HTTPBadRequest`` otherwise."""
        host = request.host
        if host_name(host) in self.allowed:
            raw = request.environ.get("HTTP_HOST")
            if raw is not None and len(self.accepted) < ACCEPTED_CAP:
                self.accepted.add(raw)
            return
        if request.path_info == HEALTH_PATH:
            return
        message = refusal(host)
        log.info("400 for %s: %s", request_excerpt(request), message)
        request.environ["HTTP_HOST"] = self.allowed.fallback()
        raise HTTPBadRequest(message)


def host_check(registry: Registry) -> HostCheck:
    """The Host check of the site ``registry`` configures."""
    return HostCheck(AllowedHosts(registry.settings[SETTING]))
