"""What can be done with accounts, on a session the caller's transaction owns.

The ``podium users`` and ``podium tokens`` commands call these inside
``tm_session``; they never commit.  Every refusal is an :class:`AccountError`
whose message an operator can act on.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import TextClause, bindparam, func, select, text, update
from sqlalchemy.orm import Session, selectinload

from .models import (
    AUTHENTICATED,
    EVERYONE,
    LOGIN_MAX,
    PSEUDO_ROLES,
    ROLE_GRANT_TABLE,
    ROLE_MAX,
    ApiToken,
    Membership,
    Role,
    User,
    utcnow,
)
from .passwords import Passwords, WeakPasswordError

_LOGIN = re.compile(r"[a-z0-9][a-z0-9._@+-]*")
_ROLE = re.compile(r"[a-z][a-z0-9_.-]*")
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+")
#: What every API token starts with, so that secret scanners and people can
#: tell one in a log or a repository.
TOKEN_PREFIX = "pdm_"
#: A token's last use is written at most this often: every API request
#: writing a row would make reads cost a write.
LAST_USED_RESOLUTION = timedelta(minutes=1)
#: The longest a token may live, in days: ten years is "never" in practice
#: without a date so far away that it cannot be stored (timedelta overflows).
TOKEN_EXPIRES_MAX_DAYS = 3650
#: The longest label a token may have (the column's size).
TOKEN_LABEL_MAX = 100


class AccountError(ValueError):
    """A refused account operation (unknown user, duplicate name, weak password...)."""


def normalize_login(login: str) -> str:
    """Login names are case-insensitive: stored, and looked up, in lower case."""
    return _normalized(login, "login name", _LOGIN, LOGIN_MAX,
                       f"1 to {LOGIN_MAX} letters a-z, digits and . _ @ + - (starting with a "
                       "letter or digit)")


def normalize_role(role: str) -> str:
    """Role names are case-insensitive too, as logins are."""
    return _normalized(role, "role name", _ROLE, ROLE_MAX,
                       f"up to {ROLE_MAX} letters a-z, digits and _ . - (starting with a "
                       "letter)")


def _normalized(given: str, what: str, pattern: re.Pattern[str], longest: int,
                expected: str) -> str:
    name = given.strip().lower()
    if not name or len(name) > longest or not pattern.fullmatch(name):
        raise AccountError(f"{what} {given!r} is not valid: expected {expected}")
    return name


def aware(moment: datetime | None) -> datetime | None:
    """SQLite gives back naive datetimes: they were stored in UTC."""
    if moment is not None and moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment


def find_user(session: Session, login: str) -> User | None:
    name = login.strip().lower()
    return session.scalars(select(User).where(User.login == name)).one_or_none()


def get_user(session: Session, login: str) -> User:
    user = find_user(session, login)
    if user is None:
        raise AccountError(f"no user {login.strip().lower()!r}; podium users list shows them")
    return user


def add_user(session: Session, passwords: Passwords, login: str, password: str, *,
             display_name: str = "", email: str | None = None) -> User:
    name = normalize_login(login)
    if find_user(session, name) is not None:
        raise AccountError(f"user {name!r} exists already")
    if email is not None and not _EMAIL.fullmatch(email.strip()):
        raise AccountError(f"e-mail address {email!r} is not valid: expected name@domain")
    user = User(login=name, display_name=display_name.strip() or name,
                email=email.strip() if email else None,
                password_hash=_new_hash(passwords, password, name))
    session.add(user)
    session.flush()
    return user


def set_password(session: Session, passwords: Passwords, login: str, password: str) -> User:
    """A new password; every session of the user opened before ends (epoch)."""
    user = get_user(session, login)
    user.password_hash = _new_hash(passwords, password, user.login)
    _bump_epoch(session, user)
    return user


def change_own_password(session: Session, passwords: Passwords, user_id: int, current: str,
                        new: str) -> User:
    """The user's own password change (the account page): the current
    password must match, and the new one pass the rules of
    :func:`set_password`, whose epoch raise ends the user's sessions."""
    user = session.get(User, user_id)
    if user is None or not user.active:
        raise AccountError(f"no active user with id {user_id}")
    matches, _ = passwords.verify(user.password_hash, current)
    if not matches:
        raise AccountError("the current password is wrong")
    return set_password(session, passwords, user.login, new)


