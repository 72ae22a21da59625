"""Request methods and properties baked into one request class, once.

``config.add_request_method(..., reify=True)`` (pyramid_tm's ``request.tm``,
Podium's ``request.dbsession``) makes Pyramid build a new request *class*
for every request, because it attaches the properties to each instance.
After configuration, this step moves every registered method and property
onto one subclass of the request factory and registers that subclass, so a
request costs one instantiation.  Behaviour is unchanged: the descriptors
are Pyramid's own (``reify`` still caches per request).
"""

from __future__ import annotations

from pyramid.config import Configurator
from pyramid.interfaces import IRequestExtensions, IRequestFactory
from pyramid.registry import Registry
from pyramid.request import Request

#: After every other action: request methods registered later still work,
#: Pyramid applies them per request as usual.
BAKE_ORDER = 1_000_000


def bake_request_extensions(registry: Registry) -> None:
    extensions = registry.queryUtility(IRequestExtensions)
    if extensions is None:
        return
    base = registry.queryUtility(IRequestFactory, default=Request)
    if not isinstance(base, type):
        return  # a factory function: only Pyramid knows what it returns
    attributes = {**extensions.methods, **extensions.descriptors}
    baked = type(base.__name__, (base,), {"__module__": base.__module__, **attributes})
    registry.registerUtility(baked, IRequestFactory)
    registry.unregisterUtility(provided=IRequestExtensions)


def includeme(config: Configurator) -> None:
    config.action(None, bake_request_extensions, args=(config.registry,), order=BAKE_ORDER)
