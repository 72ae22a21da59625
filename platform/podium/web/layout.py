"""The core layout, and what plugins contribute to it without editing it.

``podium:templates/layout.jinja2`` is the page every template extends; its
blocks are listed in docs/plugins.md ("The layout's blocks").  Besides the
view's values and pyramid_jinja2's (``request``...), the layout uses the
globals :func:`includeme` installs, available to every template and listed
in docs/overrides.md: ``podium_navigation(request)`` (the :class:`NavEntry`
list, in order), ``podium_account(request)`` (an :class:`Account`),
``podium_page_assets(request, kind)`` (the
:class:`PageAsset` list of kind ``"css"`` or ``"js"`` for the current page)
and the URL helpers the layout's links use.

Plugins contribute through two directives, conflict-checked and
introspectable like any Pyramid registration:

``config.add_podium_nav(name, title, route_name=None, url=None, weight=None, permission=None)``
    one more navigation entry.  Every enabled plugin already has one, named
    like the plugin, to its front page (weight 0, in plugin order); entries
    are ordered by weight (100 by default), front pages first among equal
    weights, so a negative weight comes before them.  An entry named like an
    existing one conflicts, except that the application (or the plugin
    itself) may replace a plugin's front-page entry by naming it: it then
    keeps that entry's place unless it gives a weight.  With ``permission``,
    the entry is shown only to requests that have it
    (``request.has_permission``).
``config.add_page_asset(asset, routes=None, kind=None, name=None)``
    a stylesheet or script (asset spec, served by a static view, or a URL)
    on the pages whose route name matches one of ``routes`` (glob patterns;
    default: the plugin's own routes, ``notes.*``, or every page when the
    application or the core registers it).

The layout also shows who is asking (``podium_account(request)``): "Log in"
(to the login page, ``next=`` this page) for nobody, the user's display name
and a "Log out" button (a POST form with the CSRF token) for a user.  Error
pages of a failure (5xx, or an exception that is not an HTTP error) look
nobody up: the database may be what failed, and they show neither.

Everything is computed from the registry at render time; the per-route
asset lists are worked out once per route name.
"""

from __future__ import annotations

import fnmatch
import logging
import re
import threading
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

from markupsafe import Markup, escape
from pyramid.config import Configurator
from pyramid.exceptions import ConfigurationError
from pyramid.httpexceptions import HTTPException
from pyramid.registry import Registry
from pyramid.request import Request
from pyramid_jinja2 import ENV_CONFIG_PHASE, IJinja2Environment
from webob.request import PATH_SAFE

from ..plugins.errors import PluginConflictError
from ..plugins.loader import LoadedPlugin
from ..plugins.plugin_set import REGISTRY_KEY as PLUGINS_KEY
from ..plugins.plugin_set import PluginSet, plugin_set
from .urls import (
    login_path,
    plugin_front_path,
    remember,
    route_path,
    route_url,
    script_key,
    static_url,
    url_cache,
)

log = logging.getLogger(__name__)

LAYOUT = "podium:templates/layout.jinja2"
#: The ``<nav>`` fragment the layout's ``navigation`` block renders.
NAVIGATION = "podium:templates/navigation.jinja2"
NAV_CATEGORY = "podium navigation"
ASSET_CATEGORY = "podium page assets"
_NAV_KEY = "podium.navigation"
_ASSETS_KEY = "podium.page_assets"
KINDS = ("css", "js")
#: add_podium_nav's actions run at the default order, 0.
_AFTER_NAV_DECLARATIONS = 1


@dataclass(frozen=True)
class NavEntry:
    """A link of the navigation bar, as the layout receives it."""

    name: str
    title: str
    url: str
    current: bool = False


