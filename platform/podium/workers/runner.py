"""``serve_workers``: the PasteDeploy server runner behind ``egg:podium#workers``."""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
from typing import Any, NoReturn

from .options import WorkerOptionError, WorkerOptions, parse_options
from .sockets import AddressInUse, bind_slots
from .supervisor import Supervisor

log = logging.getLogger("podium.workers")


def fail(message: str) -> NoReturn:
    """End pserve with one line and a failing exit status: pserve turns a
    SystemExit into "Exiting" and status 0, which a service manager would
    take for a clean stop."""
    log.critical("Error: %s", message)
    logging.shutdown()
    sys.stderr.flush()
    os._exit(1)


def serve_workers(app: Any, global_conf: dict[str, Any], **options: Any) -> int:
    """Serve the ini's application with one waitress process per slot."""
    try:
        parsed = parse_options(**options)
    except WorkerOptionError as error:
        fail(f"[server:main] {error}")
    config = global_conf.get("__file__")
    if not config:
        fail("egg:podium#workers needs an ini file: run it with pserve CONFIG.ini")
    try:
        slots = bind_slots(parsed.addresses, parsed.count)
    except AddressInUse as error:
        fail(str(error.strerror))
    except OSError as error:
        fail(f"listen = {options.get('listen', '0.0.0.0:6543')}: {error.strerror}")
    backlog = int(parsed.waitress.get("backlog", 1024))
    for sock in (sock for slot in slots for sock in slot):
        sock.listen(backlog)  # connections wait in the backlog while workers start
    cpus = sorted(os.sched_getaffinity(0))
    pinned = parsed.pin and parsed.count > 1
    variables = {key: value for key, value in global_conf.items()
                 if key not in ("__file__", "here")}

    def spawn(slot: int) -> tuple[subprocess.Popen[bytes], int]:
        ready_read, ready_write = os.pipe()
        fds = [sock.fileno() for sock in slots[slot]]
        spec = {"config": str(config), "app": parsed.app_name, "vars": variables,
                "slot": slot, "parent": os.getpid(), "fds": fds, "ready_fd": ready_write,
                "cpu": cpus[slot % len(cpus)] if pinned else None,
                "drain_timeout": parsed.drain_timeout, "waitress": parsed.waitress}
        try:
            process = subprocess.Popen(
                [sys.executable, "-m", "podium.workers.worker", json.dumps(spec)],
                pass_fds=[*fds, ready_write])
        finally:
            os.close(ready_write)
        return process, ready_read

    def close_sockets() -> None:
        for sock in (sock for slot in slots for sock in slot):
            sock.close()

    log_serving(parsed, [sock.getsockname()[:2] for sock in slots[0]], pinned)
    return Supervisor(spawn, parsed.count, parsed.drain_timeout, parsed.start_timeout,
                      on_stop=close_sockets).run()


def log_serving(parsed: WorkerOptions, bound: list[tuple[str, int]], pinned: bool) -> None:
    where = ", ".join(f"http://[{host}]:{port}" if ":" in host else f"http://{host}:{port}"
                      for host, port in bound)
    log.info("serving on %s with %d waitress workers%s (pid %d: SIGHUP restarts them one "
             "at a time, SIGTERM stops them)", where, parsed.count,
             ", each pinned to a core" if pinned else "", os.getpid())
