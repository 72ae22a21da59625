"""Bounded, escaped excerpts of what a client sent, for log lines.

A leaf module, so that every layer (the store's retry log as well as the
web's error views) logs a client's path the same safe way.
"""

from __future__ import annotations

from pyramid.request import Request

#: How much of a client's path a log line shows; a URL can be as long as the server allows.
EXCERPT_LENGTH = 200


def excerpt(text: str, limit: int = EXCERPT_LENGTH) -> str:
    """``text`` for a log line: quoted and escaped as ``repr`` does (no control
    character reaches the log), cut to ``limit`` characters."""
    # Escaped character by character, not with repr() of the whole: the path
    # already shows undecodable bytes as \\xNN, which repr() would double.
    cut = "".join(c if c.isprintable() else repr(c)[1:-1] for c in text[:limit])
    shown = f"'{cut}'"
    return shown if len(text) <= limit else f"{shown}... ({len(text)} characters)"


def request_excerpt(request: Request) -> str:
    """The method, path and query string of a request for a log line.

    Read from the WSGI environ, never through ``request.path_qs``: WebOb
    decodes that again, and fails on the very requests worth logging."""
    environ = request.environ
    method = environ.get("REQUEST_METHOD", "")
    if not (method.isascii() and method.isalpha() and len(method) <= 20):
        method = excerpt(method, 20)
    raw = environ.get("SCRIPT_NAME", "") + environ.get("PATH_INFO", "")
    query = environ.get("QUERY_STRING", "")
    if query:
        raw += "?" + query
    # PEP 3333: each byte of the path is one latin-1 character.
    text = raw.encode("latin-1", "replace").decode("utf-8", "backslashreplace")
    return f"{method} {excerpt(text)}"
