"""Users, permissions and tokens for tests, made in the app's own database.

Each user gets a role of its own (``test-user-<id>``) to which the store
grants the permissions asked for, exactly as ``podium roles grant`` would;
the app's security policy then finds them like any other grant.  Passwords
are hashed with a cheap argon2 (verification reads the cost from the hash),
so that making users costs a test almost nothing.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable
from dataclasses import dataclass

from pyramid.registry import Registry

from podium.accounts import grants, service
from podium.accounts.passwords import Passwords, WeakPasswordError
from podium.plugins.permissions import catalog_of
from podium.store.sessions import tm_session

#: Cheap argon2 parameters: test users only.
CHEAP_PASSWORDS = Passwords(time_cost=1, memory_cost=1024, parallelism=1)


@dataclass(frozen=True)
class TestUser:
    """A user made by :func:`make_user`, with the password it was given."""

    __test__ = False  # not a test class for pytest

    id: int
    login: str
    password: str
    roles: tuple[str, ...]
    permissions: tuple[str, ...]


def make_user(registry: Registry, login: str, *, permissions: Iterable[str] = (),
              roles: Iterable[str] = (), password: str | None = None,
              active: bool = True) -> TestUser:
    """Add an (active) user to the app's database with these roles and,
    through a role of its own, these permissions.  A permission that no
    enabled plugin declares is refused (a typo would give a test nothing)."""
    wanted = tuple(dict.fromkeys(permissions))
    catalog = catalog_of(registry)
    unknown = [p for p in wanted if catalog is None or not catalog.is_declared(p)]
    if unknown:
        declared = ", ".join(catalog.names()) if catalog else "none"
        raise ValueError(f"no enabled plugin declares {', '.join(unknown)}; declared: "
                         f"{declared}")
    password = password or _random_password(login)
    with tm_session(registry["podium.engine"]) as session:
        user = service.add_user(session, CHEAP_PASSWORDS, login, password)
        given = list(dict.fromkeys(roles))
        if wanted:
            given.append(f"test-user-{user.id}")
        for role in given:
            service.grant(session, user.login, role)
        for permission in wanted:
            grants.grant_permission(session, f"test-user-{user.id}", permission)
        if not active:
            service.set_active(session, user.login, False)
        return TestUser(user.id, user.login, password, tuple(given), wanted)


def _random_password(login: str) -> str:
    """A password the rules accept: a random one may contain the login name."""
    while True:
        password = "kit " + secrets.token_urlsafe(18)
        try:
            CHEAP_PASSWORDS.check_new(password, login)
            return password
        except WeakPasswordError:
            continue


def make_token(registry: Registry, login: str, *, expires_days: int | None = None) -> str:
    """A new API token of the user: send it as ``Authorization: Bearer <token>``."""
    with tm_session(registry["podium.engine"]) as session:
        return service.create_token(session, login, expires_days=expires_days,
                                    label="test").secret
