"""The login and logout pages (``/login``, ``/logout``), in the core layout.

- Both forms carry the CSRF token (Podium's rule for every form POST).
- A wrong name and a wrong password get one message, and the same argon2
  check (:func:`podium.accounts.service.authenticate`), so neither the page
  nor its timing says whether a name exists.
- Failed logins are counted in the database, per name and per client
  address (:mod:`podium.accounts.throttle`); past the limit an attempt is a
  429 with ``Retry-After``, refused before the password is checked.
- A login starts a new session (``remember`` drops the old one's content);
  a logout raises the user's session epoch, so the cookie, and any copy of
  it, is dead server-side.

The templates are ``podium:templates/login.jinja2`` and
``podium:templates/logout.jinja2``, overridable like any other.
"""

from __future__ import annotations

from typing import Any

from pyramid.config import Configurator
from pyramid.httpexceptions import HTTPFound, HTTPMethodNotAllowed
from pyramid.request import Request
from pyramid.security import NO_PERMISSION_REQUIRED, forget, remember

from ..accounts.passwords import Passwords
from ..accounts.service import authenticate
from ..accounts.throttle import Throttle

LOGIN_TEMPLATE = "podium:templates/login.jinja2"
LOGOUT_TEMPLATE = "podium:templates/logout.jinja2"
#: The one answer to a wrong name, a wrong password and a disabled user.
WRONG_CREDENTIALS = "The login name or the password is wrong."


def _field(request: Request, name: str) -> str:
    value = request.POST.get(name, "")
    return value if isinstance(value, str) else ""


def safe_next(request: Request, target: str) -> str:
    """Where to go after the login: a path of this site, never another site
    (``//evil.example`` and ``/\\evil.example`` are other sites to a browser)."""
    if (target.startswith("/") and not target.startswith(("//", "/\\"))
            and target.isprintable() and len(target) <= 2000):
        return target
    return request.route_path("podium.home")


def _form(request: Request, *, login: str = "", message: str | None = None) -> dict[str, Any]:
    target = request.params.get("next", "")
    return {"login": login, "message": message,
            "next": target if isinstance(target, str) and safe_next(request, target) == target
            else ""}


def login_form(request: Request) -> dict[str, Any]:
    return _form(request)


def _wait_words(seconds: int) -> str:
    minutes = -(-seconds // 60)
    return f"{seconds} seconds" if seconds < 60 else \
        f"{minutes} minute{'s' if minutes != 1 else ''}"


def login(request: Request) -> Any:
    name, password = _field(request, "login"), _field(request, "password")
    settings = request.registry.settings
    throttle = Throttle.from_settings(settings)
    address = request.remote_addr or ""
    wait = throttle.retry_after(request.dbsession, name, address)
    if wait is not None:
        request.response.status_int = 429
        request.response.headers["Retry-After"] = str(wait)
        return _form(request, login=name, message=(
            f"Too many failed logins for this name or from this address. "
            f"Try again in {_wait_words(wait)}."))
    user = authenticate(request.dbsession, Passwords.from_settings(settings), name, password)
    if user is None:
        throttle.record_failure(request.registry["podium.engine"], name, address)
        request.response.status_int = 400
        return _form(request, login=name, message=WRONG_CREDENTIALS)
    throttle.forget_account(request.dbsession, name)
    headers = remember(request, str(user.id))
    return HTTPFound(location=safe_next(request, _field(request, "next")), headers=headers)


def logout_form(request: Request) -> dict[str, Any]:
    return {}


def logout(request: Request) -> HTTPFound:
    headers = forget(request)
    return HTTPFound(location=request.route_path("podium.home"), headers=headers)


def wrong_method(request: Request) -> None:
    raise HTTPMethodNotAllowed(headers={"Allow": "GET, HEAD, POST"})


def includeme(config: Configurator) -> None:
    public = NO_PERMISSION_REQUIRED  # open to everyone: this is how one logs in
    config.add_route("podium.login", "/login")
    config.add_route("podium.logout", "/logout")
    config.add_view(login_form, route_name="podium.login", request_method="GET",
                    renderer=LOGIN_TEMPLATE, permission=public)
    config.add_view(login, route_name="podium.login", request_method="POST",
                    renderer=LOGIN_TEMPLATE, permission=public)
    config.add_view(logout_form, route_name="podium.logout", request_method="GET",
                    renderer=LOGOUT_TEMPLATE, permission=public)
    config.add_view(logout, route_name="podium.logout", request_method="POST",
                    permission=public)
    for route in ("podium.login", "podium.logout"):
        # Changes nothing, so no CSRF check: a PUT gets its 405, not a 400.
        config.add_view(wrong_method, route_name=route, require_csrf=False, permission=public)
