"""Draining a waitress server: stop accepting, finish what is in flight, return.

waitress 3 has no graceful stop: ``server.run()`` loops until the process
exits, and an exit drops the requests its threads are serving and the
responses not yet sent.  A worker that drains has to stop the listening
dispatchers and watch its connections finish, so this module runs
waitress's loop itself (``waitress.wasyncore.loop`` over the ``map`` that
``create_server`` accepts) and reads the state of its channels: a request
being received (``request``), queued or running (``requests``), output not
yet sent (``total_outbufs_len``), and the flags waitress's own idle-timeout
maintenance sets (``will_close``, ``last_activity``).  A request still
waiting for its response gets waitress's own ``Connection: close`` (by its
parsed ``Connection`` header), as if the client had asked for it.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from waitress import wasyncore
from waitress.channel import HTTPChannel
from waitress.server import BaseWSGIServer

DEPENDENCY = "waitress"
SUPPORTED = ">=3.0,<3.1"

#: A drained worker closes a keep-alive connection only once it has been
#: quiet this long, so that a client between two requests of a tight loop
#: sends its next one (answered with ``Connection: close``) rather than
#: meeting a closed socket.
IDLE_GRACE = 0.5  # seconds


def serve_until_drained(server: Any, channel_map: dict[int, Any],
                        draining: Callable[[], bool], timeout: float,
                        loop_timeout: float = 1.0) -> int:
    """Serve ``server`` (made by ``waitress.create_server(..., map=channel_map)``)
    until ``draining()`` is true, then until its connections are done or
    ``timeout`` seconds have passed.  Returns how many connections were cut
    at the deadline."""
    while not draining():
        wasyncore.loop(timeout=loop_timeout, map=channel_map, use_poll=True, count=1)
    _stop_listening(channel_map)
    deadline = time.monotonic() + timeout
    while _open_connections(channel_map) and time.monotonic() < deadline:
        _close_when_done(channel_map)
        wasyncore.loop(timeout=0.05, map=channel_map, use_poll=True, count=1)
    cut = len(_open_connections(channel_map))
    server.task_dispatcher.shutdown(cancel_pending=True, timeout=1)
    wasyncore.close_all(channel_map)
    return cut


def _stop_listening(channel_map: dict[int, Any]) -> None:
    """Take what is already in each listening socket's backlog (its socket
    is non-blocking, as every wasyncore dispatcher's), then close this
    process's copy of the socket: the supervisor and any replacement worker
    keep theirs, so the port stays served."""
    for dispatcher in list(channel_map.values()):
        if isinstance(dispatcher, BaseWSGIServer):
            while True:
                before = len(_open_connections(channel_map))
                dispatcher.handle_accept()
                if len(_open_connections(channel_map)) == before:
                    break
            dispatcher.accepting = False
            dispatcher.del_channel()
            dispatcher.socket.close()


def _open_connections(channel_map: dict[int, Any]) -> list[Any]:
    return [channel for channel in list(channel_map.values())
            if isinstance(channel, HTTPChannel)]


def _close_when_done(channel_map: dict[int, Any]) -> None:
    now = time.time()
    for channel in _open_connections(channel_map):
        busy = channel.requests or channel.request is not None or channel.total_outbufs_len
        if busy:
            for request in list(channel.requests):
                request.headers["CONNECTION"] = "close"
        elif now - channel.last_activity >= IDLE_GRACE:
            channel.will_close = True
