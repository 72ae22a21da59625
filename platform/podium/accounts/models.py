"""The account tables: ``podium_user``, ``podium_role``, ``podium_membership``
and ``podium_api_token``.

Times are stored timezone-aware (UTC).  A user is never deleted by the
commands, only disabled, so that what they wrote keeps an author.
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import Boolean, DateTime, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..store.model import Base

#: Longest login name; they are stored in lower case (see ``service.normalize_login``).
LOGIN_MAX = 150
ROLE_MAX = 100
#: Pseudo-roles: grantable like roles (podium.accounts.grants), never given to
#: a user.  Every request has ``everyone``'s permissions, anonymous ones too;
#: every identified request ``authenticated``'s.
EVERYONE = "everyone"
AUTHENTICATED = "authenticated"
PSEUDO_ROLES = (EVERYONE, AUTHENTICATED)
#: The table of the roles' stored grants (:mod:`podium.accounts.grants`), named here
#: because :mod:`podium.accounts.service` reads it with the identity.
ROLE_GRANT_TABLE = "podium_role_permission"


def utcnow() -> datetime:
    return datetime.now(UTC)


class User(Base):
    __tablename__ = "podium_user"
    # Ids are never reused, so a name in an old log or export means one user.
    __table_args__ = {"sqlite_autoincrement": True}

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    login: Mapped[str] = mapped_column(String(LOGIN_MAX), unique=True)
    display_name: Mapped[str] = mapped_column(String(200), default="")
    email: Mapped[str | None] = mapped_column(String(320), default=None)
    #: argon2id in its PHC string form ($argon2id$v=19$m=...,t=...,p=...$salt$hash).
    password_hash: Mapped[str] = mapped_column(String(255))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    last_login_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True),
                                                           default=None)
    #: Raised by a password change and by disabling the user: a session that
    #: recorded an older epoch is no longer the user's.
    session_epoch: Mapped[int] = mapped_column(Integer, default=0)

    memberships: Mapped[list[Membership]] = relationship(
        back_populates="user", cascade="all, delete-orphan", passive_deletes=True)

    @property
    def role_names(self) -> list[str]:
        return sorted(m.role.name for m in self.memberships)

    def __repr__(self) -> str:
        return f"<User {self.id} {self.login!r}>"


class Role(Base):
    __tablename__ = "podium_role"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(ROLE_MAX), unique=True)
    description: Mapped[str] = mapped_column(String(500), default="")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    def __repr__(self) -> str:
        return f"<Role {self.name!r}>"


class Membership(Base):
    __tablename__ = "podium_membership"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("podium_user.id", ondelete="CASCADE"), primary_key=True)
    role_id: Mapped[int] = mapped_column(
        ForeignKey("podium_role.id", ondelete="CASCADE"), primary_key=True, index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    user: Mapped[User] = relationship(back_populates="memberships")
    role: Mapped[Role] = relationship()


class ApiToken(Base):
    """A bearer token.  Only the SHA-256 of the token is kept: it is 256
    random bits, so a fast hash is enough (nobody can try them all), and the
    lookup is one indexed equality."""

    __tablename__ = "podium_api_token"
    # Never reused: "revoke 3" must not reach a later token.
    __table_args__ = {"sqlite_autoincrement": True}

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(
        ForeignKey("podium_user.id", ondelete="CASCADE"), index=True)
    #: Hex SHA-256 of the whole token string.
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    label: Mapped[str] = mapped_column(String(100), default="")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    expires_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), default=None)
    last_used_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True),
                                                          default=None)

    user: Mapped[User] = relationship()
