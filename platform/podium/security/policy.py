"""The core's Pyramid security policy: who is asking, and may they.

Two identity sources, tried in this order:

- ``Authorization: Bearer <token>`` (JSON clients): the API token's active
  user (:func:`podium.accounts.service.user_for_token`).  A request that sends
  a bearer token is identified by it alone: its cookies are not read, so a
  wrong token is nobody even beside a valid session cookie.
- the session (pages): the user id and the user's ``session_epoch`` that
  :meth:`PodiumSecurityPolicy.remember` stored at login.  A password change,
  disabling the user and logging out raise the epoch, so a session recorded
  before (a copied cookie too) identifies nobody from then on.

An unknown or disabled user, an expired or revoked token and a stale epoch
identify nobody.  The identity is looked up when the request first asks for it,
with one statement (the user, their roles and the store's grants; a token's last
use is written at most once a minute), and cached in the request's environ;
:class:`Identity` is a frozen snapshot, usable after the transaction ended.

The transaction's user (``transaction.interfaces.ITransaction.user``): unless the
operator sets ``tm.annotate_user``, Podium's policy sets it to false, so that
pyramid_tm does not look the identity up at the start of every request, and records
``str(user_id)``, the value pyramid_tm would have written, when the request reads an
identity.  An explicit ``tm.annotate_user`` (true or false) is pyramid_tm's, as it
documents it.

Permissions: a user has what their roles give, plus what the pseudo-roles
``authenticated`` and ``everyone`` give; an anonymous request has what
``everyone`` gives.  What a role gives is its defaults (its
``podium.roles.<role>`` setting, or else the enabled plugins' proposed
``default_grants``: :mod:`podium.plugins.permissions`) and the grants stored
with ``podium roles grant`` (:mod:`podium.accounts.grants`), read with the
identity and cached with it.  The built-in role
``admin`` has every permission.  ``permission=`` on views,
``request.has_permission`` and ``NO_PERMISSION_REQUIRED`` (``podium.api.PUBLIC``)
work as Pyramid documents.

Podium's policy is registered only when neither the application nor a plugin
set one with ``config.set_security_policy``: theirs replaces it whole.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from pyramid.config import Configurator
from pyramid.interfaces import PHASE2_CONFIG, ISecurityPolicy
from pyramid.request import Request
from pyramid.security import Allowed, Denied
from pyramid_tm import is_tm_active

from ..accounts.grants import stored_permissions
from ..accounts.service import (
    UserSnapshot,
    active_user_by_id,
    active_user_for_token,
    end_sessions,
)
from ..plugins.permissions import AUTHENTICATED, EVERYONE, catalog_of
from ..settings.core import ADMIN_ROLE, role_permissions
from .sessions import SESSION_COOKIE

#: Session keys; ``podium.testing``'s login helper writes the same user id key.
USERID_KEY = "podium.userid"
EPOCH_KEY = "podium.epoch"
#: Where the identity of a request is cached (``_MISSING`` until looked up).
CACHE_KEY = "podium.identity"
#: Where the store's grants to ``everyone`` are cached for an anonymous request.
EVERYONE_CACHE_KEY = "podium.everyone_permissions"
_MISSING = object()

SESSION = "session"
BEARER = "bearer"


@dataclass(frozen=True)
class Identity:
    """The user a request comes from, as ``request.identity`` gives it."""

    user_id: int
    login: str
    display_name: str
    roles: frozenset[str]
    #: Every permission the roles give, ``authenticated``'s and ``everyone``'s
    #: included (``admin`` aside: see :meth:`has`).
    permissions: frozenset[str]
    #: ``"session"`` (the cookie: unsafe requests need the CSRF token) or
    #: ``"bearer"`` (an API token: exempt from the CSRF token).
    authenticated_by: str

    @property
    def is_admin(self) -> bool:
        return ADMIN_ROLE in self.roles

    def has(self, permission: str) -> bool:
        return self.is_admin or permission in self.permissions


def bearer_token(request: Request) -> str | None:
    """The token of an ``Authorization: Bearer`` header, ``""`` for an empty
    one, None without such a header."""
    header = request.headers.get("Authorization")
    if not header:
        return None
    scheme, _, credentials = header.strip().partition(" ")
    if scheme.lower() != "bearer":
        return None
    return credentials.strip()


class PodiumSecurityPolicy:
    """Pyramid's ``ISecurityPolicy`` over Podium's accounts."""

    def __init__(self, roles: Mapping[str, frozenset[str]], *,
                 annotate_user: bool = False):
        #: Role -> its default permissions (settings, else plugins' proposals).
        self.roles = dict(roles)
        #: Whether a request that reads an identity records it as its transaction's
        #: user (pyramid_tm's ``tm.annotate_user`` is then off: see the module).
        self.annotate_user = annotate_user

    # identity -------------------------------------------------------------

    def identity(self, request: Request) -> Identity | None:
        cached = request.environ.get(CACHE_KEY, _MISSING)
        if cached is _MISSING:
            cached = request.environ[CACHE_KEY] = self._look_up(request)
        if cached is not None and self.annotate_user and is_tm_active(request):
            # Checked on every read, not only the lookup's: pyramid_retry runs a retried
            # request, with the identity cached in its environ, in a new transaction.
            transaction = request.tm.get()
            if not transaction.user:
                transaction.user = str(cached.user_id)  # as pyramid_tm writes it
        return cached

    def _look_up(self, request: Request) -> Identity | None:
        token = bearer_token(request)
        if token is not None:
            user = active_user_for_token(request.dbsession, token) if token else None
            return self._identity_of(user, BEARER)
        if SESSION_COOKIE + "=" not in request.environ.get("HTTP_COOKIE", ""):
            # No session cookie, so an empty session: not building one keeps
            # an anonymous request (the layout asks every page for its user)
            # from parsing cookies and decoding a session for nothing.
            return None
        session = request.session
        user_id, epoch = session.get(USERID_KEY), session.get(EPOCH_KEY)
        if type(user_id) is not int or type(epoch) is not int:
            return None  # nobody, or not a session this policy wrote
        user = active_user_by_id(request.dbsession, user_id)
        if user is None or user.session_epoch != epoch:
            return None
        return self._identity_of(user, SESSION)

    def _identity_of(self, user: UserSnapshot | None, source: str) -> Identity | None:
        if user is None:
            return None
        permissions = frozenset().union(
            *(self.roles.get(role, ()) for role in user.roles | {AUTHENTICATED, EVERYONE}),
            user.granted)
        return Identity(user_id=user.id, login=user.login, display_name=user.display_name,
                        roles=user.roles, permissions=permissions, authenticated_by=source)

    def authenticated_userid(self, request: Request) -> str | None:
        """The user's id, as a string (what pyramid_tm records as the
        transaction's user)."""
        identity = self.identity(request)
        return None if identity is None else str(identity.user_id)

    # permissions ----------------------------------------------------------

    def everyone_has(self, request: Request, permission: str) -> bool:
        """Whether ``everyone`` has it: the defaults first, so that an open
        permission costs no query; the store's grants once per request."""
        if permission in self.roles.get(EVERYONE, ()):
            return True
        stored = request.environ.get(EVERYONE_CACHE_KEY)
        if stored is None:
            stored = request.environ[EVERYONE_CACHE_KEY] = stored_permissions(
                request.dbsession, [EVERYONE])
        return permission in stored

    def permits(self, request: Request, context: Any, permission: str) -> Allowed | Denied:
        identity = self.identity(request)
        if identity is None:
            if self.everyone_has(request, permission):
                return Allowed(f"{permission!r} is granted to everyone")
            return Denied(f"nobody is logged in, and {permission!r} is not granted to "
                          "everyone")
        if identity.has(permission):
            return Allowed(f"user {identity.login!r} has {permission!r} by a role")
        return Denied(f"user {identity.login!r} has no role giving {permission!r}")

    # login and logout -----------------------------------------------------

    def remember(self, request: Request, userid: Any, **kw: Any) -> list[tuple[str, str]]:
        """Start a new session for the user whose id this is: the old session's
        content (its CSRF token with it) is dropped first, so a session made
        before the login, by an attacker too, is not the one after."""
        # The identity's statement runs on the connection, which does not flush:
        # what the ORM holds of this user (a login's changes) is written first.
        request.dbsession.flush()
        user = active_user_by_id(request.dbsession, int(userid))
        if user is None:
            raise ValueError(f"no active user with id {userid!r} to remember")
        session = request.session
        session.invalidate()
        session[USERID_KEY] = user.id
        session[EPOCH_KEY] = user.session_epoch
        # This request's identity is the new session's, whatever cookie it came with.
        request.environ[CACHE_KEY] = self._identity_of(user, SESSION)
        return []

    def forget(self, request: Request, **kw: Any) -> list[tuple[str, str]]:
        """End the session: the user's epoch is raised, so that this cookie and
        any copy of it identify nobody any more (the user's other sessions end
        too: one epoch per user), and the session is emptied.  A bearer token
        is not ended by this: ``podium tokens revoke`` does that."""
        identity = self.identity(request)
        if identity is not None and identity.authenticated_by == SESSION:
            end_sessions(request.dbsession, identity.user_id)
        if identity is None or identity.authenticated_by == SESSION:
            request.session.invalidate()
        request.environ[CACHE_KEY] = None
        return []


