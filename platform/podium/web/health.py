"""``GET /health``: what a load balancer asks before sending a process traffic.

Public and minimal: 200 ``{"status": "ok"}`` when the database answers and its
schema is the one the code expects, 503 ``{"status": "unavailable"}`` otherwise;
no versions, plugin names or errors, which are for operators (``podium db
check``, the logs) and not for whoever can reach the port.

Cheap, because probes come every few seconds from every balancer: an answer
is repeated for ``podium.health.cache_ms`` (1 s), then one statement, a read
of ``alembic_version`` on a pooled connection outside the request's
transaction, compared with the revisions the last full check found current.
The full check (:func:`podium.store.schema_status.schema_status`, which reads
every revision file) runs on the first probe and again only when the recorded
revisions change, so a ``podium db upgrade`` is seen by the next probe that
asks.

The Host check (``podium.allowed_hosts``) does not apply to this path: balancers
often probe by address, and a page that builds no URL cannot be misled by a
forged host.
"""

from __future__ import annotations

import logging
import threading
import time
from typing import Any

from pyramid.config import Configurator
from pyramid.httpexceptions import HTTPMethodNotAllowed
from pyramid.registry import Registry
from pyramid.request import Request
from sqlalchemy import Engine, Select, String, column, select, table
from sqlalchemy.exc import DBAPIError

from ..plugins.permissions import PUBLIC
from ..plugins.plugin_set import plugin_set

log = logging.getLogger(__name__)

#: Where the probe is served, under the app's root (and the Host check's exception).
HEALTH_PATH = "/health"
REGISTRY_KEY = "podium.health"

# alembic's own table, read with one plain SELECT (a MigrationContext would first
# ask whether the table exists: a second statement per probe).  A lightweight
# table clause, not a Table: a Table bound in a core module is one the core's
# migrations own (podium.store.migrations.table_owners).
_RECORDED: Select[str] = select(column("version_num", String)).select_from(
    table("alembic_version"))


class Health:
    """The probe's answer, and what it remembers between probes."""

    def __init__(self, engine: Engine, settings: dict[str, Any], registry: Registry):
        self.engine = engine
        self.settings = settings
        self.registry = registry
        self._lock = threading.Lock()
        #: The ``alembic_version`` rows last found current (None: not yet, or not).
        self._current: frozenset[str] | None = None
        self._healthy = True  # as logged last: an outage is logged once, not per probe
        #: How long an answer is repeated, and until when the last one is.
        self._cache_seconds = int(settings.get("podium.health.cache_ms", 1000)) / 1000
        self._answer: tuple[float, bool] | None = None

    def is_healthy(self) -> bool:
        """The last answer while it is fresh (balancers probe every few seconds, from
        every balancer, and a probe costs more than a JSON request), else a new one."""
        answer = self._answer
        now = time.monotonic()
        if answer is not None and now < answer[0]:
            return answer[1]
        healthy = self._ask()
        self._answer = (now + self._cache_seconds, healthy)
        return healthy

    def _ask(self) -> bool:
        recorded: frozenset[str] | None
        try:
            with self.engine.connect() as connection:
                recorded = frozenset(connection.scalars(_RECORDED))
        except DBAPIError:
            recorded = None  # no such table, or no database: the full check tells which
        if recorded is not None and recorded == self._current:
            return self._changed(True, "")
        current, why = self._check_schema()
        with self._lock:
            self._current = recorded if current and recorded is not None else None
        return self._changed(current, why)

    def _check_schema(self) -> tuple[bool, str]:
        """The full comparison, as ``podium db check`` makes it."""
        from alembic.util import CommandError

        from ..store.schema_status import app_schema_status

        try:
            status = app_schema_status(self.settings, self.engine,
                                       plugin_set(self.registry).enabled)
        except DBAPIError as exc:
            return False, f"the database does not answer: {exc.orig}"
        except CommandError as exc:
            return False, f"the migrations cannot be read: {exc}"
        if status.is_current:
            return True, ""
        return False, status.describe_problem()

    def _changed(self, healthy: bool, why: str) -> bool:
        with self._lock:
            was, self._healthy = self._healthy, healthy
        if was and not healthy:
            log.error("/health answers 503 from now on: %s", why)
        elif healthy and not was:
            log.warning("/health answers 200 again")
        return healthy


def health(request: Request) -> dict[str, str]:
    checker: Health = request.registry[REGISTRY_KEY]
    healthy = checker.is_healthy()
    response = request.response
    response.cache_control = "no-store"
    if not healthy:
        response.status_int = 503
        return {"status": "unavailable"}
    return {"status": "ok"}


def wrong_method(request: Request) -> None:
    """A probe is a GET: anything else is a 405 naming what is allowed, not a 404."""
    raise HTTPMethodNotAllowed(f"{HEALTH_PATH} answers GET and HEAD only.",
                               headers={"Allow": "GET, HEAD"})


def includeme(config: Configurator) -> None:
    config.registry[REGISTRY_KEY] = Health(config.registry["podium.engine"],
                                           config.get_settings(), config.registry)
    config.add_route("podium.health", HEALTH_PATH)
    config.add_view(health, route_name="podium.health", request_method=("GET", "HEAD"),
                    renderer="json", permission=PUBLIC)
    # Without a method predicate, so tried after the view above; it changes nothing.
    config.add_view(wrong_method, route_name="podium.health", require_csrf=False,
                    permission=PUBLIC)