def set_active(session: Session, login: str, active: bool) -> User:
    user = get_user(session, login)
    if user.active != active:
        user.active = active
        if not active:
            _bump_epoch(session, user)
    return user


def end_sessions(session: Session, user_id: int) -> None:
    """End every session of the user (logout): the security policy refuses a
    session that recorded an older epoch, a copied cookie included."""
    user = session.get(User, user_id)
    if user is not None:
        _bump_epoch(session, user)


def _bump_epoch(session: Session, user: User) -> None:
    # In SQL, so that two concurrent changes both count.
    session.execute(update(User).where(User.id == user.id)
                    .values(session_epoch=User.session_epoch + 1))
    session.refresh(user, ["session_epoch"])


def _new_hash(passwords: Passwords, password: str, login: str) -> str:
    try:
        passwords.check_new(password, login)
        return passwords.hash(password)
    except WeakPasswordError as exc:
        raise AccountError(f"password refused: {exc}") from None


def grant(session: Session, login: str, role: str) -> tuple[User, Role, bool, bool]:
    """Give ``role`` to the user: ``(user, role, role_created, granted)``;
    ``granted`` is False when the user had it already."""
    user = get_user(session, login)
    name = normalize_role(role)
    if name in PSEUDO_ROLES:
        raise AccountError(f"{name!r} is a pseudo-role that every "
                           f"{'request' if name == 'everyone' else 'logged-in user'} has; "
                           "it is granted permissions (podium roles grant), not given to users")
    found = session.scalars(select(Role).where(Role.name == name)).one_or_none()
    created = found is None
    if found is None:
        found = Role(name=name)
        session.add(found)
        session.flush()
    if session.get(Membership, (user.id, found.id)) is not None:
        return user, found, created, False
    session.add(Membership(user_id=user.id, role_id=found.id))
    session.flush()
    session.expire(user, ["memberships"])
    return user, found, created, True


def revoke(session: Session, login: str, role: str) -> User:
    user = get_user(session, login)
    name = normalize_role(role)
    membership = session.scalars(
        select(Membership).join(Role).where(Membership.user_id == user.id, Role.name == name)
    ).one_or_none()
    if membership is None:
        raise AccountError(f"user {user.login!r} does not have the role {name!r}")
    session.delete(membership)
    session.flush()
    session.expire(user, ["memberships"])
    return user


def list_users(session: Session) -> Sequence[User]:
    return session.scalars(
        select(User).options(selectinload(User.memberships).selectinload(Membership.role))
        .order_by(User.login)).all()


def authenticate(session: Session, passwords: Passwords, login: str,
                 password: str) -> User | None:
    """The active user whose name and password these are, or None.

    An unknown name, a disabled user and a wrong password take the same
    argon2 check and give the same None.  A match records the login time and
    replaces a hash made with other parameters."""
    user = find_user(session, login)
    if user is None or not user.active:
        passwords.verify_unknown(password)
        return None
    matches, new_hash = passwords.verify(user.password_hash, password)
    if not matches:
        return None
    if new_hash is not None:
        user.password_hash = new_hash
    user.last_login_at = utcnow()
    return user


# API tokens ------------------------------------------------------------------


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class NewToken:
    token: ApiToken
    #: The token itself: shown once, never stored.
    secret: str


