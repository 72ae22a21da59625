"""A PostgreSQL connection attempt is bounded unless the URL says otherwise."""

import socket
import time

import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError

from podium.store.engine import POSTGRESQL_CONNECT_TIMEOUT, connect_arguments


def test_postgresql_gets_a_connect_timeout():
    url = make_url("postgresql+psycopg://u@db.example/site")
    assert connect_arguments(url) == {
        "connect_args": {"connect_timeout": POSTGRESQL_CONNECT_TIMEOUT}}


def test_the_urls_own_connect_timeout_wins():
    url = make_url("postgresql+psycopg://u@db.example/site?connect_timeout=3")
    assert connect_arguments(url) == {}


def test_sqlite_gets_nothing():
    assert connect_arguments(make_url("sqlite:///x.sqlite")) == {}


def test_an_unanswering_server_fails_within_the_default_timeout(monkeypatch):
    pytest.importorskip("psycopg")
    from podium.store import engine as engine_module

    monkeypatch.setattr(engine_module, "POSTGRESQL_CONNECT_TIMEOUT", 2)

    # A listening socket that never accepts: the TCP handshake completes (backlog), the
    # server's greeting never comes, which libpq would wait for for ever.
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(1)
        port = listener.getsockname()[1]
        engine = engine_module.make_engine(
            {"sqlalchemy.url": f"postgresql+psycopg://u@127.0.0.1:{port}/x"})
        started = time.monotonic()
        with pytest.raises(OperationalError), engine.connect() as connection:
            connection.execute(text("SELECT 1"))
        assert time.monotonic() - started < 10
        engine.dispose()
