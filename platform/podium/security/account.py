"""The signed-in user's own page (``/account``): who they are, their API
tokens, and a password change, in the core layout.

- Needs ``podium.account`` (granted to ``authenticated`` by default), so
  nobody is sent to the login page by the forbidden view.  Only a session
  identity may use it: an API token is for programs, and one that could make
  more tokens or change the password would outlive its revocation.
- A new token's secret is rendered once, in the response to the POST that
  made it (``Cache-Control: no-store``, like every answer of this page); it
  is kept neither in the session nor in a URL, and the store has its hash.
- The expiry's limits and the password rules are those of ``podium tokens
  create`` and ``podium users passwd`` (:mod:`podium.accounts.service`).
- A password change raises the user's session epoch, which ends their other
  sessions (and every copy of this one's cookie); this session is renewed
  by ``remember``, so the user stays logged in here.
- Bad input is a 400 with the message in the form it came from, and nothing
  changed; another user's token is a 404.

The template is ``podium:templates/account.jinja2``, overridable like any other.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from pyramid.config import Configurator
from pyramid.httpexceptions import HTTPForbidden, HTTPMethodNotAllowed, HTTPNotFound, HTTPSeeOther
from pyramid.request import Request
from pyramid.security import remember

from ..accounts import service
from ..accounts.models import ApiToken, User
from ..accounts.passwords import Passwords
from ..plugins.permissions import PUBLIC
from .policy import SESSION

ACCOUNT = "podium.account"
ACCOUNT_TEMPLATE = "podium:templates/account.jinja2"
SESSION_ONLY = ("The account page is used from a browser's session, not with an API token: "
                "log in to change your tokens or your password.")


@dataclass(frozen=True)
class TokenRow:
    """A token as the page lists it: never its secret (the store has none)."""

    id: int
    label: str
    created: str
    expires: str
    last_used: str
    expired: bool


def when(moment: datetime | None) -> str:
    found = service.aware(moment)
    return found.strftime("%Y-%m-%d %H:%M UTC") if found else ""


def _field(request: Request, name: str) -> str:
    value = request.POST.get(name, "")
    return value if isinstance(value, str) else ""


def _user(request: Request) -> User:
    identity = request.identity
    if identity is None:  # the permission lets nobody in; a host's policy might
        raise HTTPForbidden()
    if getattr(identity, "authenticated_by", SESSION) != SESSION:
        raise HTTPForbidden(SESSION_ONLY)
    user = request.dbsession.get(User, identity.user_id)
    if user is None:
        raise HTTPForbidden()
    return user


def _page(request: Request, user: User, status: int = 200, **values: Any) -> dict[str, Any]:
    request.response.status_int = status
    request.response.headers["Cache-Control"] = "no-store"
    tokens: list[ApiToken] = list(service.list_tokens(request.dbsession, user.login))
    page: dict[str, Any] = {
        "user": user, "last_login": when(user.last_login_at),
        "tokens": [TokenRow(t.id, t.label, when(t.created_at), when(t.expires_at),
                            when(t.last_used_at), service.token_expired(t)) for t in tokens],
        "max_days": service.TOKEN_EXPIRES_MAX_DAYS, "label_max": service.TOKEN_LABEL_MAX,
        "new_token": None, "token_message": None, "token_form": {"label": "", "expires": ""},
        "password_message": None, "password_changed": False}
    page.update(values)
    return page


def account_page(request: Request) -> dict[str, Any]:
    return _page(request, _user(request))


def _expiry(text: str) -> int | None:
    """Days from the form: blank for never, else a whole number (the service
    checks the range, as it does for the command)."""
    text = text.strip()
    if not text:
        return None
    if not text.isdecimal() or len(text) > 9:
        raise service.AccountError(
            f"the expiry {text[:20]!r} is not valid: expected a number of days from 1 to "
            f"{service.TOKEN_EXPIRES_MAX_DAYS}, or nothing for a token that does not expire")
    return int(text)


def create_token(request: Request) -> dict[str, Any]:
    user = _user(request)
    label, expires = _field(request, "label"), _field(request, "expires")
    try:
        new = service.create_token(request.dbsession, user.login, label=label,
                                   expires_days=_expiry(expires))
    except service.AccountError as exc:
        return _page(request, user, 400, token_message=str(exc),
                     token_form={"label": label[:service.TOKEN_LABEL_MAX], "expires": expires[:20]})
    return _page(request, user, new_token=new.secret, new_token_id=new.token.id)


def revoke_token(request: Request) -> HTTPSeeOther:
    user = _user(request)
    text = request.matchdict["token_id"]
    try:
        service.revoke_token(request.dbsession, user.login, int(text))
    except service.AccountError:
        raise HTTPNotFound(f"You have no API token {text}.") from None
    return HTTPSeeOther(location=request.route_path("podium.account"))


def change_password(request: Request) -> dict[str, Any]:
    user = _user(request)
    current, new, again = (_field(request, name) for name in
                           ("current_password", "new_password", "new_password_again"))
    if new != again:
        return _page(request, user, 400,
                     password_message="The two new passwords differ; nothing was changed.")
    passwords = Passwords.from_settings(request.registry.settings)
    try:
        service.change_own_password(request.dbsession, passwords, user.id, current, new)
    except service.AccountError as exc:
        return _page(request, user, 400,
                     password_message=f"Your password was not changed: {exc}.")
    # The epoch rose: this session is renewed with the new one; every other ends.
    remember(request, str(user.id))
    return _page(request, user, password_changed=True)


def read_only(request: Request) -> None:
    raise HTTPMethodNotAllowed(headers={"Allow": "GET, HEAD"})


def post_only(request: Request) -> None:
    raise HTTPMethodNotAllowed(headers={"Allow": "POST"})


def includeme(config: Configurator) -> None:
    config.add_route("podium.account", "/account")
    config.add_route("podium.account.tokens", "/account/tokens")
    config.add_route("podium.account.revoke", r"/account/tokens/{token_id:\d{1,9}}/revoke")
    config.add_route("podium.account.password", "/account/password")
    page = {"renderer": ACCOUNT_TEMPLATE, "permission": ACCOUNT}
    config.add_view(account_page, route_name="podium.account", request_method="GET", **page)
    config.add_view(create_token, route_name="podium.account.tokens", request_method="POST",
                    **page)
    config.add_view(revoke_token, route_name="podium.account.revoke", request_method="POST",
                    permission=ACCOUNT)
    config.add_view(change_password, route_name="podium.account.password",
                    request_method="POST", **page)
    for route in ("podium.account", "podium.account.tokens", "podium.account.revoke",
                  "podium.account.password"):
        # Changes and shows nothing, so no CSRF check: a PUT gets its 405, not a 400.
        config.add_view(read_only if route == "podium.account" else post_only,
                        route_name=route, require_csrf=False, permission=PUBLIC)
