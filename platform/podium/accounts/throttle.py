"""Throttling of failed logins, per account and per client address, in the
database (``podium_login_failure``, migration ``podium_0003``), so that the
limit holds across processes and machines.

A failure is written in a transaction of its own (the failed login's own
response is a 400, whose transaction pyramid_tm aborts), and rows older than
the window are deleted as new ones arrive.  A throttled attempt is refused
before its password is checked.  Concurrent attempts may each pass the check
before any of them is recorded, so the limit can be exceeded by the number of
attempts in flight at once; it still bounds guessing to a few per window.
"""

from __future__ import annotations

import ipaddress
import math
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import DateTime, Engine, Index, Integer, String, delete, insert, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from ..store.model import Base
from .models import LOGIN_MAX, utcnow
from .service import aware

ADDRESS_MAX = 64


class LoginFailure(Base):
    """One failed login: the name tried (whether or not a user has it) and the
    client address, so that neither guessing one account's password from many
    addresses nor many accounts' from one address goes unbounded."""

    __tablename__ = "podium_login_failure"
    __table_args__ = (
        Index("ix_podium_login_failure_login_failed_at", "login", "failed_at"),
        Index("ix_podium_login_failure_address_failed_at", "address", "failed_at"),
        Index("ix_podium_login_failure_failed_at", "failed_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    login: Mapped[str] = mapped_column(String(LOGIN_MAX))
    address: Mapped[str] = mapped_column(String(ADDRESS_MAX))
    failed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


def login_key(login: str) -> str:
    """The name a failure is counted under: what ``find_user`` would look up."""
    return login.strip().lower()[:LOGIN_MAX]


def address_key(address: str | None) -> str:
    """An IPv6 client is counted by its /64, which one host usually owns whole."""
    text = (address or "").strip()
    try:
        parsed = ipaddress.ip_address(text)
    except ValueError:
        return text[:ADDRESS_MAX]
    if isinstance(parsed, ipaddress.IPv6Address) and parsed.ipv4_mapped is None:
        return str(ipaddress.IPv6Network(f"{parsed}/64", strict=False))
    if isinstance(parsed, ipaddress.IPv6Address) and parsed.ipv4_mapped is not None:
        return str(parsed.ipv4_mapped)
    return str(parsed)


@dataclass(frozen=True)
class Throttle:
    """The limits of one configuration (``podium.login.*`` settings)."""

    window: int = 900
    per_account: int = 5
    per_address: int = 50

    @classmethod
    def from_settings(cls, settings: Mapping[str, Any]) -> Throttle:
        return cls(window=int(settings.get("podium.login.throttle_window", 900)),
                   per_account=int(settings.get("podium.login.throttle_per_account", 5)),
                   per_address=int(settings.get("podium.login.throttle_per_address", 50)))

    def retry_after(self, session: Session, login: str, address: str,
                    now: datetime | None = None) -> int | None:
        """Seconds until an attempt for ``login`` from ``address`` may be
        made, or None when it may be made now."""
        now = now or utcnow()
        cutoff = now - timedelta(seconds=self.window)
        waits = []
        for column, value, limit in ((LoginFailure.login, login_key(login), self.per_account),
                                     (LoginFailure.address, address_key(address),
                                      self.per_address)):
            # The newest `limit` failures: when the oldest of them leaves the
            # window, fewer than `limit` remain.
            recent = session.scalars(
                select(LoginFailure.failed_at)
                .where(column == value, LoginFailure.failed_at > cutoff)
                .order_by(LoginFailure.failed_at.desc()).limit(limit)).all()
            if len(recent) >= limit:
                oldest = aware(recent[-1])
                assert oldest is not None
                seconds = (oldest + timedelta(seconds=self.window) - now).total_seconds()
                waits.append(max(1, math.ceil(seconds)))
        return max(waits) if waits else None

    def record_failure(self, engine: Engine, login: str, address: str) -> None:
        """Write one failure, committed at once whatever the request's outcome,
        and drop those that left the window."""
        now = utcnow()
        with engine.begin() as conn:
            conn.execute(delete(LoginFailure).where(
                LoginFailure.failed_at <= now - timedelta(seconds=self.window)))
            conn.execute(insert(LoginFailure).values(
                login=login_key(login), address=address_key(address), failed_at=now))

    def forget_account(self, session: Session, login: str) -> None:
        """A successful login clears its account's failures (not its address's:
        an attacker's own account must not reset the count of the address)."""
        session.execute(delete(LoginFailure).where(LoginFailure.login == login_key(login)))
