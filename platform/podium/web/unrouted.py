"""Requests that no route matched: answer 404 without a traversal that cannot succeed.

When no route matches, Pyramid still traverses from the default root and
looks for a view named after the path's first segment.  In a Podium app
every view normally hangs off a route, so that lookup can only miss, and a
miss is the dearest lookup Pyramid has: it is never cached (the key holds
the requested name, so a cache would grow with every URL a client makes
up) and walks every combination of request and context interfaces (18
adapter lookups).  That was about 37 us of a 240 us 404 page in-process
(bench.scaling, 100 plugins).

So Podium registers a traverser for the default root (``add_traverser``,
Pyramid's own extension point) that raises ``HTTPNotFound``, with the
message Pyramid would give, as soon as it sees a request with no matched
route, provided that nothing could be found by traversal: no view is
registered without a route (``route_name``), other than exception views.
Anything else is Pyramid's own ``ResourceTreeTraverser``, untouched:

- requests that matched a route (their root is the default root too);
- apps with any traversal view (a plugin calling ``add_view(name=...)``
  without a route, for any context the default root is), decided once, at
  the first unrouted request, from the ``views`` introspection category;
- apps with introspection turned off (nothing to decide from), or with
  ``pyramid.debug_notfound`` on (Pyramid's detailed log line is the point);
- apps that set their own root factory (their root is another class).

What an unrouted 404 no longer gets is a ``ContextFound`` event: no context
was found, and no view ran.  Requests the router is not handling (``pviews``
looking for a URL's view, ``find_resource`` on the default root) are always
traversed as Pyramid would.
"""

from __future__ import annotations

from typing import Any

from pyramid.config import Configurator
from pyramid.httpexceptions import HTTPNotFound
from pyramid.registry import Registry
from pyramid.request import Request
from pyramid.settings import asbool
from pyramid.traversal import DefaultRootFactory, ResourceTreeTraverser
from zope.interface.interfaces import IInterface


def has_traversal_views(registry: Registry) -> bool:
    """Could traversal from the default root find a view?  True unless every
    registered view belongs to a route, is an exception view, or is for a
    context the default root is not (Pyramid's own view for exception
    responses); True when it cannot be told."""
    if asbool((registry.settings or {}).get("pyramid.debug_notfound")):
        return True
    views = registry.introspector.get_category("views")
    if not views:  # introspection is off: Podium's own views would be there
        return True
    return any(_reachable(entry["introspectable"]) for entry in views)


def _reachable(view: Any) -> bool:
    if view["route_name"] is not None or view["exception_only"]:
        return False
    # The default root has no items: traversal always stops at it, so only
    # views for a context the root is can be found.
    context = view["context"]
    if context is None:
        return True
    if isinstance(context, type):
        return issubclass(DefaultRootFactory, context)
    if IInterface.providedBy(context):
        return context.implementedBy(DefaultRootFactory)
    return True


_DECISION_KEY = "podium.unrouted_404"


class UnroutedTraverser(ResourceTreeTraverser):
    """The traverser of the default root (see the module documentation);
    Pyramid's own for every request that matched a route."""

    def __call__(self, request: Request) -> dict[str, Any]:
        # Only for a request the router is handling: it sets request_iface on
        # the request itself before traversing.  pviews and
        # pyramid.traversal.traverse() (find_resource) call traversers with
        # requests of their own, which must traverse as Pyramid would.
        if request.matched_route is None and "request_iface" in request.__dict__:
            registry = request.registry
            shortcut = registry.get(_DECISION_KEY)
            if shortcut is None:
                shortcut = registry[_DECISION_KEY] = not has_traversal_views(registry)
            if shortcut:
                raise HTTPNotFound(request.path_info)
        # Not super(): every routed request comes through here, and the
        # proxy object super() builds is work for nothing.
        return ResourceTreeTraverser.__call__(self, request)


def includeme(config: Configurator) -> None:
    config.add_traverser(UnroutedTraverser, DefaultRootFactory)
