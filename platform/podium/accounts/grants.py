"""Permissions granted to roles in the store (``podium_role_permission``,
migration ``podium_0005``), on top of the defaults of settings and plugins
(:mod:`podium.plugins.permissions`).

A grant names its role by name, so that the pseudo-roles ``everyone`` and
``authenticated``, which no user is given, are granted like any role.  The
functions work on a session the caller's transaction owns and never commit.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime

from sqlalchemy import DateTime, String, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from ..store.model import Base
from .models import ROLE_GRANT_TABLE, ROLE_MAX, utcnow
from .service import AccountError, normalize_role

PERMISSION_MAX = 200


class RoleGrant(Base):
    __tablename__ = ROLE_GRANT_TABLE

    role: Mapped[str] = mapped_column(String(ROLE_MAX), primary_key=True)
    permission: Mapped[str] = mapped_column(String(PERMISSION_MAX), primary_key=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    def __repr__(self) -> str:
        return f"<RoleGrant {self.role!r} {self.permission!r}>"


def stored_permissions(session: Session, roles: Iterable[str]) -> frozenset[str]:
    """What the store grants these roles: one indexed query (the primary key
    starts with the role)."""
    names = sorted(set(roles))
    if not names:
        return frozenset()
    return frozenset(session.scalars(
        select(RoleGrant.permission).where(RoleGrant.role.in_(names))))


def grant_permission(session: Session, role: str, permission: str) -> bool:
    """Store the grant; False when the store had it already.  The caller
    checks that the permission is declared and the role is not ``admin``."""
    name = normalize_role(role)
    if session.get(RoleGrant, (name, permission)) is not None:
        return False
    session.add(RoleGrant(role=name, permission=permission))
    session.flush()
    return True


def revoke_permission(session: Session, role: str, permission: str) -> None:
    name = normalize_role(role)
    found = session.get(RoleGrant, (name, permission))
    if found is None:
        raise AccountError(f"the store does not grant {permission!r} to the role {name!r}; "
                           "podium roles list shows every grant and where it comes from")
    session.delete(found)
    session.flush()


def list_grants(session: Session) -> Sequence[RoleGrant]:
    return session.scalars(select(RoleGrant).order_by(RoleGrant.role,
                                                      RoleGrant.permission)).all()
