"""schemathesis against the widgets plugin's API, from the document the site serves.

Cases are generated from ``GET /api/openapi.json`` (valid and invalid
bodies, queries and paths, wrong methods, no credentials) and sent to the
WSGI app with a test token; every response must be no server error and
conform to the document: its status declared, its body valid for the
declared schema.  Runs once per backend like every database test.
``PODIUM_FUZZ_EXAMPLES`` sets the cases per operation and draws new ones
each run (``make fuzz``: 500); without it, 50 per operation and mode, the
same every run.
"""

from __future__ import annotations

import os
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis import GenerationMode
from widgets_plugin import PERMISSIONS, create_tables, drop_tables, widgets_settings

EXAMPLES = int(os.environ.get("PODIUM_FUZZ_EXAMPLES", "50"))
#: make test's run is the same every time (a failure is the code's, not the draw's);
#: make fuzz draws new cases each run.
DERANDOMIZE = "PODIUM_FUZZ_EXAMPLES" not in os.environ


@pytest.fixture
def podium_settings(request, make_plugin, podium_database_url: str) -> dict[str, Any]:
    return widgets_settings(request, make_plugin, podium_database_url)


@pytest.fixture
def auth(podium_engine, podium_user, api_token):
    create_tables(podium_engine)
    podium_user("fuzzer", permissions=PERMISSIONS)
    yield {"Authorization": f"Bearer {api_token('fuzzer')}"}
    drop_tables(podium_engine)


def operations(app: Any) -> list[Any]:
    schema = schemathesis.openapi.from_wsgi("/api/openapi.json", app)
    return [result.ok() for result in schema.get_all_operations()]


def fuzz(operation: Any, mode: GenerationMode, auth: dict[str, str]) -> None:
    """``EXAMPLES`` cases of ``mode`` for ``operation``, each sent and checked
    by every check schemathesis has (server errors, statuses, schemas...)."""

    @given(case=operation.as_strategy(generation_mode=mode))
    @settings(max_examples=EXAMPLES, deadline=None, database=None, derandomize=DERANDOMIZE,
              suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
    def send(case: Any) -> None:
        case.call_and_validate(headers=auth)

    send()


@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE])
def test_the_api_keeps_to_its_document(podium_app, auth, mode):
    found = operations(podium_app)
    assert {op.label for op in found} >= {
        "GET /widgets/api/widgets", "POST /widgets/api/widgets",
        "GET /widgets/api/widgets/{id}", "PUT /widgets/api/widgets/{id}",
        "DELETE /widgets/api/widgets/{id}"}
    for operation in found:
        if "/raw/" not in operation.path:  # the hand-written views declare no schemas
            fuzz(operation, mode, auth)
