"""One worker of ``egg:podium#workers``: ``python -m podium.workers.worker SPEC``.

Each worker is a fresh interpreter that loads the application from the ini
file itself, so that a rolling restart (SIGHUP to the supervisor) serves
the code installed now, not the code the supervisor imported at start.  It
serves the listening sockets the supervisor passed it, tells the
supervisor once it is ready, drains on SIGTERM or SIGINT (stop accepting,
finish the requests in flight, then exit), and drains too when the
supervisor dies, however it dies.
"""

from __future__ import annotations

import ctypes
import json
import logging
import os
import signal
import socket
import sys
import threading
import time
from typing import Any

import waitress
from pyramid.paster import get_app, setup_logging

from ..workarounds.waitress_drain import serve_until_drained

log = logging.getLogger("podium.workers")

PR_SET_PDEATHSIG = 1  # from <linux/prctl.h>


class Drain:
    """Set by a signal, or when the supervisor is gone."""

    def __init__(self) -> None:
        self.requested = False
        self.reason = ""

    def request(self, reason: str) -> None:
        if not self.requested:
            self.requested, self.reason = True, reason

    def __call__(self) -> bool:
        return self.requested


def die_with_parent(parent: int, drain: Drain) -> None:
    """A worker must never outlive its supervisor: an orphan would go on
    serving old code on the port beside whatever starts next."""
    if sys.platform.startswith("linux"):
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGTERM, 0, 0, 0)
    if os.getppid() != parent:  # it died before the prctl
        drain.request("the supervisor is gone")
        return

    def watch() -> None:  # where prctl is missing, and as a backstop
        while os.getppid() == parent:
            time.sleep(1.0)
        drain.request("the supervisor is gone")

    threading.Thread(target=watch, name="podium-parent-watch", daemon=True).start()


def main(argv: list[str] | None = None) -> int:
    spec: dict[str, Any] = json.loads((argv or sys.argv)[1])
    drain = Drain()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda signum, frame: drain.request(signal.strsignal(signum) or ""))
    signal.signal(signal.SIGHUP, signal.SIG_IGN)  # the supervisor's signal, not ours
    die_with_parent(spec["parent"], drain)
    if spec.get("cpu") is not None:
        os.sched_setaffinity(0, {spec["cpu"]})
    setup_logging(spec["config"], global_conf=spec["vars"])
    app = get_app(spec["config"], spec["app"], options=spec["vars"])
    sockets = [socket.socket(fileno=fd) for fd in spec["fds"]]
    channel_map: dict[int, Any] = {}
    server = waitress.create_server(app, map=channel_map, sockets=sockets, **spec["waitress"])
    os.write(spec["ready_fd"], b"ready")
    os.close(spec["ready_fd"])
    cut = serve_until_drained(server, channel_map, drain, timeout=spec["drain_timeout"])
    if cut:
        log.warning("worker %d (pid %d) stopped (%s) after %.0f s with %d connections "
                    "still busy: they were cut", spec["slot"], os.getpid(), drain.reason,
                    spec["drain_timeout"], cut)
    return 0


if __name__ == "__main__":
    sys.exit(main())