@dataclass(frozen=True)
class NavDeclaration:
    name: str
    title: str
    route_name: str | None
    url: str | None
    weight: int
    plugin: str | None
    sequence: int
    #: For a plugin's automatic entry: the plugin whose front page it links.
    front_of: Any = None
    #: The plugin whose front-page place the entry holds: its automatic
    #: entry's, or the one an entry of the same name replaces.
    slot: str | None = None
    #: Shown only to a request that has this permission.
    permission: str | None = None

    def href(self, request: Request) -> str:
        """Root-relative, like ``route_path``: the navigation is on every page,
        and absolute links made every page longer and kept one cached copy per
        Host header."""
        if self.front_of is not None:
            return plugin_front_path(request, self.front_of)
        if self.route_name:
            return route_path(request, self.route_name)
        assert self.url is not None
        return self.url if "://" in self.url or self.url.startswith("/") else (
            request.script_name + "/" + self.url)


@dataclass(frozen=True)
class PageAsset:
    """A stylesheet or script tag of a page."""

    name: str
    kind: str
    asset: str
    routes: tuple[str, ...]
    plugin: str | None
    attributes: tuple[tuple[str, str], ...] = ()

    def url(self, request: Request) -> str:
        if "://" in self.asset or self.asset.startswith("/"):
            return self.asset
        return static_url(request, self.asset)

    def applies_to(self, route_name: str | None) -> bool:
        if not self.routes or "*" in self.routes:
            return True
        return route_name is not None and any(fnmatch.fnmatchcase(route_name, pattern)
                                              for pattern in self.routes)


@dataclass
class _PageAssets:
    assets: list[PageAsset] = field(default_factory=list)
    by_route: dict[tuple[str | None, str], tuple[PageAsset, ...]] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def for_route(self, route_name: str | None, kind: str) -> tuple[PageAsset, ...]:
        key = (route_name, kind)
        found = self.by_route.get(key)
        if found is None:
            found = tuple(a for a in self.assets if a.kind == kind and a.applies_to(route_name))
            with self.lock:
                self.by_route[key] = found
        return found


def _plugin_of(registry: Registry, includepath: tuple[str, ...]) -> str | None:
    """The plugin whose ``includeme`` made a registration, from its include
    path; looked up when the action runs, once every plugin is known."""
    plugins: PluginSet | None = registry.get(PLUGINS_KEY)
    if plugins is None:
        return None
    by_spec = plugins.by_include_spec()
    for spec in reversed(includepath):
        if spec in by_spec:
            return by_spec[spec].name
    return None


#: The weight of an entry that gives none (plugins' front pages are 0).
DEFAULT_WEIGHT = 100


def add_podium_nav(config: Configurator, name: str, title: str, route_name: str | None = None,
                   url: str | None = None, weight: int | None = None,
                   permission: str | None = None) -> None:
    """Add a navigation entry (see the module documentation).

    ``weight`` orders entries (lower first; plugins' front pages are 0, in
    plugin order, and come first among equal weights); equal weights keep
    plugin order, then registration order.  Named like an enabled plugin,
    the entry replaces that plugin's front-page entry (only the application
    or the plugin itself may), in its place when ``weight`` is not given.
    ``permission`` hides the entry from a request without it."""
    if (route_name is None) == (url is None):
        raise ConfigurationError("add_podium_nav needs either route_name or url")
    if permission is not None and (not isinstance(permission, str) or not permission.strip()):
        raise ConfigurationError(f"add_podium_nav({name!r}): permission must be a permission "
                                 f"name such as 'notes.view', not {permission!r}")
    registry, includepath = config.registry, config.includepath
    intr = config.introspectable(NAV_CATEGORY, name, title, "navigation entry")
    intr.update(name=name, title=title, route_name=route_name, url=url, weight=weight,
                automatic=False, replaces=None, permission=permission)

    def register() -> None:
        plugin = intr["plugin"] = _plugin_of(registry, includepath)
        plugins: PluginSet | None = registry.get(PLUGINS_KEY)
        replaces = name if plugins is not None and plugins.is_enabled(name) else None
        if replaces and plugin not in (None, replaces):
            raise PluginConflictError(
                f"navigation entry {name!r} is the front-page entry of plugin {name!r}: only "
                f"the application or plugin {name!r} may replace it, not plugin {plugin!r}")
        resolved = int(weight) if weight is not None else (0 if replaces else DEFAULT_WEIGHT)
        intr.update(weight=resolved, replaces=replaces)
        entries: list[NavDeclaration] = registry.setdefault(_NAV_KEY, [])
        entries.append(NavDeclaration(name, title, route_name, url, resolved, plugin,
                                      len(entries), slot=replaces, permission=permission))

    if route_name:
        intr.relate("routes", route_name)
    config.action(("podium nav", name), register, introspectables=(intr,))


