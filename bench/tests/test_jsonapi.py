"""``bench.jsonapi`` measures what it says: both variants answer, no timing asserted."""

from __future__ import annotations

from bench import jsonapi


def test_both_variants_create_and_read_through_the_whole_app():
    results = jsonapi.measure(requests=3, rounds=1)
    assert set(results) == {"create", "read"}
    for row in results.values():
        assert row["layer_ms"] > 0 and row["hand_written_ms"] > 0 and row["speed"] > 0