def create_token(session: Session, login: str, *, expires_days: int | None = None,
                 label: str = "") -> NewToken:
    user = get_user(session, login)
    if not user.active:
        raise AccountError(f"user {user.login!r} is disabled: enable it first")
    if expires_days is not None and not 1 <= expires_days <= TOKEN_EXPIRES_MAX_DAYS:
        raise AccountError(f"--expires {expires_days} is not valid: expected a number of "
                           f"days from 1 to {TOKEN_EXPIRES_MAX_DAYS}")
    if len(label.strip()) > TOKEN_LABEL_MAX:
        raise AccountError(f"the label has {len(label.strip())} characters; at most "
                           f"{TOKEN_LABEL_MAX} are allowed")
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    now = utcnow()
    token = ApiToken(user_id=user.id, token_hash=token_digest(secret), label=label.strip(),
                     created_at=now,
                     expires_at=now + timedelta(days=expires_days) if expires_days else None)
    session.add(token)
    session.flush()
    return NewToken(token, secret)


def list_tokens(session: Session, login: str) -> Sequence[ApiToken]:
    user = get_user(session, login)
    return session.scalars(select(ApiToken).where(ApiToken.user_id == user.id)
                           .order_by(ApiToken.id)).all()


def revoke_token(session: Session, login: str, token_id: int) -> ApiToken:
    user = get_user(session, login)
    token = session.get(ApiToken, token_id)
    if token is None or token.user_id != user.id:
        raise AccountError(f"user {user.login!r} has no token {token_id}; "
                           f"podium tokens list --user {user.login} shows them")
    session.delete(token)
    session.flush()
    return token


def token_expired(token: ApiToken, now: datetime | None = None) -> bool:
    return token_expired_at(token.expires_at, now)


def token_expired_at(expires_at: datetime | None, now: datetime | None = None) -> bool:
    expires = aware(expires_at)
    return expires is not None and expires <= (now or utcnow())


def user_for_token(session: Session, secret: str) -> User | None:
    """The active user a bearer token belongs to, or None (unknown, expired,
    revoked or disabled); records the token's last use."""
    if not secret.startswith(TOKEN_PREFIX) or len(secret) > 200:
        return None
    token = session.scalars(
        select(ApiToken).where(ApiToken.token_hash == token_digest(secret))).one_or_none()
    now = utcnow()
    if token is None or token_expired(token, now) or not token.user.active:
        return None
    last = aware(token.last_used_at)
    if last is None or now - last >= LAST_USED_RESOLUTION:
        token.last_used_at = now
    return token.user


def count_users(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(User)) or 0


# -- identities, read as rows -------------------------------------------------------
# A request's identity is read with one statement (the user, its roles and the store's
# grants to them, as rows of a UNION ALL) on the session's connection, rather than ORM
# entities and their lazy loads or ORM-compiled statements: each round trip costs about as
# much as a small request does, and the ORM's execution path about 380,000 instructions
# more per statement than the connection's (bench/README.md, "Authentication").


@dataclass(frozen=True)
class UserSnapshot:
    """What a request's identity needs of an active user."""

    id: int
    login: str
    display_name: str
    session_epoch: int
    roles: frozenset[str]
    #: What the store grants (:mod:`podium.accounts.grants`) to the user's roles and to
    #: the pseudo-roles ``authenticated`` and ``everyone``.
    granted: frozenset[str]


#: Each row of the identity statement is one of these kinds.
_USER_ROW, _ROLE_ROW, _GRANT_ROW = "u", "r", "g"

# ``{user}`` is the FROM and WHERE of the user's row, ``{member}`` those of the user's
# memberships (alias m).  Table names are the models'; the rest is SQL that SQLite and
# PostgreSQL read alike (NULLs take the type of the first typed branch).  The token's
# times are compared in SQL, against parameters bound as the columns' type (SQLAlchemy
# writes both alike on SQLite), so that no result column needs a type: typing the
# result (``TextClause.columns``) cost about 145,000 instructions per lookup.
_IDENTITY_SQL = f"""
SELECT '{_USER_ROW}' AS kind, u.id AS id, u.login AS login, u.display_name AS display_name,
       u.active AS active, u.session_epoch AS session_epoch, {{token_columns}},
       NULL AS name
  {{user}}
UNION ALL
SELECT '{_ROLE_ROW}', NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, r.name
  {{member}} JOIN {Role.__tablename__} r ON r.id = m.role_id {{member_where}}
UNION ALL
SELECT '{_GRANT_ROW}', NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, g.permission
  {{member}} JOIN {Role.__tablename__} r ON r.id = m.role_id
  JOIN {{grants}} g ON g.role = r.name {{member_where}}
UNION ALL
SELECT '{_GRANT_ROW}', NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, g.permission
  FROM {{grants}} g WHERE g.role IN (:everyone, :authenticated)
"""