def add_page_asset(config: Configurator, asset: str, routes: str | list[str] | None = None,
                   kind: str | None = None, name: str | None = None,
                   attributes: dict[str, str] | None = None) -> None:
    """Add a stylesheet or a script to pages (see the module documentation).

    ``asset`` is an asset spec inside a static view (``pkg:static/x.css``,
    linked with a fingerprinted URL) or a URL.  ``kind`` is ``css`` or
    ``js`` (default: from the extension).  Scripts get ``defer``.  One
    asset is registered once: a second registration conflicts."""
    kind = kind or asset.rsplit(".", 1)[-1].lower()
    if kind not in KINDS:
        raise ConfigurationError(f"add_page_asset({asset!r}): kind must be one of {KINDS}, "
                                 "or the file must end with .css or .js")
    if ":" not in asset and "://" not in asset and not asset.startswith("/"):
        raise ConfigurationError(f"add_page_asset({asset!r}): give an asset spec "
                                 "(package:static/file.css) or a URL")
    attrs = dict(attributes or {})
    if kind == "js":
        attrs.setdefault("defer", "")
    registry, includepath, name = config.registry, config.includepath, name or asset
    intr = config.introspectable(ASSET_CATEGORY, name, asset, "page asset")
    intr.update(asset=asset, kind=kind)

    def register() -> None:
        plugin = _plugin_of(registry, includepath)
        if routes is None:
            patterns: tuple[str, ...] = (f"{plugin}.*",) if plugin else ("*",)
        else:
            patterns = (routes,) if isinstance(routes, str) else tuple(routes)
        intr.update(routes=patterns, plugin=plugin)
        page_asset = PageAsset(name, kind, asset, patterns, plugin, tuple(sorted(attrs.items())))
        registry.setdefault(_ASSETS_KEY, _PageAssets()).assets.append(page_asset)

    config.action(("podium page asset", name), register, introspectables=(intr,))


def _automatic(plugin: LoadedPlugin) -> NavDeclaration:
    """A plugin's entry to its front page, named like the plugin."""
    return NavDeclaration(plugin.name, plugin.title, plugin.front_page, None, 0, plugin.name, -1,
                          front_of=plugin, slot=plugin.name)


def _nav_declarations(registry: Registry) -> list[NavDeclaration]:
    enabled = plugin_set(registry).enabled
    declared = list(registry.get(_NAV_KEY, ()))
    replacing = {d.slot: d for d in declared if d.slot}
    entries = [replacing.get(p.name) or _automatic(p) for p in enabled]
    entries += [d for d in declared if not d.slot]
    order = {p.name: n for n, p in enumerate(enabled)}

    def position(d: NavDeclaration) -> tuple[int, int, int, int]:
        # By weight; among equal weights front pages first, then plugin order
        # (the application's entries last), then registration order.
        owner = d.slot or d.plugin or ""
        return (d.weight, 0 if d.slot else 1, order.get(owner, 1 << 30), d.sequence)

    return sorted(entries, key=position)


def _list_automatic_entries(config: Configurator) -> None:
    """Put each plugin's front-page entry in the ``podium navigation``
    introspection category, beside the declared ones, so that a host sees
    the names it may replace; one already replaced is listed by its
    replacement.  Run once every ``add_podium_nav`` has been registered."""
    registry = config.registry
    plugins: PluginSet | None = registry.get(PLUGINS_KEY)
    replaced = {d.slot for d in registry.get(_NAV_KEY, ()) if d.slot}
    for plugin in plugins.enabled if plugins is not None else ():
        if plugin.name in replaced:
            continue
        intr = config.introspectable(NAV_CATEGORY, plugin.name, plugin.title,
                                     "navigation entry")
        intr.update(name=plugin.name, title=plugin.title, route_name=plugin.front_page,
                    url=None if plugin.front_page else plugin.route_prefix + "/", weight=0,
                    plugin=plugin.name, automatic=True, replaces=None, permission=None)
        # A front page naming no route is reported by the plugins step (and
        # linked to the prefix under skip): nothing to relate to then.
        if plugin.front_page and config.introspector.get("routes", plugin.front_page):
            intr.relate("routes", plugin.front_page)
        # Actions may add actions of the same order or later (Pyramid's
        # ActionState.execute_actions); this one only registers the entry.
        config.action(None, introspectables=(intr,), order=_AFTER_NAV_DECLARATIONS)


