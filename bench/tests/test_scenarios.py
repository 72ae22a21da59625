"""Every contender follows TechEmpower's rules on every scenario it serves.

Correctness only, never timing: a contender that answered fast but wrong
would make the benchmark lie.  The checks are ``bench.scenarios``'s, the
same the harness runs on the live servers before measuring.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import create_engine, select
from webtest import TestApp

from bench.data import world
from bench.peers import CONTENDERS
from bench.scenarios import FORM_MESSAGE, SCENARIOS, check_response

from .conftest import build_app

PAIRS = [
    pytest.param(contender, scenario, id=f"{contender}-{scenario}")
    for contender in CONTENDERS
    for scenario in SCENARIOS
    if scenario in CONTENDERS[contender].scenarios
]
DB_CONTENDERS = [c for c in CONTENDERS if "db" in CONTENDERS[c].scenarios]
FORM_CONTENDERS = [c for c in CONTENDERS if "form" in CONTENDERS[c].scenarios]


def prefix(contender: str) -> str:
    return CONTENDERS[contender].prefix


def form_post(app: TestApp, contender: str, **fields: str) -> object:
    """Fetch the form, fill it in and post it, sending the session cookie
    back as the harness does: Podium in production marks it Secure, which
    WebTest's cookie jar would keep from a plain-HTTP request."""
    page = app.get(prefix(contender) + "/form")
    cookies = [c.split(";", 1)[0] for c in page.headers.getall("Set-Cookie")]
    form = page.form
    form["message"] = FORM_MESSAGE
    for name, value in fields.items():
        form[name] = value
    return form.submit(headers={"Cookie": "; ".join(cookies)}, expect_errors=True)


@pytest.mark.parametrize(("contender", "scenario"), PAIRS)
def test_scenario_follows_the_rules(bench_app, contender: str, scenario: str) -> None:
    app = bench_app(contender)
    spec = SCENARIOS[scenario]
    if scenario == "form":
        res = form_post(app, contender)
    else:
        res = app.get(spec.url(prefix(contender)), expect_errors=True)
    assert check_response(scenario, res.status_int, res.headers, res.body) == []


@pytest.mark.parametrize("contender", DB_CONTENDERS)
@pytest.mark.parametrize(("raw", "expected"), [
    (None, 1), ("", 1), ("abc", 1), ("0", 1), ("-3", 1), ("1", 1), ("7", 7), ("500", 500),
    ("501", 500), ("100000", 500),
])
def test_queries_are_clamped_to_1_500(bench_app, contender: str, raw: str | None,
                                      expected: int) -> None:
    url = prefix(contender) + "/queries" + ("" if raw is None else f"?queries={raw}")
    res = bench_app(contender).get(url)
    assert check_response("queries", res.status_int, res.headers, res.body,
                          queries=expected) == []


@pytest.mark.parametrize("contender", DB_CONTENDERS)
@pytest.mark.parametrize(("raw", "expected"), [("abc", 1), ("501", 500)])
def test_updates_are_clamped_to_1_500(bench_app, contender: str, raw: str,
                                      expected: int) -> None:
    res = bench_app(contender).get(prefix(contender) + f"/updates?queries={raw}")
    assert check_response("updates", res.status_int, res.headers, res.body,
                          queries=expected) == []


@pytest.mark.parametrize("contender", DB_CONTENDERS)
def test_updates_are_persisted(bench_app, bench_db_url: str, contender: str) -> None:
    engine = create_engine(bench_db_url)
    try:
        res = bench_app(contender).get(prefix(contender) + "/updates?queries=20")
        final = {row["id"]: row["randomNumber"] for row in res.json}  # the last write wins
        with engine.connect() as conn:
            stored = dict(conn.execute(
                select(world.c.id, world.c.randomnumber).where(world.c.id.in_(final))
            ).all())
        assert stored == final
    finally:
        engine.dispose()


@pytest.mark.parametrize("contender", DB_CONTENDERS)
def test_fortunes_escape_and_keep_unicode(bench_app, contender: str) -> None:
    res = bench_app(contender).get(prefix(contender) + "/fortunes")
    text = res.body.decode("utf-8")
    assert "<script>" not in text
    assert "&lt;script&gt;alert(" in text
    assert "\u30d5\u30ec\u30fc\u30e0\u30ef\u30fc\u30af" in text
    assert "Additional fortune added at request time." in text


@pytest.mark.parametrize("contender", FORM_CONTENDERS)
@pytest.mark.parametrize("token", ["", "forged"])
def test_form_refuses_a_missing_or_wrong_token(bench_app, contender: str, token: str) -> None:
    res = form_post(bench_app(contender), contender, csrf_token=token)
    assert res.status_int == 400


@pytest.mark.parametrize("contender", FORM_CONTENDERS)
def test_form_refuses_an_empty_message(bench_app, contender: str) -> None:
    res = form_post(bench_app(contender), contender, message="")
    assert res.status_int == 400


def test_podium_bench_plugin_is_harmless_without_its_tables(tmp_path: Path) -> None:
    """With ``podium.plugins = *`` the plugin runs in every development
    server: it must build and serve on a database that lacks its tables."""
    app = TestApp(build_app("podium", f"sqlite:///{tmp_path / 'empty.sqlite'}", tmp_path))
    assert app.get("/bench/json").json == {"message": "Hello, World!"}
    res = app.get("/bench/db", headers={"Accept": "application/json"}, expect_errors=True)
    assert res.status_int == 503
    assert "python -m bench" in res.json["error"]["message"]
