"""The scaling runs' generated plugins and arithmetic (no server, no timing)."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from importlib.metadata import distributions
from pathlib import Path

import pytest
from webtest import TestApp

from bench import scaling


@pytest.fixture
def site(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    monkeypatch.syspath_prepend(str(tmp_path))
    yield tmp_path
    for name in [m for m in sys.modules if m.startswith("podium_gen_")]:
        del sys.modules[name]


def test_generated_plugins_are_real_entry_points(site: Path) -> None:
    plugins = scaling.generate(site, 3)
    found = {
        ep.name: ep.value
        for dist in distributions(path=[str(site)])
        for ep in dist.entry_points.select(group="podium.plugins")
    }
    assert found == {p.name: p.module for p in plugins}


def test_bare_app_serves_the_same_routes(site: Path) -> None:
    plugins = scaling.generate(site, 2)
    app = TestApp(scaling.make_bare_app(
        plugins=" ".join(f"{p.name}={p.module}" for p in plugins)))
    last = plugins[-1]
    assert app.get(plugins[0].path(scaling.PATTERNS[0])).body == b"gen000"
    assert app.get(last.path(scaling.PATTERNS[-1])).body == b"gen001"
    app.get(f"/{last.name}/no-such-page", status=404)


def test_ratios_are_per_round_then_median() -> None:
    def sample(app: str, r: int, start: float, rss: int, first: float, last: float,
               missing: float) -> scaling.Sample:
        return scaling.Sample(app, 10, r, start, rss,
                              rps={"first": first, "last": last, "missing": missing})

    samples = [
        sample("podium", 0, 1.0, 120, 1000, 950, 500), sample("bare", 0, 0.8, 100, 1, 1, 1),
        sample("podium", 1, 3.0, 130, 100, 96, 50), sample("bare", 1, 2.0, 100, 1, 1, 1),
        sample("podium", 2, 1.2, 125, 1000, 980, 400), sample("bare", 2, 1.0, 100, 1, 1, 1),
    ]
    rows = {row["app"]: row for row in scaling.summarize(samples, [10], 3)}
    podium = rows["podium"]
    assert podium["last_vs_first"] == pytest.approx(0.96)
    assert podium["cost_404"] == pytest.approx(2.0)
    assert podium["startup_vs_bare"] == pytest.approx(1.25)
    assert podium["rss_vs_bare"] == pytest.approx(1.25)
    assert "podium" in scaling.table(list(rows.values()), "title")
