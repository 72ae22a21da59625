"""The server's ceiling: a plain WSGI callable with no framework at all.

Only plaintext and JSON: anything slower than this is the framework's cost.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from typing import Any

from .common import HELLO

PREFIX = ""
SCENARIOS = frozenset({"plaintext", "json", "notfound"})

WSGIApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]


def make_app(db_url: str | None = None, **options: str) -> WSGIApp:
    """The WSGI callable; ``db_url`` is accepted and ignored."""
    hello = HELLO.encode()

    def app(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        path = environ.get("PATH_INFO", "")
        if path == "/plaintext":
            status, content_type, body = "200 OK", "text/plain; charset=utf-8", hello
        elif path == "/json":
            status, content_type = "200 OK", "application/json"
            body = json.dumps({"message": HELLO}).encode()
        else:
            status, content_type, body = "404 Not Found", "text/plain; charset=utf-8", b"Not Found"
        start_response(status, [("Content-Type", content_type), ("Content-Length", str(len(body)))])
        return [body]

    return app
