"""The listening sockets of ``egg:podium#workers``, bound once by the supervisor.

Every worker slot has its own ``SO_REUSEPORT`` socket so that the kernel
spreads connections over the slots.  The supervisor keeps every socket open
for its whole life and hands the same one to each generation of a slot's
worker: connections waiting in a socket's backlog survive a worker's
restart, because the socket itself is never closed until the supervisor
stops.
"""

from __future__ import annotations

import errno
import socket


class AddressInUse(OSError):
    """Another process already serves a ``listen`` address."""


def family_of(host: str) -> socket.AddressFamily:
    return socket.AF_INET6 if ":" in host else socket.AF_INET


def refuse_if_served(host: str, port: int) -> None:
    """Fail when something already listens on ``host:port``.

    ``SO_REUSEPORT`` lets a second supervisor of the same user bind the same
    port without complaint, and both would serve.  A probe bound without it
    fails as soon as anything listens there (``SO_REUSEADDR`` only lets it
    past connections of an earlier run still in TIME_WAIT)."""
    if port == 0:
        return
    with socket.socket(family_of(host), socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError as error:
            if error.errno != errno.EADDRINUSE:
                raise
            raise AddressInUse(
                error.errno, f"listen = {host}:{port}: the address is already in use "
                "(another pserve of this site, or another server): stop it first, or "
                "listen elsewhere") from None


def bind_reuseport(host: str, port: int) -> socket.socket:
    sock = socket.socket(family_of(host), socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    sock.bind((host, port))
    sock.set_inheritable(True)
    return sock


def bind_slots(addresses: list[tuple[str, int]], count: int) -> list[list[socket.socket]]:
    """One socket per address for each of ``count`` slots.  With port 0 the
    first slot's socket picks the port and the others join it."""
    for host, port in addresses:
        refuse_if_served(host, port)
    first = [bind_reuseport(host, port) for host, port in addresses]
    resolved = [(host, sock.getsockname()[1])
                for (host, _), sock in zip(addresses, first, strict=True)]
    return [first] + [[bind_reuseport(host, port) for host, port in resolved]
                      for _ in range(count - 1)]
