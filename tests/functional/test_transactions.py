"""The request's transaction, observed through real requests on a real database.

A probe plugin writes a row in several ways and then succeeds, raises, dooms
the transaction or answers with an error status; the test then counts rows
through a separate connection.
"""

from __future__ import annotations

import pytest
import webtest
from sqlalchemy import Column, Integer, MetaData, String, Table, func, select

from podium.testing import build_app

PROBE = '''
from pyramid.httpexceptions import HTTPBadRequest
from pyramid.response import Response
from sqlalchemy import Column, Integer, MetaData, String, Table, insert, text

probes = Table("probe_row", MetaData(), Column("id", Integer, primary_key=True),
               Column("how", String(20), nullable=False))


def write(request):
    how = request.matchdict["how"]
    session = request.dbsession
    if how == "text":
        session.execute(text("INSERT INTO probe_row (how) VALUES (:how)"), {"how": how})
    elif how == "scalar":
        session.scalar(insert(probes).values(how=how).returning(probes.c.id))
    elif how == "scalars":
        session.scalars(text("INSERT INTO probe_row (how) VALUES ('x') RETURNING id")).all()
    else:
        session.execute(insert(probes).values(how=how))
    outcome = request.params.get("then", "ok")
    if outcome == "raise":
        raise RuntimeError("failed after writing")
    if outcome == "doom":
        request.tm.doom()
    if outcome == "bad":
        raise HTTPBadRequest("refused after writing")
    if outcome == "status":
        request.response.status = 409
        return request.response
    return Response("written")


def includeme(config):
    config.add_route("probe.write", "/write/{how}")
    config.add_view(write, route_name="probe.write", require_csrf=False)
'''

probe_table = Table("probe_row", MetaData(), Column("id", Integer, primary_key=True),
                    Column("how", String(20), nullable=False))


@pytest.fixture
def probe(make_plugin, podium_database_url):
    make_plugin("probe", PROBE)
    app = build_app({
        "sqlalchemy.url": podium_database_url,
        "podium.plugins": "probe",
        "podium.secret": "x" * 40,
    })
    engine = app.registry["podium.engine"]
    probe_table.create(engine, checkfirst=True)
    with engine.begin() as conn:
        conn.execute(probe_table.delete())

    def count() -> int:
        with engine.connect() as conn:
            return conn.execute(select(func.count()).select_from(probe_table)).scalar_one()

    yield webtest.TestApp(app), count
    # The session's database is shared: leave no table the models don't declare.
    probe_table.drop(engine)
    engine.dispose()


@pytest.mark.parametrize("how", ["core", "text", "scalar", "scalars"])
def test_non_orm_writes_are_committed(probe, how):
    testapp, count = probe
    testapp.post(f"/probe/write/{how}")
    assert count() == 1


@pytest.mark.parametrize("how", ["core", "text"])
def test_an_exception_after_writing_leaves_no_row(probe, how):
    testapp, count = probe
    res = testapp.post(f"/probe/write/{how}?then=raise", status=500)
    assert "failed after writing" not in res.text  # no traceback outside debug
    assert count() == 0


def test_a_doomed_transaction_is_not_committed(probe):
    testapp, count = probe
    testapp.post("/probe/write/core?then=doom")
    assert count() == 0


def test_an_http_error_after_writing_leaves_no_row(probe):
    testapp, count = probe
    res = testapp.post("/probe/write/core?then=bad", status=400)
    assert "refused after writing" in res.text
    assert count() == 0


def test_an_error_status_returned_by_the_view_vetoes_the_commit(probe):
    testapp, count = probe
    testapp.post("/probe/write/text?then=status", status=409)
    assert count() == 0

