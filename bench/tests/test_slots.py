"""bench.slots measures what it says: the two pages differ by their 10 slot
calls only, and the generated plugins' contributions are really registered
(no timing asserted)."""

from __future__ import annotations

import shutil
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from bench import slots


@pytest.fixture
def clean_modules() -> Iterator[None]:
    yield
    for name in [m for m in sys.modules if m.startswith("bench_slots_")]:
        del sys.modules[name]


def test_the_pages_differ_by_their_ten_slot_calls(tmp_path: Path) -> None:
    with_slots, without = slots._pages(tmp_path)
    layout = (tmp_path / "layout.jinja2").read_text()
    plain = (tmp_path / "layout_without_slots.jinja2").read_text()
    page = Path(with_slots).read_text()
    assert layout.count("slot(") + page.count("slot(") == 10
    assert "slot(" not in plain + Path(without).read_text()


def test_the_unguarded_page_writes_every_call_in_parentheses(tmp_path: Path) -> None:
    unguarded = Path(slots._unguarded_page(tmp_path)).read_text()
    layout = (tmp_path / "layout_unguarded.jinja2").read_text()
    assert str(tmp_path / "layout_unguarded.jinja2") in unguarded
    assert layout.count("{{ (slot(") + unguarded.count("{{ (slot(") == 10
    assert "{{ slot(" not in layout + unguarded


def test_the_measures_run_and_check_their_pages(tmp_path: Path, clean_modules: None) -> None:
    page = slots.measure_page(tmp_path, rounds=1, requests=2)
    assert set(page["requests_per_s"]) == {"with", "without"} and page["ratio"] > 0
    startup = slots.measure_startup(tmp_path, rounds=1, count=2, per_plugin=2)
    assert startup["plugins"] == 2 and startup["ratio"] > 0


def test_generated_plugins_contribute_to_slots(tmp_path: Path, clean_modules: None,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    from podium.slots.registry import slot_table
    from podium.testing import base_settings, build_app

    names = slots._plugins(tmp_path, "t", 2, 3)
    monkeypatch.syspath_prepend(str(tmp_path))
    app = build_app(base_settings(f"sqlite:///{tmp_path / 'x.sqlite'}", " ".join(names)))
    table = slot_table(app.registry)
    assert [c.plugin for c in table["podium.head"]] == names
    assert set(table) == set(slots.SLOT_NAMES[:3])


@pytest.mark.skipif(shutil.which("callgrind_control") is None, reason="valgrind not installed")
def test_instructions_are_counted_per_variant(tmp_path: Path) -> None:
    """One worker under callgrind (some 15 s): every variant counted,
    and the unguarded calls cost more than the guarded ones."""
    found = slots.measure_instructions(tmp_path, requests=3, warmup=1, hash_seed=0)
    for measure in ("page", "render"):
        counts = found[measure]["instructions"]
        assert set(counts) == {"with", "without", "unguarded"}
        assert counts["unguarded"] > counts["with"] > 0
        assert found[measure]["ratio"] == counts["without"] / counts["with"]
