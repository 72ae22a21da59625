"""schemathesis against the notes API, from the document the site serves
(see tests/api_fuzzing.py); once per backend.

The client is a user with the role ``editor`` (every note is theirs to
change), and some notes exist, so that drawn ids find one now and then and
updates and deletes run, not only 404s.

Twice: the notes alone, with every check, including that every request
the document calls valid is accepted (``positive_data_acceptance``) and
every one it calls invalid refused; then with the tags plugin's field,
without the first: what a tag name may be (letters of any script, after
NFKC normalisation) has no regular expression that JSON Schema's readers
agree on, so the document states the field's shape and the description
its rules, and valid-looking names the server refuses are expected.
"""

from __future__ import annotations

import pytest
from api_fuzzing import MODES, examples, fuzz, operations
from notes_data import add_notes
from schemathesis.checks import positive_data_acceptance

EXAMPLES = examples(50)
NOTES = "/notes/api/notes"

SITES = [
    pytest.param((), marks=pytest.mark.podium_plugins("notes"), id="notes"),
    pytest.param((positive_data_acceptance,), marks=pytest.mark.podium_plugins("notes", "tags"),
                 id="notes+tags"),
]


@pytest.fixture
def auth(podium_engine, podium_user, api_token) -> dict[str, str]:
    add_notes(podium_engine, 30)
    podium_user("fuzzer", roles=["editor"])
    return {"Authorization": f"Bearer {api_token('fuzzer')}"}


@pytest.mark.parametrize("excluded", SITES)
@pytest.mark.parametrize("mode", MODES)
def test_the_notes_api_keeps_to_its_document(podium_app, auth, mode, excluded):
    found = operations(podium_app)
    assert {op.label for op in found} >= {
        f"GET {NOTES}", f"POST {NOTES}", f"GET {NOTES}/{{id}}", f"PUT {NOTES}/{{id}}",
        f"PATCH {NOTES}/{{id}}", f"DELETE {NOTES}/{{id}}"}
    for operation in found:
        if operation.path.startswith(NOTES):
            fuzz(operation, mode, auth, EXAMPLES, excluded)
