"""URLs the layout asks for on every page, computed once per app.

Each page's layout links the core stylesheets, the logo, the home page and
every plugin's front page: through ``request.static_url`` and
``request.route_url`` that was most of the cost of rendering a page with
little content, a 404 above all.  Route paths never change once the app runs, and
fingerprinted static paths only change with the files, so both are kept per
``(SCRIPT_NAME, name)``; only the host part is added per request.  When
``pyramid.reload_assets`` or ``pyramid.reload_templates`` is on (development)
nothing is kept, so an edited file gets its new fingerprint at once.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from pyramid.request import Request
from pyramid.settings import asbool

from ..plugins.loader import LoadedPlugin
from ..security.login import safe_next

_CACHE_KEY = "podium.url_cache"


_UNSET = object()

#: Keys hold SCRIPT_NAME, which a proxy may take from a client's header;
#: past this many entries the cache starts afresh rather than grow.
MAX_ENTRIES = 512


def url_cache(request: Request) -> dict[tuple[str, ...], Any] | None:
    """The app's URL cache, or None while files may change (development)."""
    registry = request.registry
    cache = registry.get(_CACHE_KEY, _UNSET)
    if cache is _UNSET:
        settings = registry.settings or {}
        reloading = asbool(settings.get("pyramid.reload_assets")) or asbool(
            settings.get("pyramid.reload_templates"))
        cache = registry[_CACHE_KEY] = None if reloading else {}
    return cache


def remember(cache: dict[Any, Any], key: Any, value: Any) -> None:
    """Keep ``value``, emptying the cache first if it is full: clients
    sending made-up prefixes must not make the app grow."""
    if len(cache) >= MAX_ENTRIES:
        cache.clear()
    cache[key] = value


def host_url(request: Request) -> str:
    """``request.host_url``, worked out once per request and kept in the
    environ: WebOb parses the Host header again on every access, and a page's
    layout asks about ten times."""
    environ = request.environ
    found = environ.get("podium.host_url")
    if found is None:
        found = environ["podium.host_url"] = request.host_url
    return found


def script_key(request: Request) -> str:
    """SCRIPT_NAME as the environ holds it, for cache keys: the same string
    as ``request.script_name`` one to one, without WebOb decoding it again on
    each access (a page asks about ten times)."""
    return request.environ.get("SCRIPT_NAME", "")


def _path(request: Request, kind: str, name: str) -> str:
    cache = url_cache(request)
    if cache is None:
        return request.static_path(name) if kind == "static" else request.route_path(name)
    key = (kind, script_key(request), name)
    path = cache.get(key)
    if path is None:
        path = request.static_path(name) if kind == "static" else request.route_path(name)
        remember(cache, key, path)
    return path


def static_url(request: Request, spec: str) -> str:
    """``request.static_url(spec)``, fingerprint included."""
    return host_url(request) + _path(request, "static", spec)


def route_url(request: Request, name: str) -> str:
    """``request.route_url(name)`` for a route without placeholders."""
    return host_url(request) + _path(request, "route", name)


def route_path(request: Request, name: str) -> str:
    """``request.route_path(name)`` for a route without placeholders: what
    links repeated on every page use, since it does not depend on the host
    (shorter pages, and one cached copy whatever Host header is sent)."""
    return _path(request, "route", name)


def plugin_front_path(request: Request, plugin: LoadedPlugin) -> str:
    """The plugin's front page path (with SCRIPT_NAME), as ``route_path`` gives."""
    if plugin.front_page:
        try:
            return route_path(request, plugin.front_page)
        except KeyError:  # reported at start-up; skip mode links to the prefix
            pass
    return request.script_name + plugin.route_prefix + "/"


def plugin_front_url(request: Request, plugin: LoadedPlugin) -> str:
    """The plugin's front page URL, host included."""
    return host_url(request) + plugin_front_path(request, plugin)


#: Pages whose "Log in" link brings nobody back to them.
_NO_RETURN = frozenset({"podium.login", "podium.logout"})


def login_path(request: Request) -> str:
    """The login page, with ``next=`` this request's path and query when
    the login page would accept it as the place to come back to (a path of
    this site; not the login and logout pages themselves)."""
    login = route_path(request, "podium.login")
    route = getattr(request, "matched_route", None)
    if route is not None and route.name in _NO_RETURN:
        return login
    target = request.path_qs
    if safe_next(request, target) != target:
        return login
    return f"{login}?{urlencode({'next': target})}"
