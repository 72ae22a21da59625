"""401 and 403: what a refused request is told, and what it can do about it.

Pyramid raises ``HTTPForbidden`` when a view's ``permission=`` is not met
(and a plugin may raise it itself).  Podium's forbidden view answers it by
who is asking:

- **nobody** (no session, a stale one, a wrong or expired bearer token):
  *401*, since logging in may help.  A JSON client (one that asks for JSON,
  sends it, calls an ``/api/`` URL or sends a bearer token) gets the JSON error shape
  and ``WWW-Authenticate: Bearer`` (``error="invalid_token"`` when it sent a
  token that identifies nobody); a page request made with GET or HEAD is sent
  to the login page (``303``, ``/login?next=<this page>``), and any other page
  request (a form's POST) gets a 401 page in the layout linking to the same
  login URL: what it sent was not acted on, and logging in then sending it
  again is what helps.
- **a user without the permission**: *403*, in the layout or the JSON shape,
  naming the permission the view needs (when the view declared one) and the
  account, so that the user knows whom to ask for what.  A plugin's own
  ``HTTPForbidden("...")`` keeps its message (followed, on a 401, by what
  logging in means).

The permission is recorded by a view deriver placed outside Pyramid's
permission check: ``HTTPForbidden`` itself does not carry it.
"""

from __future__ import annotations

from typing import Any

from pyramid.config import Configurator
from pyramid.httpexceptions import HTTPForbidden, HTTPSeeOther
from pyramid.interfaces import IDefaultPermission, IViewDeriverInfo
from pyramid.request import Request
from pyramid.response import Response
from pyramid.security import NO_PERMISSION_REQUIRED
from pyramid.viewderivers import INGRESS

from ..web.errors import error_response, wants_json
from ..web.urls import login_path, route_url
from .policy import bearer_token

LOGIN_NEEDED_TEMPLATE = "podium:templates/login_needed.jinja2"
#: Where the deriver records the permission of the view being called.
PERMISSION_KEY = "podium.view_permission"
REALM = 'Bearer realm="Podium"'

NO_IDENTITY_JSON = ("This needs a logged-in user. A program sends an API token in the "
                    "Authorization header (Authorization: Bearer <token>); a user creates "
                    "one on their account page, {account}, an administrator with podium "
                    "tokens create.")
INVALID_TOKEN_JSON = ("The API token in the Authorization header is wrong, expired or "
                      "revoked, or its user is disabled: nobody is logged in by it. Create "
                      "a new one on your account page, {account}, or ask an administrator "
                      "for one (podium tokens create).")
NO_IDENTITY_PAGE = ("You are not logged in, or your session has ended, so this was not "
                    "done and nothing was changed. Log in, then send it again.")


def _needs_a_user(exc: HTTPForbidden, request: Request) -> Response:
    token = bearer_token(request)
    challenge = REALM if token is None else f'{REALM}, error="invalid_token"'
    headers = [("WWW-Authenticate", challenge)]
    # A view's own HTTPForbidden("...") says why first.
    own = f"{exc.detail} " if exc.result is None and exc.detail else ""
    if token is not None or wants_json(request):  # a program: no login page for it
        # Users make their own tokens at /account: the full URL, for a program's log.
        template = NO_IDENTITY_JSON if token is None else INVALID_TOKEN_JSON
        message = template.format(account=route_url(request, "podium.account"))
        return error_response(request, 401, "Unauthorized", own + message, headers=headers,
                              as_json=True)
    if request.method in ("GET", "HEAD"):
        return HTTPSeeOther(location=login_path(request))
    return error_response(request, 401, "Log in needed", own + NO_IDENTITY_PAGE,
                          headers=headers, template=LOGIN_NEEDED_TEMPLATE,
                          values={"login_url": login_path(request)})


def _not_allowed_message(exc: HTTPForbidden, request: Request, identity: Any) -> str:
    who = f"{identity.display_name} ({identity.login})"
    if exc.result is None:  # raised by a view or a plugin, not by a permission check
        if exc.detail:
            return str(exc.detail)
        return f"Your account, {who}, may not do this."
    permission = request.environ.get(PERMISSION_KEY)
    if not permission:
        return f"Your account, {who}, may not do this."
    return (f"Your account, {who}, may not do this: it needs the permission {permission}, "
            "which none of your roles gives. An administrator can grant you a role that "
            "gives it.")


def forbidden(exc: HTTPForbidden, request: Request) -> Response:
    identity = request.identity
    if identity is None:
        return _needs_a_user(exc, request)
    return error_response(request, 403, "Forbidden", _not_allowed_message(exc, request, identity))


def permission_recorded(view: Any, info: IViewDeriverInfo) -> Any:
    """Outside Pyramid's permission check: note the permission the view
    needs in the environ, for :func:`forbidden` to name it.  Mirrors how
    Pyramid picks the permission (the view's, else the default one)."""
    if info.exception_only:
        return view
    permission = info.options.get("permission")
    if permission is None:
        permission = info.registry.queryUtility(IDefaultPermission)
    if permission is None or permission == NO_PERMISSION_REQUIRED:
        return view

    def view_with_permission_noted(context: Any, request: Request) -> Any:
        request.environ[PERMISSION_KEY] = permission
        return view(context, request)

    return view_with_permission_noted


def includeme(config: Configurator) -> None:
    config.add_forbidden_view(forbidden)
    config.add_view_deriver(permission_recorded, "podium_permission_noted", under=INGRESS,
                            over="secured_view")
