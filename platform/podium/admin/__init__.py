"""The admin console, under ``/admin`` (permission ``podium.admin``; the
users and roles pages ``podium.users``).

Included before the plugins, so that their ``includeme`` can call
``config.add_admin_page`` (:mod:`.navigation`); everything a page shows is
read when it is requested, so the plugins' registrations are all known by
then.  One module per concern: :mod:`.overview`, :mod:`.plugin_pages`,
:mod:`.users`, :mod:`.audit`, :mod:`.health`; the templates are
``podium:templates/admin/*.jinja2``, extending the core layout.
"""

from __future__ import annotations

from pyramid.config import Configurator
from pyramid.httpexceptions import HTTPFound
from pyramid.request import Request

from ..plugins.permissions import PUBLIC
from . import audit, health, overview, plugin_pages, users
from .navigation import ADMIN

USERS = "podium.users"
_T = "podium:templates/admin/"
READ = ("GET", "HEAD")


def to_overview(request: Request) -> HTTPFound:
    return HTTPFound(request.route_url("podium.admin"))


def includeme(config: Configurator) -> None:
    config.include(".navigation")
    routes = {
        "podium.admin": "/admin",
        "podium.admin.slash": "/admin/",
        "podium.admin.plugin": "/admin/plugins/{name}",
        "podium.admin.users": "/admin/users",
        "podium.admin.user_new": "/admin/users/new",
        "podium.admin.user": "/admin/users/{login}",
        "podium.admin.user_action": "/admin/users/{login}/{action}",
        "podium.admin.roles": "/admin/roles",
        "podium.admin.audit": "/admin/audit",
        "podium.admin.health": "/admin/health",
    }
    for name, pattern in routes.items():
        config.add_route(name, pattern)
    config.add_view(to_overview, route_name="podium.admin.slash", request_method=READ,
                    permission=ADMIN)
    config.add_view(overview.overview, route_name="podium.admin", request_method=READ,
                    renderer=_T + "overview.jinja2", permission=ADMIN)
    config.add_view(plugin_pages.plugin_page, route_name="podium.admin.plugin",
                    request_method=READ, renderer=_T + "plugin.jinja2", permission=ADMIN)
    config.add_view(users.user_list, route_name="podium.admin.users", request_method=READ,
                    renderer=_T + "users.jinja2", permission=USERS)
    config.add_view(users.new_user_form, route_name="podium.admin.user_new",
                    request_method=READ, renderer=users.NEW_USER_TEMPLATE, permission=USERS)
    config.add_view(users.create_user, route_name="podium.admin.user_new",
                    request_method="POST", renderer=users.NEW_USER_TEMPLATE, permission=USERS)
    config.add_view(users.user_page, route_name="podium.admin.user", request_method=READ,
                    renderer=users.USER_TEMPLATE, permission=USERS)
    config.add_view(users.user_action, route_name="podium.admin.user_action",
                    request_method="POST", renderer=users.USER_TEMPLATE, permission=USERS)
    config.add_view(users.role_list, route_name="podium.admin.roles", request_method=READ,
                    renderer=_T + "roles.jinja2", permission=USERS)
    config.add_view(audit.audit_page, route_name="podium.admin.audit", request_method=READ,
                    renderer=_T + "audit.jinja2", permission=ADMIN)
    config.add_view(health.health_view, route_name="podium.admin.health",
                    request_method=READ, permission=ADMIN)
    for name in routes:
        # Any other method: 405, not a 404; it changes nothing, hence no CSRF check.
        config.add_view(users.wrong_method, route_name=name, require_csrf=False,
                        permission=PUBLIC)
    # The console's own navigation, listed like any plugin's admin page.
    config.add_admin_page("overview", "Overview", "podium.admin", weight=-100)
    config.add_admin_page("users", "Users", "podium.admin.users", permission=USERS,
                          weight=-90)
    config.add_admin_page("roles", "Roles", "podium.admin.roles", permission=USERS,
                          weight=-80)
    config.add_admin_page("audit", "Audit log", "podium.admin.audit", weight=-70)
    config.add_admin_page("health", "Health", "podium.admin.health", weight=-60)
