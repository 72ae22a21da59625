"""``egg:podium#workers``: waitress in one process per core.

One waitress process on a multi-core machine serves badly: its I/O thread
and its worker threads hand the GIL back and forth across cores.  Measured
on 2 cores, one unpinned process served about an eighth of what the same
process pinned to one core served.  So production runs one waitress process
per core, each pinned to its core and listening on its own ``SO_REUSEPORT``
socket: the kernel spreads connections over the processes, and no process
ever waits for another's GIL.

The parent binds every socket before forking (a taken port fails at once,
in the parent), then supervises: a worker that dies is restarted, SIGTERM
and SIGINT stop them all.  ``pserve production.ini`` runs it::

    [server:main]
    use = egg:podium#workers
    listen = 0.0.0.0:6543
    workers = auto          ; one per core the process may run on
    pin = true              ; each worker on a core of its own
    threads = 4             ; waitress threads per worker
"""

from __future__ import annotations

import logging
import os
import signal
import socket
import sys
import time
from collections.abc import Callable
from typing import Any

import waitress

log = logging.getLogger(__name__)

RESTART_WINDOW = 60.0  # seconds
MAX_RESTARTS = 5  # within the window, before the supervisor gives up


def parse_listen(listen: str) -> list[tuple[str, int]]:
    """``"0.0.0.0:6543 [::1]:6543"`` as (host, port) pairs."""
    addresses = []
    for item in listen.split():
        host, _, port = item.rpartition(":")
        addresses.append((host.strip("[]") or "0.0.0.0", int(port)))
    return addresses


def bind_reuseport(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    sock.bind((host, port))
    return sock


def worker_count(value: str) -> int:
    if value == "auto":
        return len(os.sched_getaffinity(0))
    count = int(value)
    if count < 1:
        raise ValueError(f"workers = {value!r}: expected auto or a whole number >= 1")
    return count


def _forget_inherited_connections(app: Any) -> None:
    """Database connections opened by the parent (the schema check at start-up)
    must not be shared with a child: drop them from the child's pools."""
    registry = getattr(app, "registry", None)
    engine = registry.get("podium.engine") if registry is not None else None
    if engine is not None:
        engine.dispose(close=False)


class Supervisor:
    def __init__(self, start_worker: Callable[[int], int], count: int):
        self.start_worker = start_worker
        self.count = count
        self.children: dict[int, int] = {}  # pid -> worker index
        self.restarts: list[float] = []
        self.stopping = False

    def run(self) -> int:
        for index in range(self.count):
            self.children[self.start_worker(index)] = index
        signal.signal(signal.SIGTERM, self._stop)
        signal.signal(signal.SIGINT, self._stop)
        while self.children:
            try:
                pid, status = os.wait()
            except ChildProcessError:
                break
            except InterruptedError:
                continue
            found = self.children.pop(pid, None)
            if found is None or self.stopping:
                continue
            log.error("worker %d (pid %d) exited with status %d; restarting it",
                      found, pid, os.waitstatus_to_exitcode(status))
            now = time.monotonic()
            self.restarts = [t for t in self.restarts if now - t < RESTART_WINDOW] + [now]
            if len(self.restarts) > MAX_RESTARTS:
                log.critical("workers keep dying: stopping")
                self._stop(signal.SIGTERM, None)
                return 1
            self.children[self.start_worker(found)] = found
        return 0

    def _stop(self, signum: int, frame: Any) -> None:
        self.stopping = True
        for pid in list(self.children):
            try:
                os.kill(pid, signal.SIGTERM)
            except ProcessLookupError:
                pass


def serve_workers(app: Any, global_conf: dict[str, Any], listen: str = "0.0.0.0:6543",
                  workers: str = "auto", pin: str = "true", **waitress_options: Any) -> int:
    """The PasteDeploy server runner behind ``egg:podium#workers``."""
    count = worker_count(str(workers))
    pinned = str(pin).strip().lower() in ("true", "yes", "on", "1")
    cpus = sorted(os.sched_getaffinity(0))
    addresses = parse_listen(listen)
    # Every worker's sockets exist before the first fork; with port 0 the
    # first worker's socket picks the port and the others join it.
    first = [bind_reuseport(host, port) for host, port in addresses]
    resolved = [(host, sock.getsockname()[1]) for (host, _), sock in
                zip(addresses, first, strict=True)]
    sockets = [first] + [[bind_reuseport(h, p) for h, p in resolved] for _ in range(count - 1)]

    def start_worker(index: int) -> int:
        pid = os.fork()
        if pid:
            return pid
        code = 0
        try:
            signal.signal(signal.SIGTERM, signal.SIG_DFL)
            signal.signal(signal.SIGINT, signal.default_int_handler)
            if pinned and count > 1:
                os.sched_setaffinity(0, {cpus[index % len(cpus)]})
            _forget_inherited_connections(app)
            for other, own in enumerate(sockets):
                if other != index:
                    for sock in own:
                        sock.close()
            waitress.serve(app, sockets=sockets[index], **waitress_options)
        except KeyboardInterrupt:
            pass
        except BaseException:
            log.exception("worker %d failed", index)
            code = 1
        finally:
            sys.stdout.flush()
            sys.stderr.flush()
            os._exit(code)

    bound = ", ".join(f"http://{host}:{port}" for host, port in resolved)
    log.info("serving on %s with %d waitress workers%s", bound, count,
             ", each pinned to a core" if pinned and count > 1 else "")
    return Supervisor(start_worker, count).run()
