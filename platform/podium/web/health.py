"""``GET /health``: what a load balancer asks before sending a process traffic.

Public and minimal: 200 ``{"status": "ok"}`` when the database answers and its
schema is the one the code expects, 503 ``{"status": "unavailable"}`` otherwise;
no versions, plugin names or errors, which are for operators (``podium db
check``, the logs) and not for whoever can reach the port.

Cheap, because probes come every few seconds from every balancer: an answer
is repeated for ``podium.health.cache_ms`` (1 s), then one statement, a read
of ``alembic_version`` on a pooled connection outside the request's
transaction, compared with the revisions of the last full check
(:class:`podium.store.schema_check.SchemaCheck`, which the admin console
shares).  The full check (:func:`podium.store.schema_status.schema_status`,
which reads every revision file) runs on the first question and again only
when the recorded revisions change, so a ``podium db upgrade`` is seen by the
next probe that asks.

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
from pyramid.request import Request

from ..plugins.permissions import PUBLIC
from ..store.schema_check import SchemaCheck, schema_check

log = logging.getLogger(__name__)

#: Where the probe is served, under the app's root (and the Host check's exception).
HEALTH_PATH = "/health"
REGISTRY_KEY = "podium.health"


class Health:
    """The probe's answer, and what it remembers between probes."""

    def __init__(self, schema: SchemaCheck, settings: dict[str, Any]):
        self.schema = schema
        self._lock = threading.Lock()
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
        healthy = self._changed(*self.schema.summary())
        self._answer = (now + self._cache_seconds, healthy)
        return healthy

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
    config.registry[REGISTRY_KEY] = Health(schema_check(config.registry),
                                           config.get_settings())
    config.add_route("podium.health", HEALTH_PATH)
    config.add_view(health, route_name="podium.health", request_method=("GET", "HEAD"),
                    renderer="json", permission=PUBLIC)
    # Without a method predicate, so tried after the view above; it changes nothing.
    config.add_view(wrong_method, route_name="podium.health", require_csrf=False,
                    permission=PUBLIC)
