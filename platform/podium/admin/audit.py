"""The audit log: who changed what in the console (and through ``podium
users|roles|tokens``), when, and from where.

An entry is added on the session of the change itself, so it is committed
with the change or rolled back with it: a refused change leaves no entry,
and no change is ever left without one.
"""

from __future__ import annotations

import getpass
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from pyramid.httpexceptions import HTTPBadRequest
from pyramid.request import Request
from sqlalchemy import JSON, DateTime, Integer, String, func, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from ..accounts.models import LOGIN_MAX, utcnow
from ..store.model import Base

#: The longest ``User-Agent`` kept: enough to tell browsers and scripts apart.
AGENT_MAX = 200
ADDRESS_MAX = 64
#: What the CLI's entries name as their actor (plus the OS user).
CLI = "cli"


class AuditEntry(Base):
    __tablename__ = "podium_audit_log"
    # Ids are never reused, so "entry 12" in a report means one entry.
    __table_args__ = {"sqlite_autoincrement": True}

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    #: Indexed: the console and ``podium audit`` read the newest first.
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, index=True)
    #: None for the CLI, and kept when the user is deleted (no foreign key).
    user_id: Mapped[int | None] = mapped_column(Integer, default=None)
    #: The login name as it was when the change was made (``cli:<os user>`` for the CLI).
    login: Mapped[str] = mapped_column(String(LOGIN_MAX + 10), index=True)
    action: Mapped[str] = mapped_column(String(100))
    target: Mapped[str] = mapped_column(String(300), default="")
    details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    address: Mapped[str] = mapped_column(String(ADDRESS_MAX), default="")
    user_agent: Mapped[str] = mapped_column(String(AGENT_MAX), default="")


@dataclass(frozen=True)
class Actor:
    """Who makes a change, and from where."""

    user_id: int | None
    login: str
    address: str = ""
    user_agent: str = ""


def actor_of(request: Request) -> Actor:
    """The identified user of a request, with the client address as waitress
    gives it (``request.client_addr``) and its ``User-Agent``, trimmed."""
    identity = request.identity
    agent = request.user_agent or ""
    return Actor(getattr(identity, "user_id", None), str(getattr(identity, "login", "-")),
                 (request.client_addr or "")[:ADDRESS_MAX], agent[:AGENT_MAX])


def cli_actor() -> Actor:
    """The command line's actor: ``cli:<OS user>``, from the local machine."""
    try:
        who = getpass.getuser()
    except (KeyError, OSError):  # no name for this uid (containers)
        who = "?"
    return Actor(None, f"{CLI}:{who}"[:LOGIN_MAX + 10], "local", "podium")


def record(session: Session, actor: Actor, action: str, target: str = "",
           **details: Any) -> AuditEntry:
    """Add an entry to ``session`` (the change's own): committed with it."""
    entry = AuditEntry(at=utcnow(), user_id=actor.user_id, login=actor.login, action=action,
                       target=target[:300], details=details, address=actor.address,
                       user_agent=actor.user_agent)
    session.add(entry)
    return entry


def entries(session: Session, *, limit: int = 50, offset: int = 0,
            login: str | None = None) -> Sequence[AuditEntry]:
    """The newest entries first, optionally of one actor's login name."""
    query = select(AuditEntry)
    if login:
        query = query.where(AuditEntry.login == login.strip().lower())
    return session.scalars(query.order_by(AuditEntry.id.desc()).limit(limit)
                           .offset(offset)).all()


def count(session: Session, login: str | None = None) -> int:
    query = select(func.count()).select_from(AuditEntry)
    if login:
        query = query.where(AuditEntry.login == login.strip().lower())
    return session.scalar(query) or 0


def describe(entry: AuditEntry) -> str:
    """The details as ``key=value`` words, for the console and the CLI."""
    return ", ".join(f"{k}={v}" for k, v in sorted((entry.details or {}).items()))


def audit_page(request: Request) -> dict[str, Any]:
    """The newest entries first, 100 a page; ``?user=`` keeps one actor's."""
    login = request.GET.get("user", "").strip()[:LOGIN_MAX + 10] or None
    raw = request.GET.get("page", "1")
    if not raw.isdigit() or not 1 <= int(raw) <= 100_000:
        raise HTTPBadRequest(f"page={raw!r} is not valid: expected a page number from 1")
    page, size = int(raw), 100
    session = request.dbsession
    total = count(session, login)
    return {"entries": entries(session, limit=size, offset=(page - 1) * size, login=login),
            "user": login or "", "page": page, "pages": max(1, -(-total // size)),
            "describe": describe}
