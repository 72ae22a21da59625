"""schemathesis against the widgets plugin's API, from the document the site
serves (see tests/api_fuzzing.py); once per backend like every database test."""

from __future__ import annotations

from typing import Any

import pytest
from api_fuzzing import MODES, examples, fuzz, operations
from widgets_plugin import PERMISSIONS, create_tables, drop_tables, widgets_settings

EXAMPLES = examples(50)


@pytest.fixture
def podium_settings(request, make_plugin, podium_database_url: str) -> dict[str, Any]:
    return widgets_settings(request, make_plugin, podium_database_url)


@pytest.fixture
def auth(podium_engine, podium_user, api_token):
    create_tables(podium_engine)
    podium_user("fuzzer", permissions=PERMISSIONS)
    yield {"Authorization": f"Bearer {api_token('fuzzer')}"}
    drop_tables(podium_engine)


@pytest.mark.parametrize("mode", MODES)
def test_the_api_keeps_to_its_document(podium_app, auth, mode):
    found = operations(podium_app)
    assert {op.label for op in found} >= {
        "GET /widgets/api/widgets", "POST /widgets/api/widgets",
        "GET /widgets/api/widgets/{id}", "PUT /widgets/api/widgets/{id}",
        "DELETE /widgets/api/widgets/{id}"}
    for operation in found:
        if "/raw/" not in operation.path:  # the hand-written views declare no schemas
            fuzz(operation, mode, auth, EXAMPLES)
