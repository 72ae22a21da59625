"""``GET /admin/health``: what ``/health`` says, with the details an operator
needs and an outsider must not see (permission ``podium.admin``): database
latency, pool usage, the schema's status and each plugin's state.

JSON for scripts; an HTML page for a browser that asks for one (``Accept``)."""

from __future__ import annotations

import time
from typing import Any

from pyramid.renderers import render_to_response
from pyramid.request import Request
from pyramid.response import Response
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from ..store.schema_check import schema_check
from .overview import plugin_rows


def pool_usage(engine: Any) -> dict[str, Any]:
    """What the pool tells through its public methods (QueuePool has them all;
    SQLite's other pools fewer)."""
    pool = engine.pool
    usage: dict[str, Any] = {"class": type(pool).__name__}
    for name in ("size", "checkedout", "checkedin", "overflow"):
        method = getattr(pool, name, None)
        if callable(method):
            usage[name] = method()
    return usage


def details(request: Request) -> dict[str, Any]:
    registry = request.registry
    engine = registry["podium.engine"]
    started = time.perf_counter()
    try:
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
        latency_ms: float | None = round((time.perf_counter() - started) * 1000, 2)
        database = "ok"
    except DBAPIError as exc:
        latency_ms, database = None, f"does not answer: {exc.orig}"
    current, problem = schema_check(registry).summary()
    request.response.cache_control = "no-store"
    if database != "ok" or not current:
        request.response.status_int = 503
    return {
        "status": "ok" if database == "ok" and current else "unavailable",
        "database": {"status": database, "latency_ms": latency_ms},
        "pool": pool_usage(engine),
        "schema": {"current": current, "problem": problem},
        "plugins": [{"name": row.name, "state": row.state, "position": row.position,
                     "detail": row.detail} for row in plugin_rows(registry)],
    }


TEMPLATE = "podium:templates/admin/health.jinja2"


def health_view(request: Request) -> Response:
    """JSON, unless the client names HTML in its ``Accept`` (a browser does;
    ``curl`` and balancers send ``*/*``)."""
    found = details(request)
    status = request.response.status_int
    if "text/html" in (request.headers.get("Accept") or ""):
        response = render_to_response(TEMPLATE, {"health": found}, request=request)
    else:
        response = render_to_response("json", found, request=request)
    response.status_int = status
    response.cache_control = "no-store"
    return response
