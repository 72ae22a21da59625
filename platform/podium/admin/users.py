"""Users and roles in the console: list and search, create, disable and
enable, reset a password, give and take roles, revoke tokens.

Every change is a POST carrying the CSRF token (Podium's rule for every
form), made through :mod:`podium.accounts.service` exactly as ``podium
users`` makes it, recorded in the audit log on the same session, then a
redirect to a page showing a flash message.  A refused change is the form
again with the reason and status 400, which makes pyramid_tm abort the
transaction: neither the change nor its audit entry is written.
"""

from __future__ import annotations

import math
from typing import Any

from pyramid.httpexceptions import HTTPBadRequest, HTTPFound, HTTPNotFound
from pyramid.request import Request
from pyramid.response import Response
from sqlalchemy import func, or_, select
from sqlalchemy.orm import selectinload

from ..accounts import service
from ..accounts.models import ApiToken, Membership, Role, User
from ..accounts.passwords import Passwords
from ..accounts.role_sources import role_permission_rows
from ..plugins.permissions import catalog_of
from .audit import actor_of, record

PAGE_SIZE = 50
USER_TEMPLATE = "podium:templates/admin/user.jinja2"
NEW_USER_TEMPLATE = "podium:templates/admin/user_new.jinja2"
#: The actions a user's page posts, each to ``/admin/users/{login}/{action}``.
ACTIONS = ("disable", "enable", "password", "grant", "revoke", "revoke-token")


def _field(request: Request, name: str) -> str:
    """A posted text field, trimmed; a password as typed."""
    value = request.POST.get(name, "")
    if not isinstance(value, str):  # a file upload where text belongs
        return ""
    return value if name.startswith("password") else value.strip()


def _page_number(request: Request) -> int:
    raw = request.GET.get("page", "1")
    if not raw.isdigit() or not 1 <= int(raw) <= 100_000:
        raise HTTPBadRequest(f"page={raw!r} is not valid: expected a page number from 1")
    return int(raw)


def user_list(request: Request) -> dict[str, Any]:
    """``?q=`` searches login names, display names and e-mail addresses."""
    query_text = request.GET.get("q", "").strip()[:200]
    page = _page_number(request)
    statement = select(User)
    if query_text:
        pattern = f"%{query_text.lower()}%"
        statement = statement.where(or_(func.lower(User.login).like(pattern),
                                        func.lower(User.display_name).like(pattern),
                                        func.lower(User.email).like(pattern)))
    session = request.dbsession
    total = session.scalar(select(func.count()).select_from(statement.subquery())) or 0
    users = session.scalars(
        statement.options(selectinload(User.memberships).selectinload(Membership.role))
        .order_by(User.login).limit(PAGE_SIZE).offset((page - 1) * PAGE_SIZE)).all()
    return {"users": users, "q": query_text, "page": page,
            "pages": max(1, math.ceil(total / PAGE_SIZE)), "total": total}


def _user_or_404(request: Request) -> User:
    user = service.find_user(request.dbsession, request.matchdict["login"])
    if user is None:
        raise HTTPNotFound(f"No user {request.matchdict['login']!r}.")
    return user


def _user_values(request: Request, user: User, message: str | None = None) -> dict[str, Any]:
    tokens = request.dbsession.scalars(select(ApiToken).where(ApiToken.user_id == user.id)
                                       .order_by(ApiToken.id)).all()
    roles = request.dbsession.scalars(select(Role.name).order_by(Role.name)).all()
    return {"user": user, "tokens": tokens, "message": message, "known_roles": roles,
            "now": service.utcnow()}


def user_page(request: Request) -> dict[str, Any]:
    return _user_values(request, _user_or_404(request))


def user_action(request: Request) -> Any:
    """One change of a user, named by the URL's last segment."""
    user = _user_or_404(request)
    action = request.matchdict["action"]
    session, actor = request.dbsession, actor_of(request)
    try:
        if action in ("disable", "enable"):
            if action == "disable" and request.identity is not None and \
                    getattr(request.identity, "user_id", None) == user.id:
                raise service.AccountError("you cannot disable yourself: another "
                                           "administrator must")
            service.set_active(session, user.login, action == "enable")
            done = f"User {user.login} {action}d."
            record(session, actor, f"user.{action}", user.login)
        elif action == "password":
            password = _field(request, "password")
            if password != _field(request, "password_again"):
                raise service.AccountError("the two passwords differ")
            service.set_password(session, Passwords.from_settings(request.registry.settings),
                                 user.login, password)
            done = f"Password of {user.login} changed; their sessions have ended."
            record(session, actor, "user.password", user.login)
        elif action == "grant":
            role = _field(request, "role")
            _, found, created, granted = service.grant(session, user.login, role)
            done = (f"{user.login} now has the role {found.name}." if granted
                    else f"{user.login} already had the role {found.name}.")
            if granted:
                record(session, actor, "user.grant", user.login, role=found.name,
                       role_created=created)
        elif action == "revoke":
            role = service.normalize_role(_field(request, "role"))
            service.revoke(session, user.login, role)
            done = f"The role {role} was taken from {user.login}."
            record(session, actor, "user.revoke", user.login, role=role)
        elif action == "revoke-token":
            raw = _field(request, "token")
            if not raw.isdigit():
                raise service.AccountError(f"token {raw!r} is not valid: expected a token id")
            token = service.revoke_token(session, user.login, int(raw))
            done = f"Token {token.id} of {user.login} revoked."
            record(session, actor, "token.revoke", user.login, token=token.id,
                   label=token.label)
        else:
            raise HTTPNotFound(f"No user action {action!r}; the actions: {', '.join(ACTIONS)}.")
    except service.AccountError as exc:
        request.response.status_int = 400
        return _user_values(request, user, str(exc))
    request.session.flash(done)
    return HTTPFound(request.route_url("podium.admin.user", login=user.login))


def new_user_form(request: Request) -> dict[str, Any]:
    return {"values": {}, "message": None}


def create_user(request: Request) -> Any:
    values = {name: _field(request, name) for name in ("login", "display_name", "email",
                                                       "role")}
    password = _field(request, "password")
    session = request.dbsession
    try:
        if password != _field(request, "password_again"):
            raise service.AccountError("the two passwords differ")
        user = service.add_user(session, Passwords.from_settings(request.registry.settings),
                                values["login"], password, display_name=values["display_name"],
                                email=values["email"] or None)
        if values["role"]:
            service.grant(session, user.login, values["role"])
    except service.AccountError as exc:
        request.response.status_int = 400
        return {"values": values, "message": str(exc)}
    record(session, actor_of(request), "user.add", user.login,
           **({"role": service.normalize_role(values["role"])} if values["role"] else {}))
    request.session.flash(f"User {user.login} added.")
    return HTTPFound(request.route_url("podium.admin.user", login=user.login))


def role_list(request: Request) -> dict[str, Any]:
    """Every role, its members' count, and every permission of every role
    with where it comes from (``podium roles list``)."""
    session = request.dbsession
    counts = dict(session.execute(
        select(Role.name, func.count(Membership.user_id)).outerjoin(Membership)
        .group_by(Role.name).order_by(Role.name)).all())
    catalog = catalog_of(request.registry)
    rows = role_permission_rows(catalog, session) if catalog is not None else []
    return {"roles": counts, "grants": rows}


def wrong_method(request: Request) -> Response:
    from pyramid.httpexceptions import HTTPMethodNotAllowed

    raise HTTPMethodNotAllowed(f"{request.path} does not answer {request.method}.")
