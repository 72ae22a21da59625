"""``config.add_admin_page(...)``: how the core and plugins add pages to the
admin console's navigation.

Each call is an action (discriminator ``("podium admin page", name)``, so
two pages of one name conflict, naming both registrations) and an
introspectable of category ``podium admin pages``; the console lists them
from the introspector, so a page a plugin adds is known however late it is
registered.  A page is listed to a request only when it has the page's
permission; the view behind the route checks it again with ``permission=``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from pyramid.config import Configurator
from pyramid.exceptions import ConfigurationError
from pyramid.interfaces import IRoutesMapper
from pyramid.registry import Registry
from pyramid.request import Request

from ..plugins.permissions import catalog_of

CATEGORY = "podium admin pages"
DISCRIMINATOR = "podium admin page"
ADMIN = "podium.admin"


@dataclass(frozen=True)
class AdminPage:
    name: str
    title: str
    route_name: str
    permission: str
    weight: int
    #: The plugin whose route it is (its name prefix), or ``podium``.
    owner: str


def add_admin_page(config: Configurator, name: str, title: str, route_name: str,
                   permission: str = ADMIN, weight: int = 0) -> None:
    """List the page served at ``route_name`` in the console's navigation as
    ``title``, to those with ``permission``; lighter ``weight`` first."""
    for label, value in (("name", name), ("title", title), ("route_name", route_name),
                         ("permission", permission)):
        if not isinstance(value, str) or not value.strip():
            raise ConfigurationError(f"add_admin_page({name!r}): {label} must be a non-empty "
                                     f"string, not {value!r}")
    if isinstance(weight, bool) or not isinstance(weight, int):
        raise ConfigurationError(f"add_admin_page({name!r}): weight must be an integer, "
                                 f"not {weight!r}")
    page = AdminPage(name, title, route_name, permission, weight,
                     route_name.split(".", 1)[0])
    registry = config.registry
    intr = config.introspectable(CATEGORY, name, title, "podium admin page")
    intr["page"] = page
    intr.relate("routes", route_name)

    def register() -> None:
        # Routes are connected before this runs (PHASE2), every plugin's included.
        mapper = registry.queryUtility(IRoutesMapper)
        if mapper is None or mapper.get_route(route_name) is None:
            raise ConfigurationError(f"add_admin_page({name!r}): route {route_name!r} is not "
                                     "a route; add it with config.add_route first")
        catalog = catalog_of(registry)
        if catalog is not None and not catalog.is_declared(permission):
            raise ConfigurationError(
                f"add_admin_page({name!r}): permission {permission!r} is not declared; "
                f"the declared permissions are: {', '.join(catalog.names())}")

    config.action((DISCRIMINATOR, name), register, introspectables=(intr,))


def admin_pages(registry: Registry) -> list[AdminPage]:
    """Every page registered, lighter weight first, then by title."""
    pages = [entry["introspectable"]["page"]
             for entry in registry.introspector.get_category(CATEGORY) or ()]
    return sorted(pages, key=lambda p: (p.weight, p.title.lower(), p.name))


def visible_pages(request: Request) -> Sequence[AdminPage]:
    """The pages this request may open, for the console's navigation."""
    return [page for page in admin_pages(request.registry)
            if request.has_permission(page.permission)]


def includeme(config: Configurator) -> None:
    config.add_directive("add_admin_page", add_admin_page)
    # For the console's frame: request.podium_admin_pages.
    config.add_request_method(visible_pages, "podium_admin_pages", reify=True)
