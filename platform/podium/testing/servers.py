"""Real servers for tests: ``pserve`` on a loopback port, always stopped.

A test that serves over HTTP must never leave a server behind, even when it
fails: the server runs in a process group of its own and is stopped by
that group's id (SIGTERM, then SIGKILL), whatever happened in the test.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator, Mapping
from pathlib import Path


def free_port() -> int:
    """A loopback port nothing listens on (tests never bind a fixed one)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def stop(process: subprocess.Popen) -> None:
    """Stop a server started in its own session, and everything it forked."""
    for sig, wait in ((signal.SIGTERM, 10), (signal.SIGKILL, None)):
        try:
            os.killpg(process.pid, sig)
        except ProcessLookupError:
            break
        try:
            process.wait(timeout=wait)
            break
        except subprocess.TimeoutExpired:
            continue


@contextlib.contextmanager
def running_pserve(ini: str | Path, port: int, *, env: Mapping[str, str] | None = None,
                   ready_path: str = "/", log_path: str | Path | None = None,
                   cwd: str | Path | None = None, timeout: float = 30.0) -> Iterator[str]:
    """Run ``pserve INI`` (whose server listens on 127.0.0.1:``port``) and
    yield its base URL once ``ready_path`` answers; fail with its log if it
    does not start within ``timeout`` seconds."""
    pserve = str(Path(sys.executable).with_name("pserve"))
    log_path = Path(log_path) if log_path else Path(ini).with_suffix(".log")
    with open(log_path, "w+") as log:
        process = subprocess.Popen([pserve, str(ini)], cwd=cwd, env=dict(env or os.environ),
                                   stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        base = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + timeout
            while True:
                try:
                    urllib.request.urlopen(base + ready_path, timeout=5).close()
                    break
                except urllib.error.HTTPError:
                    break  # it answers: an error status is still a running server
                except OSError:
                    if process.poll() is not None or time.monotonic() > deadline:
                        log.seek(0)
                        raise RuntimeError(f"pserve {ini} did not start:\n{log.read()}") from None
                    time.sleep(0.1)
            yield base
        finally:
            stop(process)


def fetch(url: str) -> tuple[int, str]:
    """``(status, body)`` of a GET, error statuses included (urllib raises
    for them), for asserting on what a running server answers."""
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()
