"""bench.slots measures what it says: the two pages differ by their 10 slot
calls only, and the generated plugins' contributions are really registered
(no timing asserted)."""

from __future__ import annotations

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