def _identity_statement(*, user: str, member: str, member_where: str,
                        token_columns: str) -> TextClause:
    return text(_IDENTITY_SQL.format(
        user=user, member=member, member_where=member_where, token_columns=token_columns,
        grants=ROLE_GRANT_TABLE))


_BY_ID = _identity_statement(
    user=f"FROM {User.__tablename__} u WHERE u.id = :user_id",
    member=f"FROM {Membership.__tablename__} m", member_where="WHERE m.user_id = :user_id",
    token_columns="NULL AS token_id, NULL AS expired, NULL AS record_use")
_BY_TOKEN = _identity_statement(
    user=(f"FROM {ApiToken.__tablename__} t JOIN {User.__tablename__} u ON u.id = t.user_id "
          "WHERE t.token_hash = :digest"),
    member=(f"FROM {ApiToken.__tablename__} t "
            f"JOIN {Membership.__tablename__} m ON m.user_id = t.user_id"),
    member_where="WHERE t.token_hash = :digest",
    token_columns=(
        "t.id AS token_id, "
        "CASE WHEN t.expires_at IS NOT NULL AND t.expires_at <= :now THEN 1 ELSE 0 END "
        "AS expired, "
        "CASE WHEN t.last_used_at IS NULL OR t.last_used_at <= :stale THEN 1 ELSE 0 END "
        "AS record_use"),
).bindparams(bindparam("now", type_=ApiToken.__table__.c.expires_at.type),
             bindparam("stale", type_=ApiToken.__table__.c.last_used_at.type))


def _identity_rows(session: Session, statement: Any, **params: Any) -> tuple[Any, Any]:
    """(the user's row or None, all rows), on the session's connection: inside a
    request, the transaction's, which zope.sqlalchemy joined."""
    rows = session.connection().execute(
        statement, {**params, "everyone": EVERYONE, "authenticated": AUTHENTICATED}
    ).all()
    return next((row for row in rows if row.kind == _USER_ROW), None), rows


def _snapshot(user: Any, rows: Sequence[Any]) -> UserSnapshot | None:
    if user is None or not user.active:
        return None
    return UserSnapshot(user.id, user.login, user.display_name, user.session_epoch,
                        frozenset(row.name for row in rows if row.kind == _ROLE_ROW),
                        frozenset(row.name for row in rows if row.kind == _GRANT_ROW))


def active_user_by_id(session: Session, user_id: int) -> UserSnapshot | None:
    """The active user with this id, its roles and their grants, or None: one statement."""
    return _snapshot(*_identity_rows(session, _BY_ID, user_id=user_id))


def active_user_for_token(session: Session, secret: str) -> UserSnapshot | None:
    """As :func:`user_for_token`, as a snapshot read with one statement (and the last
    use written, at most once a :data:`LAST_USED_RESOLUTION`)."""
    if not secret.startswith(TOKEN_PREFIX) or len(secret) > 200:
        return None
    now = utcnow()
    user, rows = _identity_rows(session, _BY_TOKEN, digest=token_digest(secret), now=now,
                                stale=now - LAST_USED_RESOLUTION)
    if user is None or user.expired:
        return None
    snapshot = _snapshot(user, rows)
    if snapshot is None:
        return None
    if user.record_use:
        # Through the session, which marks it changed: zope.sqlalchemy then commits.
        session.execute(update(ApiToken).where(ApiToken.id == user.token_id)
                        .values(last_used_at=now))
    return snapshot
