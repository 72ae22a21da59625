"""Renderers: the streaming ``csv`` renderer through the full app, and
renderer name clashes between plugins reported with both names."""

from __future__ import annotations

import csv
import io

import pytest
import webtest
from sqlalchemy import text

from podium.plugins.errors import PluginConflictError
from podium.testing import build_app
from podium.testing.apps import base_settings

EXPORT = '''
from sqlalchemy import text
from podium.rendering.csv import stream_rows

def rows(request):
    return {"header": ["id", "title"], "rows": [(1, "first"), (2, "=cmd|' /C calc'!A0")],
            "filename": "things.csv"}

def plain(request):
    return iter([("a", 1), ("b", 2)])

def mapped(request):
    return {"header": ["title", "id"], "rows": [{"id": 1, "title": "x"}]}

def big(request):
    return {"header": ["n", "label"],
            "rows": stream_rows(request, text("SELECT n, label FROM big_export ORDER BY n")),
            "filename": "big.csv"}

def includeme(config):
    for name, view in (("rows", rows), ("plain", plain), ("mapped", mapped), ("big", big)):
        config.add_route("export." + name, "/" + name)
        config.add_view(view, route_name="export." + name, renderer="csv")
'''


@pytest.fixture
def app(make_plugin, tmp_path):
    make_plugin("export", EXPORT)
    router = build_app(base_settings(f"sqlite:///{tmp_path / 'r.sqlite'}", "export"))
    yield webtest.TestApp(router)
    router.registry["podium.engine"].dispose()


def parse(res) -> list[list[str]]:
    return list(csv.reader(io.StringIO(res.text, newline="")))


def test_a_view_returning_rows_gets_a_csv_attachment(app):
    res = app.get("/export/rows")
    assert res.content_type == "text/csv" and res.charset == "utf-8"
    assert res.headers["Content-Disposition"] == 'attachment; filename="things.csv"'
    assert parse(res) == [["id", "title"], ["1", "first"], ["2", "'=cmd|' /C calc'!A0"]]


def test_a_bare_iterable_and_mapping_rows(app):
    plain = app.get("/export/plain")
    assert parse(plain) == [["a", "1"], ["b", "2"]]
    assert "Content-Disposition" not in plain.headers
    assert parse(app.get("/export/mapped")) == [["title", "id"], ["x", "1"]]


def test_the_body_is_streamed_not_built_in_memory(app):
    response = webtest.TestRequest.blank("/export/rows").get_response(app.app)
    assert response.content_length is None  # no length: sent as it is produced
    assert not isinstance(response.app_iter, (list, tuple))


def test_stream_rows_reads_a_large_table_on_its_own_connection(app):
    engine = app.app.registry["podium.engine"]
    with engine.begin() as conn:
        conn.execute(text("CREATE TABLE big_export (n INTEGER PRIMARY KEY, label TEXT)"))
        conn.execute(text("INSERT INTO big_export (n, label) VALUES (:n, :label)"),
                     [{"n": n, "label": f"row {n}"} for n in range(5000)])
    res = app.get("/export/big")
    rows = parse(res)
    assert rows[0] == ["n", "label"] and len(rows) == 5001
    assert rows[-1] == ["4999", "row 4999"]
    assert engine.pool.checkedout() == 0  # the streaming connection went back


CLASH = '''
from pyramid.renderers import JSON

def includeme(config):
    config.add_renderer("{name}", JSON())
'''


def test_two_plugins_registering_one_renderer_name_conflict_naming_both(make_plugin, tmp_path):
    make_plugin("one", CLASH.format(name="xlsx"), distribution="one-dist")
    make_plugin("two", CLASH.format(name="xlsx"), distribution="two-dist")
    with pytest.raises(PluginConflictError) as info:
        build_app(base_settings(f"sqlite:///{tmp_path / 'c.sqlite'}", "one two"))
    assert ("renderer 'xlsx' is registered by plugin 'one' (one-dist 1.0) "
            "and by plugin 'two' (two-dist 1.0)") in str(info.value)


def test_a_plugin_replacing_the_core_csv_renderer_is_a_conflict(make_plugin, tmp_path):
    make_plugin("one", CLASH.format(name="csv"), distribution="one-dist")
    with pytest.raises(PluginConflictError) as info:
        build_app(base_settings(f"sqlite:///{tmp_path / 'c.sqlite'}", "one"))
    assert "renderer 'csv'" in str(info.value) and "plugin 'one' (one-dist 1.0)" in str(info.value)