#: Characters WebOb leaves unquoted in a path (webob.request.PATH_SAFE) and
#: the unreserved ones: a path of only these is its own quoted form.
_PLAIN_PATH = re.compile(r"[A-Za-z0-9\-._/~!$&'()*+,;=:@]*")


@dataclass(frozen=True)
class _Entries:
    """``(name, title, href)`` of every entry, the set of hrefs, the
    SCRIPT_NAME they were worked out for, and ``(index, permission)`` of the
    entries shown only with a permission."""

    fixed: list[tuple[str, str, str]]
    hrefs: frozenset[str]
    script_name: str
    guarded: tuple[tuple[int, str], ...] = ()

    def hidden(self, request: Request) -> frozenset[int]:
        """The indexes of the entries this request may not see."""
        if not self.guarded:
            return frozenset()
        if not identity_known(request):
            return frozenset(i for i, _ in self.guarded)
        hidden = set()
        for index, permission in self.guarded:
            try:
                allowed = bool(request.has_permission(permission))
            except Exception:  # the identity could not be looked up: show less
                log.warning("navigation: could not check %r", permission, exc_info=True)
                allowed = False
            if not allowed:
                hidden.add(index)
        return frozenset(hidden)

    def current(self, request: Request, hrefs: frozenset[str] | None = None) -> str | None:
        """The href (of ``hrefs``, by default all) that is the current path,
        or the longest one ending with ``/`` that prefixes it (the
        application root excepted).  Only the current path's own prefixes
        are looked up, so the cost does not grow with the number of entries."""
        hrefs = self.hrefs if hrefs is None else hrefs
        path: str = request.path_info
        if not _PLAIN_PATH.fullmatch(path):
            path = quote(path.encode("utf-8"), PATH_SAFE)
        # As route_path builds the hrefs: SCRIPT_NAME as it is, the path quoted.
        here = self.script_name + path
        if here in hrefs:
            return here
        root = self.script_name.rstrip("/")
        end = here.rfind("/")
        while end > len(root):
            prefix = here[:end + 1]
            if prefix in hrefs:
                return prefix
            end = here.rfind("/", 0, end)
        return None


def _entries(request: Request) -> _Entries:
    """The same for every request under one SCRIPT_NAME, so in production
    worked out once (see :mod:`podium.web.urls`)."""
    cache = url_cache(request)
    key = ("navigation", script_key(request))
    found = cache.get(key) if cache is not None else None
    if found is None:
        declarations = _nav_declarations(request.registry)
        fixed = [(d.name, d.title, d.href(request)) for d in declarations]
        guarded = tuple((i, d.permission) for i, d in enumerate(declarations) if d.permission)
        found = _Entries(fixed, frozenset(h for _, _, h in fixed), request.script_name, guarded)
        if cache is not None:
            remember(cache, key, found)
    return found


def _visible(request: Request) -> tuple[list[tuple[str, str, str]], str | None, frozenset[int]]:
    """The entries this request may see, the current one's href among them,
    and the indexes of those hidden."""
    entries = _entries(request)
    hidden = entries.hidden(request)
    if not hidden:
        return entries.fixed, entries.current(request), hidden
    shown = [e for i, e in enumerate(entries.fixed) if i not in hidden]
    return shown, entries.current(request, frozenset(h for _, _, h in shown)), hidden


def navigation(request: Request) -> list[NavEntry]:
    """The navigation entries this request may see; the one whose URL is the
    longest prefix of the current URL is marked ``current``."""
    shown, best, _ = _visible(request)
    return [NavEntry(name, title, h, h == best) for name, title, h in shown]


