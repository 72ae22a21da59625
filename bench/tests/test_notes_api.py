"""``bench.notes_api`` measures what it says: both trees' notes APIs answer every
scenario, each child's code comes from its tree; no timing asserted."""

from __future__ import annotations

from pathlib import Path

import pytest

from bench import REPO_ROOT, notes_api


def test_head_against_the_working_tree_answers_every_scenario():
    # The tags variant only (the notes one is the same minus a plugin): a child
    # migrates and builds its site in some 4 s.
    results = notes_api.measure("HEAD", requests=2, rounds=1, variants=("tags",))
    assert results["baseline"]["commit"] == notes_api.git("rev-parse", "HEAD")
    assert set(results["variants"]) == {"tags"}
    for rows in results["variants"].values():
        assert list(rows) == list(notes_api.SCENARIOS)
        for row in rows.values():
            assert row["baseline_ms"] > 0 and row["current_ms"] > 0 and row["speed"] > 0


def test_code_imported_from_another_tree_stops_the_run(tmp_path: Path):
    here = notes_api.imported_from()  # this process: the working tree's editable installs
    notes_api.check_imports("current", REPO_ROOT, here)
    with pytest.raises(notes_api.ChildError, match="imported podium from"):
        notes_api.check_imports("baseline", tmp_path, here)


def test_an_unknown_revision_is_refused():
    with pytest.raises(SystemExit, match="no such commit"):
        notes_api.resolve("no-such-revision-anywhere")
