"""The options of ``[server:main]`` for ``egg:podium#workers``, checked once.

Everything the supervisor itself reads is parsed here, so that a bad value
fails at start-up naming the option, the value and what is allowed; every
other option is waitress's and is handed to each worker unchanged.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Any


class WorkerOptionError(ValueError):
    """A ``[server:main]`` option the supervisor cannot use."""


@dataclass(frozen=True)
class WorkerOptions:
    addresses: list[tuple[str, int]]
    count: int
    pin: bool
    app_name: str = "main"
    drain_timeout: float = 30.0
    start_timeout: float = 60.0
    waitress: dict[str, Any] = field(default_factory=dict)


def parse_listen(listen: str) -> list[tuple[str, int]]:
    """``"0.0.0.0:6543 [::1]:6543"`` as (host, port) pairs."""
    addresses = []
    for item in listen.split():
        host, _, port = item.rpartition(":")
        if not port.isdigit() or int(port) > 65535:
            raise WorkerOptionError(f"listen = {listen!r}: {item!r} is not HOST:PORT "
                                    "(for example 0.0.0.0:6543 or [::1]:6543)")
        addresses.append((host.strip("[]") or "0.0.0.0", int(port)))
    if not addresses:
        raise WorkerOptionError("listen is empty: expected HOST:PORT, for example 0.0.0.0:6543")
    return addresses


def worker_count(value: str) -> int:
    """``auto`` is one worker per core this process may run on."""
    if value.strip() == "auto":
        return len(os.sched_getaffinity(0))
    if not value.strip().isdigit() or int(value) < 1:
        raise WorkerOptionError(f"workers = {value!r}: expected auto or a whole number >= 1")
    return int(value)


def as_flag(name: str, value: Any) -> bool:
    text = str(value).strip().lower()
    if text in ("true", "yes", "on", "1"):
        return True
    if text in ("false", "no", "off", "0"):
        return False
    raise WorkerOptionError(f"{name} = {value!r}: expected true or false")


def as_seconds(name: str, value: Any) -> float:
    try:
        seconds = float(value)
    except (TypeError, ValueError):
        seconds = -1.0
    if not seconds > 0:
        raise WorkerOptionError(f"{name} = {value!r}: expected a number of seconds > 0")
    return seconds


def parse_options(listen: str = "0.0.0.0:6543", workers: str = "auto", pin: Any = "true",
                  app: str = "main", drain_timeout: Any = "30", start_timeout: Any = "60",
                  **waitress_options: Any) -> WorkerOptions:
    """The runner's keyword arguments (the ini's ``[server:main]``) as options."""
    for own in ("sockets", "host", "port", "unix_socket"):
        if own in waitress_options:
            raise WorkerOptionError(f"{own} = {waitress_options[own]!r}: egg:podium#workers "
                                    "binds its own sockets; use listen = HOST:PORT ...")
    return WorkerOptions(
        addresses=parse_listen(str(listen)), count=worker_count(str(workers)),
        pin=as_flag("pin", pin), app_name=str(app).strip() or "main",
        drain_timeout=as_seconds("drain_timeout", drain_timeout),
        start_timeout=as_seconds("start_timeout", start_timeout),
        waitress=dict(waitress_options))