def default_grants(config: Configurator) -> dict[str, frozenset[str]]:
    """Role -> its default permissions: the catalogue's once the plugins are
    included, the settings alone where Podium's plugins step did not run."""
    catalog = catalog_of(config.registry)
    if catalog is not None:
        return catalog.defaults()
    return role_permissions(config.get_settings())


def register_unless_set(config: Configurator) -> None:
    registry = config.registry
    if registry.queryUtility(ISecurityPolicy) is None:
        # Before pyramid_tm's tween reads the settings (when the WSGI app is made).
        # An application's own policy keeps pyramid_tm's default: only this policy
        # knows when a request looked its identity up.
        settings = registry.settings
        annotate_user = "tm.annotate_user" not in settings
        if annotate_user:
            settings["tm.annotate_user"] = "false"
        registry.registerUtility(
            PodiumSecurityPolicy(default_grants(config), annotate_user=annotate_user),
            ISecurityPolicy)


def includeme(config: Configurator) -> None:
    # After config.set_security_policy's actions (PHASE2_CONFIG), before any
    # view is derived: the permission deriver reads the policy then.  By then
    # every plugin has declared its permissions and proposed its grants.
    config.action(None, register_unless_set, args=(config,), order=PHASE2_CONFIG + 1)
    config.include(".login")
    config.include(".account")  # the signed-in user's page: tokens, password
