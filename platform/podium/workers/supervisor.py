"""The supervisor of ``egg:podium#workers``: starts, watches, rolls and stops workers.

One process per slot serves at a time.  The supervisor restarts a worker
that dies (and gives up if they keep dying), restarts them one at a time on
SIGHUP, each replacement serving before its predecessor drains, and on
SIGTERM or SIGINT stops them all, each draining within its timeout.  It
never serves a request itself.
"""

from __future__ import annotations

import logging
import os
import selectors
import signal
import subprocess
import time
from collections.abc import Callable
from dataclasses import dataclass, field

log = logging.getLogger("podium.workers")

RESTART_WINDOW = 60.0  # seconds
MAX_RESTARTS = 5  # deaths within the window before the supervisor gives up
TICK = 0.5  # seconds between checks when nothing happens


@dataclass(eq=False)
class Worker:
    slot: int
    process: subprocess.Popen[bytes]
    ready_fd: int
    started: float = field(default_factory=time.monotonic)
    state: str = "starting"  # then "serving", then "retiring"
    replaces: Worker | None = None  # the worker a rolling restart retires for it

    @property
    def pid(self) -> int:
        return self.process.pid


class Supervisor:
    """``spawn(slot)`` starts a worker process for a slot and returns it with
    the read end of the pipe on which it says it is ready."""

    def __init__(self, spawn: Callable[[int], tuple[subprocess.Popen[bytes], int]],
                 count: int, drain_timeout: float, start_timeout: float,
                 on_stop: Callable[[], None]) -> None:
        self.spawn_process = spawn
        self.count = count
        self.drain_timeout = drain_timeout
        self.start_timeout = start_timeout
        self.on_stop = on_stop
        self.workers: list[Worker] = []
        self.deaths: list[float] = []
        self.selector = selectors.DefaultSelector()
        self.signals: list[int] = []
        self.roll: list[int] = []  # slots still to restart on SIGHUP
        self.stopping_since: float | None = None
        self.status = 0

    # -- the loop ------------------------------------------------------------------------

    def run(self) -> int:
        wake_read, wake_write = os.pipe()
        os.set_blocking(wake_read, False)
        os.set_blocking(wake_write, False)
        signal.set_wakeup_fd(wake_write)
        self.selector.register(wake_read, selectors.EVENT_READ, None)
        for signum in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP, signal.SIGCHLD):
            signal.signal(signum, lambda signum, frame: self.signals.append(signum))
        for slot in range(self.count):
            self.start(slot)
        try:
            while self.workers or self.stopping_since is None:
                for key, _ in self.selector.select(TICK):
                    if key.data is None:
                        os.read(wake_read, 512)
                    else:
                        self.ready(key.data)
                self.handle_signals()
                self.reap()
                self.check_deadlines()
        finally:
            signal.set_wakeup_fd(-1)
            os.close(wake_read)
            os.close(wake_write)
        return self.status

    def handle_signals(self) -> None:
        while self.signals:
            signum = self.signals.pop(0)
            if signum in (signal.SIGTERM, signal.SIGINT):
                self.stop(f"{signal.strsignal(signum)}")
            elif signum == signal.SIGHUP and self.stopping_since is None:
                if self.roll or self.rolling():
                    log.warning("SIGHUP ignored: a rolling restart is under way")
                else:
                    log.info("SIGHUP: restarting the %d workers one at a time", self.count)
                    self.roll = list(range(self.count))
                    self.next_roll()

    # -- starting and readiness -----------------------------------------------------------

    def start(self, slot: int, replaces: Worker | None = None) -> Worker:
        process, ready_fd = self.spawn_process(slot)
        worker = Worker(slot, process, ready_fd, replaces=replaces)
        self.selector.register(ready_fd, selectors.EVENT_READ, worker)
        self.workers.append(worker)
        return worker

    def ready(self, worker: Worker) -> None:
        self.forget_pipe(worker)
        if worker.state != "starting":
            return
        worker.state = "serving"
        log.info("worker %d (pid %d) serving", worker.slot, worker.pid)
        if worker.replaces is not None:
            self.retire(worker.replaces)
            worker.replaces = None
            self.next_roll()

    def forget_pipe(self, worker: Worker) -> None:
        if worker.ready_fd >= 0:
            self.selector.unregister(worker.ready_fd)
            os.close(worker.ready_fd)
            worker.ready_fd = -1

    # -- rolling restart ------------------------------------------------------------------

    def rolling(self) -> bool:
        return any(worker.replaces is not None for worker in self.workers)

    def next_roll(self) -> None:
        while self.roll and self.stopping_since is None:
            slot = self.roll.pop(0)
            current = [w for w in self.workers if w.slot == slot and w.state == "serving"]
            if current:
                self.start(slot, replaces=current[0])
                return
        if not self.rolling() and self.stopping_since is None:
            log.info("rolling restart done")

    def abort_roll(self, worker: Worker, why: str) -> None:
        log.error("rolling restart stopped: the new worker %d (pid %d) %s; the running "
                  "workers keep serving the code they loaded", worker.slot, worker.pid, why)
        worker.replaces = None
        self.roll = []

    # -- exits ----------------------------------------------------------------------------

    def reap(self) -> None:
        for worker in list(self.workers):
            code = worker.process.poll()
            if code is None:
                continue
            self.workers.remove(worker)
            self.forget_pipe(worker)
            if self.stopping_since is not None or worker.state == "retiring":
                continue
            if worker.replaces is not None:
                self.abort_roll(worker, f"exited with status {code} before serving")
                continue
            log.error("worker %d (pid %d) exited with status %d; starting another",
                      worker.slot, worker.pid, code)
            now = time.monotonic()
            self.deaths = [t for t in self.deaths if now - t < RESTART_WINDOW] + [now]
            if len(self.deaths) > MAX_RESTARTS:
                log.critical("%d workers died within %.0f s: stopping",
                             len(self.deaths), RESTART_WINDOW)
                self.status = 1
                self.stop("workers keep dying")
                return
            self.start(worker.slot)

    def check_deadlines(self) -> None:
        now = time.monotonic()
        for worker in self.workers:
            if worker.state == "starting" and now - worker.started > self.start_timeout:
                log.error("worker %d (pid %d) not serving after %.0f s: killing it",
                          worker.slot, worker.pid, self.start_timeout)
                if worker.replaces is not None:
                    self.abort_roll(worker, f"was not serving after {self.start_timeout:.0f} s")
                    worker.state = "retiring"
                worker.started = now  # kill once; reap() counts it as a death
                worker.process.kill()
        if self.stopping_since is not None and now - self.stopping_since > self.drain_timeout + 5:
            for worker in self.workers:
                log.error("worker %d (pid %d) still running %.0f s after the stop: killing it",
                          worker.slot, worker.pid, now - self.stopping_since)
                worker.process.kill()
            self.stopping_since = now  # once more, then reap

    # -- stopping -------------------------------------------------------------------------

    def retire(self, worker: Worker) -> None:
        worker.state = "retiring"
        try:
            worker.process.send_signal(signal.SIGTERM)
        except ProcessLookupError:
            pass

    def stop(self, why: str) -> None:
        if self.stopping_since is not None:
            return
        log.info("stopping (%s): the workers finish the requests in flight (at most %.0f s)",
                 why, self.drain_timeout)
        self.stopping_since = time.monotonic()
        self.roll = []
        self.on_stop()
        for worker in self.workers:
            self.retire(worker)