def navigation_markup(request: Request) -> Markup:
    """The layout's ``<nav>``, rendered from :data:`NAVIGATION`.

    Every plugin adds an entry, and escaping and looping over them in each
    page's layout made HTML pages slower with every plugin.  The fragment
    depends only on the entries, SCRIPT_NAME and which entry is current, so
    in production it is rendered once per combination (and per set of
    entries hidden for want of a permission) and kept with the app's URLs;
    the template stays overridable like any other (``override_asset`` of
    its spec).  It gets ``entries`` only: a navigation that depends on the
    visitor otherwise belongs in the layout's ``navigation`` block, which is
    rendered per request."""
    cache = url_cache(request)
    shown, best, hidden = _visible(request)
    key = ("navigation markup", script_key(request), best or "", *sorted(map(str, hidden)))
    found = cache.get(key) if cache is not None else None
    if found is None:
        entries = [NavEntry(name, title, h, h == best) for name, title, h in shown]
        env = request.registry.queryUtility(IJinja2Environment, name=".jinja2")
        # No request: what is kept for every visitor must not depend on one.
        found = Markup(env.get_template(NAVIGATION).render(entries=entries))
        if cache is not None:
            remember(cache, key, found)
    return found


def identity_known(request: Request) -> bool:
    """Whether the layout may ask who this request comes from: not on the
    error page of a failure (a 5xx, or an exception that is not an HTTP
    error), where the database may be what failed, or be slow to answer."""
    exc = request.exception
    return exc is None or (isinstance(exc, HTTPException) and exc.code < 500)


@dataclass(frozen=True)
class Account:
    """What the layout's account area shows (``podium_account(request)``)."""

    #: ``request.identity``, or None for nobody (and when not ``known``).
    identity: Any
    #: False where nobody was looked up (see :func:`identity_known`): the
    #: layout then shows neither "Log in" nor a name.
    known: bool
    #: The login page, with ``next=`` this page.
    login_url: str
    #: Where the "Log out" button posts.
    logout_url: str
    #: The user's own page (``/account``), which their name links to.
    account_url: str = ""


def account(request: Request) -> Account:
    """Who is asking, for the layout's account area."""
    identity, known = None, identity_known(request)
    if known:
        try:
            identity = request.identity
        except Exception:  # a page must render even when nobody can be looked up
            log.warning("the layout could not look up who is asking", exc_info=True)
            known = False
    return Account(identity, known, login_path(request), route_path(request, "podium.logout"),
                   route_path(request, "podium.account"))


def page_assets(request: Request, kind: str) -> tuple[PageAsset, ...]:
    """The assets of ``kind`` (``css`` or ``js``) for the current page."""
    assets: _PageAssets | None = request.registry.get(_ASSETS_KEY)
    if assets is None:
        return ()
    route = getattr(request, "matched_route", None)
    return assets.for_route(route.name if route is not None else None, kind)


def _render_attributes(asset: PageAsset) -> Any:
    return Markup("".join(f" {escape(k)}" if v == "" else f' {escape(k)}="{escape(v)}"'
                          for k, v in asset.attributes))


def includeme(config: Configurator) -> None:
    config.add_directive("add_podium_nav", add_podium_nav)
    config.add_directive("add_page_asset", add_page_asset)
    config.add_static_view("static", "podium:static", cache_max_age=3600)

    def add_globals() -> None:
        env = config.get_jinja2_environment()
        env.globals["podium_navigation"] = navigation
        env.globals["podium_navigation_markup"] = navigation_markup
        env.globals["podium_account"] = account
        env.globals["podium_page_assets"] = page_assets
        env.globals["podium_asset_attributes"] = _render_attributes
        env.globals["podium_layout"] = LAYOUT
        env.globals["podium_static_url"] = static_url
        env.globals["podium_route_url"] = route_url

    # After pyramid_jinja2 has built the environment, before any request.
    config.action(None, add_globals, order=ENV_CONFIG_PHASE + 1)
    config.action(None, _list_automatic_entries, args=(config,), order=_AFTER_NAV_DECLARATIONS)
