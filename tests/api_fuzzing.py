"""schemathesis against a live WSGI app, from the OpenAPI document it serves.

Shared by the fuzz tests of the layer's test plugin and of the notes API:
cases are generated from ``GET /api/openapi.json`` (valid and invalid
bodies, queries and paths, wrong methods, no credentials) and sent with a
test token; every response must be no server error and conform to the
document: its status declared, its body valid for the declared schema.
``PODIUM_FUZZ_EXAMPLES`` sets the cases per operation and draws new ones
each run (``make fuzz``: 500); without it, ``default`` per operation and
mode, the same every run.
"""

from __future__ import annotations

import os
from typing import Any

import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis import GenerationMode
from schemathesis.config import SchemathesisConfig

#: make test's run is the same every time (a failure is the code's, not the draw's);
#: make fuzz draws new cases each run.
DERANDOMIZE = "PODIUM_FUZZ_EXAMPLES" not in os.environ
MODES = [GenerationMode.POSITIVE, GenerationMode.NEGATIVE]


def examples(default: int) -> int:
    return int(os.environ.get("PODIUM_FUZZ_EXAMPLES", str(default)))


#: schemathesis' expected statuses, with 413: a body the schema allows (100,000
#: characters of 12-byte JSON escapes) may be larger than the site's
#: ``podium.max_body_size``, which every operation's 413 response declares.
CONFIG = SchemathesisConfig.from_str("""
[checks.negative_data_rejection]
expected-statuses = ["400", "401", "403", "404", "405", "406", "409", "413", "415", "422",
                     "428", "429", "5xx"]
[checks.positive_data_acceptance]
expected-statuses = ["2xx", "3xx", "401", "403", "404", "409", "413", "429", "5xx"]
""")


def operations(app: Any) -> list[Any]:
    schema = schemathesis.openapi.from_wsgi("/api/openapi.json", app, config=CONFIG)
    return [result.ok() for result in schema.get_all_operations()]


def fuzz(operation: Any, mode: GenerationMode, headers: dict[str, str], count: int,
         excluded: tuple[Any, ...] = ()) -> None:
    """``count`` cases of ``mode`` for ``operation``, each sent and checked
    by every check schemathesis has (server errors, statuses, schemas...)
    but the ``excluded``."""

    @given(case=operation.as_strategy(generation_mode=mode))
    @settings(max_examples=count, deadline=None, database=None, derandomize=DERANDOMIZE,
              suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
    def send(case: Any) -> None:
        case.call_and_validate(headers=headers, excluded_checks=list(excluded))

    send()
