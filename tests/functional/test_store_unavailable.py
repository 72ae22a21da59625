"""A database that cannot be reached: 503 for what needs it, the rest served,
and recovery without a restart.

PostgreSQL is put out of reach by a TCP relay between the app and the real
server that the test closes and reopens on the same port: the app's pooled
connections die as they would when the server restarts.  SQLite is out of
reach while its file's directory does not exist.
"""

from __future__ import annotations

import contextlib
import importlib
import shutil
import socket
import threading
from collections.abc import Iterator

import pytest
import webtest
from counter_plugin import counter_installed, migrate
from sqlalchemy.engine import make_url

from podium.testing import build_app, temporary_database
from podium.testing.database import postgresql_admin_url

JSON = {"Accept": "application/json"}


def app_for(url: str) -> webtest.TestApp:
    app = build_app({"sqlalchemy.url": url, "podium.plugins": "counter",
                     "podium.secret": "x" * 40})
    return webtest.TestApp(app)


@pytest.fixture
def counter_site(tmp_path):
    with counter_installed(tmp_path / "site") as package:
        yield package


def assert_unavailable(testapp: webtest.TestApp) -> None:
    res = testapp.get("/counter/ping", status=503)
    assert res.headers["Retry-After"] == "2" and "cannot be reached" in res.text
    res = testapp.get("/counter/ping", headers=JSON, status=503)
    assert res.json["error"]["status"] == 503
    assert testapp.get("/").status_int == 200  # what needs no database is served


def test_sqlite_file_out_of_reach_then_back(counter_site, tmp_path):
    """The store makes the file's directory at start-up; removed later (a
    volume unmounted, say), the database is out of reach until it is back."""
    directory = tmp_path / "volume"
    testapp = app_for(f"sqlite:///{directory / 'podium.sqlite'}")
    engine = testapp.app.registry["podium.engine"]
    try:
        shutil.rmtree(directory)
        engine.dispose()  # no pooled connection to the removed file lives on
        assert_unavailable(testapp)
        directory.mkdir()
        assert testapp.get("/counter/ping").text == "pong"
    finally:
        engine.dispose()


class Relay:
    """A TCP relay on a fixed loopback port that can be cut and restored."""

    def __init__(self, target: tuple[str, int]):
        self.target = target
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self.sockets: list[socket.socket] = []
        self.listener: socket.socket | None = None

    def start(self) -> None:
        listener = socket.socket()
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", self.port))
        listener.listen(16)
        self.listener = listener
        threading.Thread(target=self._accept, args=(listener,), daemon=True).start()

    def _accept(self, listener: socket.socket) -> None:
        while True:
            try:
                client, _ = listener.accept()
            except OSError:
                return  # closed by stop()
            server = socket.create_connection(self.target, timeout=5)
            self.sockets += [client, server]
            for a, b in ((client, server), (server, client)):
                threading.Thread(target=self._pump, args=(a, b), daemon=True).start()

    @staticmethod
    def _pump(source: socket.socket, sink: socket.socket) -> None:
        with contextlib.suppress(OSError):
            while data := source.recv(65536):
                sink.sendall(data)
        with contextlib.suppress(OSError):
            sink.shutdown(socket.SHUT_RDWR)

    def stop(self) -> None:
        if self.listener is not None:
            # close() alone would not wake the thread blocked in accept(), and
            # the port would go on accepting.
            with contextlib.suppress(OSError):
                self.listener.shutdown(socket.SHUT_RDWR)
            self.listener.close()
            self.listener = None
        for sock in self.sockets:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
            sock.close()
        self.sockets.clear()


@pytest.fixture
def postgresql_through_relay(counter_site, tmp_path) -> Iterator[tuple[str, Relay]]:
    admin = postgresql_admin_url()
    if not admin:
        pytest.skip("PODIUM_TEST_DATABASE_URL is not set")
    with temporary_database("postgresql", tmp_path) as url:
        migrate(url)
        real = make_url(url)
        relay = Relay((real.host or "127.0.0.1", real.port or 5432))
        relay.start()
        try:
            yield real.set(host="127.0.0.1", port=relay.port).render_as_string(
                hide_password=False), relay
        finally:
            relay.stop()


def test_postgresql_down_then_back(postgresql_through_relay):
    url, relay = postgresql_through_relay
    testapp = app_for(url)
    try:
        assert testapp.get("/counter/ping").text == "pong"  # a pooled connection now
        relay.stop()
        assert_unavailable(testapp)
        relay.start()
        assert testapp.get("/counter/ping").text == "pong"
        assert testapp.post_json("/counter/increment", {"token": "back"}).json["n"] == 1
    finally:
        relay.stop()
        testapp.app.registry["podium.engine"].dispose()


def test_a_connection_that_died_in_the_pool_costs_no_failed_request(postgresql_through_relay):
    """No pre-ping: the first statement meets the dead connection, SQLAlchemy
    drops the pool and the request runs again on a new connection."""
    url, relay = postgresql_through_relay
    testapp = app_for(url)
    try:
        assert testapp.get("/counter/ping").text == "pong"  # a pooled connection now
        relay.stop()  # the server restarts: every pooled connection dies
        relay.start()
        assert testapp.get("/counter/ping").text == "pong"  # not a 503
        relay.stop()
        relay.start()
        assert testapp.post_json("/counter/increment", {"token": "again"}).json["n"] == 1
        assert testapp.get("/counter/value").json["n"] == 1  # applied once
    finally:
        relay.stop()
        testapp.app.registry["podium.engine"].dispose()


def test_a_commit_that_fails_does_not_claim_nothing_was_saved(postgresql_through_relay,
                                                              counter_site):
    """Whether a COMMIT that lost its connection was applied is unknown: the
    503 says so, in the page and in the JSON shape, instead of "nothing was
    saved"; and the after-commit hook does not run."""
    hook_calls = importlib.import_module(counter_site).HOOK_CALLS
    url, _ = postgresql_through_relay
    testapp = app_for(url)
    try:
        hook_calls.clear()
        res = testapp.post_json("/counter/increment?then=cut_at_commit", {"token": "cut"},
                                headers=JSON, status=503)
        assert "may or may not have been saved" in res.json["error"]["message"]
        assert res.headers["Retry-After"] == "2"
        assert hook_calls == []
        assert testapp.get("/counter/value").json["n"] == 0  # here, it was not
        res = testapp.post_json("/counter/increment?conflict=none", {"token": "after"})
        assert res.json["n"] == 1  # and the next request is served as usual
        testapp.app.registry["podium.engine"].dispose()
        testapp = app_for(url)  # a statement that fails is not a lost COMMIT
        relay = postgresql_through_relay[1]
        relay.stop()
        res = testapp.get("/counter/ping", headers=JSON, status=503)
        assert "cannot be reached" in res.json["error"]["message"]
        relay.start()
    finally:
        testapp.app.registry["podium.engine"].dispose()


def test_postgresql_wrong_credentials(postgresql_through_relay):
    url, _ = postgresql_through_relay
    testapp = app_for(make_url(url).set(username="no_such_podium_role").render_as_string(
        hide_password=False))
    try:
        assert_unavailable(testapp)
    finally:
        testapp.app.registry["podium.engine"].dispose()
