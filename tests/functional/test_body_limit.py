"""``podium.max_body_size``: bodies over the limit get a 413 before they are read.

Through the whole WSGI app (WebTest), and once through a real waitress
started by ``pserve`` with the server limits the shipped ini files set.
"""

from __future__ import annotations

import http.client
import io
import json
import os
from collections.abc import Iterator

import pytest
import webtest
from pyramid.exceptions import ConfigurationExecutionError

from podium.settings.types import SettingsError
from podium.testing import build_app, running_pserve

LIMIT = 1024
RAISED = 8 * LIMIT

LIMITS = f'''
def size(request):
    return {{"size": len(request.body)}}


def includeme(config):
    config.add_route("limits.echo", "/echo")
    config.add_view(size, route_name="limits.echo", renderer="json", request_method="PUT")
    config.add_route("limits.api", "/api/echo")
    config.add_view(size, route_name="limits.api", renderer="json", request_method="PUT")
    config.add_route("limits.upload", "/upload")
    config.add_view(size, route_name="limits.upload", renderer="json", request_method="PUT",
                    max_body_size={RAISED})
    config.add_view(size, route_name="limits.upload", renderer="json", request_method="PATCH",
                    max_body_size={2 * LIMIT})
'''


class CountingStream(io.RawIOBase):
    """A ``wsgi.input`` of ``total`` bytes made by a generator as they are
    read, counting how many were."""

    def __init__(self, total: int, piece: bytes = b"x" * 4096):
        super().__init__()
        self.total, self.read_bytes = total, 0
        self.pieces = self._pieces(piece)
        self.pending = b""

    def _pieces(self, piece: bytes) -> Iterator[bytes]:
        made = 0
        while made < self.total:
            chunk = piece[:self.total - made]
            made += len(chunk)
            yield chunk

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        if not self.pending:
            self.pending = next(self.pieces, b"")
        size = min(len(buffer), len(self.pending))
        buffer[:size] = self.pending[:size]
        self.pending = self.pending[size:]
        self.read_bytes += size
        return size


@pytest.fixture
def limits(make_plugin, settings):
    make_plugin("limits", LIMITS)

    def build(**extra: str) -> webtest.TestApp:
        values = settings("limits", **{"podium.max_body_size": str(LIMIT), **extra})
        return webtest.TestApp(build_app(values), extra_environ={"HTTP_HOST": "localhost"})

    return build


def chunked(app: webtest.TestApp, path: str, stream: CountingStream,
            **headers: str) -> webtest.TestResponse:
    """A PUT whose body has no Content-Length: streamed, as a server that
    passes a chunked body on (``wsgi.input_terminated``) gives it."""
    request = webtest.TestRequest.blank(path, method="PUT", headers={
        "Host": "localhost", "Content-Type": "application/json", **headers})
    request.environ.pop("CONTENT_LENGTH", None)
    request.environ.update({"wsgi.input": stream, "wsgi.input_terminated": True,
                            "HTTP_TRANSFER_ENCODING": "chunked"})
    return app.do_request(request, status="*", expect_errors=True)


def test_a_body_within_the_limit_reaches_the_view(limits):
    res = limits().put("/limits/echo", b"x" * LIMIT, content_type="application/json")
    assert res.json == {"size": LIMIT}


def test_a_body_over_the_limit_by_content_length_gets_a_413_page(limits):
    res = limits().post("/limits/echo", b"x" * (LIMIT + 1),
                        content_type="application/octet-stream",
                        headers={"Accept": "text/html"}, status=413)
    assert res.content_type == "text/html"
    assert "<html" in res.text and "413" in res.text
    assert f"({LIMIT + 1} bytes) is larger than the {LIMIT} bytes" in res.text


def test_a_json_body_over_the_limit_gets_a_413_in_the_json_error_shape(limits):
    res = limits().post("/limits/api/echo", b"[" + b"1," * LIMIT + b"1]",
                        content_type="application/json", status=413)
    assert res.content_type == "application/json"
    error = res.json["error"]
    assert error["status"] == 413 and f"the {LIMIT} bytes this address accepts" in error["message"]


def test_the_default_limit_is_one_mebibyte(make_plugin, settings):
    make_plugin("limits", LIMITS)
    app = webtest.TestApp(build_app(settings("limits")), extra_environ={"HTTP_HOST": "localhost"})
    app.put("/limits/echo", b"x" * 2**20, content_type="application/json", status=200)
    app.put("/limits/echo", b"x" * (2**20 + 1), content_type="application/json", status=413)


def test_a_streamed_body_over_the_limit_is_refused_without_reading_it_all(limits):
    stream = CountingStream(100 * LIMIT)
    res = chunked(limits(), "/limits/api/echo", stream)
    assert res.status_int == 413 and res.json["error"]["status"] == 413
    assert stream.read_bytes <= LIMIT + 1


def test_a_streamed_body_within_the_limit_reaches_the_view_whole(limits):
    stream = CountingStream(LIMIT)
    res = chunked(limits(), "/limits/api/echo", stream)
    assert res.status_int == 200 and res.json == {"size": LIMIT}


def test_a_route_with_a_raised_limit_accepts_a_larger_body(limits):
    app = limits()
    assert app.put("/limits/upload", b"x" * RAISED,
                    content_type="application/json").json == {"size": RAISED}
    res = app.put("/limits/upload", b"x" * (RAISED + 1), content_type="application/json",
                   status=413)
    assert f"the {RAISED} bytes" in res.json["error"]["message"]
    # Only that route: the others keep the global limit.
    app.put("/limits/echo", b"x" * (LIMIT + 1), content_type="application/json", status=413)


def test_each_view_of_a_route_keeps_its_own_limit(limits):
    """The route accepts the largest limit its views declare; a view that
    declared less refuses what is over its own."""
    app = limits()
    app.patch("/limits/upload", b"x" * (2 * LIMIT), content_type="application/json", status=200)
    res = app.patch("/limits/upload", b"x" * (2 * LIMIT + 1), content_type="application/json",
                    status=413)
    assert f"the {2 * LIMIT} bytes" in res.json["error"]["message"]


def test_a_route_with_a_raised_limit_accepts_a_larger_streamed_body(limits):
    app = limits()
    stream = CountingStream(RAISED)
    assert chunked(app, "/limits/upload", stream).json == {"size": RAISED}
    stream = CountingStream(100 * RAISED)
    assert chunked(app, "/limits/upload", stream).status_int == 413
    assert stream.read_bytes <= RAISED + 1


def test_a_global_limit_above_the_routes_wins(limits):
    app = limits(**{"podium.max_body_size": str(2 * RAISED)})
    app.put("/limits/upload", b"x" * (RAISED + 1), content_type="application/json", status=200)


def test_the_limit_comes_from_the_environment(limits, monkeypatch):
    monkeypatch.setenv("PODIUM_MAX_BODY_SIZE", str(2 * LIMIT))
    app = limits(**{"podium.read_environment": "true"})
    app.put("/limits/echo", b"x" * (2 * LIMIT), content_type="application/json", status=200)
    app.put("/limits/echo", b"x" * (2 * LIMIT + 1), content_type="application/json",
             status=413)


@pytest.mark.parametrize("value", ["0", "lots"])
def test_a_bad_limit_stops_start_up(limits, value):
    with pytest.raises(SettingsError, match=r"podium\.max_body_size"):
        limits(**{"podium.max_body_size": value})


@pytest.mark.parametrize(("option", "message"), [
    ("route_name='bad.other', max_body_size=0", "expected a whole number of bytes >= 1"),
    ("max_body_size=4096", "needs route_name"),
])
def test_a_bad_max_body_size_option_is_a_configuration_error(make_plugin, settings, option,
                                                               message):
    make_plugin("bad", f'''
def view(request):
    return {{}}


def includeme(config):
    config.add_route("bad.other", "/other")
    config.add_view(view, renderer="json", {option})
''')
    with pytest.raises(ConfigurationExecutionError, match=message):
        build_app(settings("bad"))


SERVED = """\
[app:main]
use = egg:podium
podium.plugins = limits
podium.secret = {secret}
podium.max_body_size = {limit}
sqlalchemy.url = {url}

[server:main]
use = egg:waitress#main
listen = 127.0.0.1:{port}
max_request_body_size = {backstop}
ident =
"""


def put(base: str, path: str, body: bytes, *, chunk: bool = False) -> tuple[int, dict, bytes]:
    host, port = base.removeprefix("http://").split(":")
    connection = http.client.HTTPConnection(host, int(port), timeout=10)
    try:
        headers = {"Content-Type": "application/json"}
        if chunk:
            connection.request("PUT", path, body=iter([body[:LIMIT], body[LIMIT:]]),
                               headers=headers, encode_chunked=True)
        else:
            connection.request("PUT", path, body=body, headers=headers)
        response = connection.getresponse()
        return response.status, dict(response.getheaders()), response.read()
    finally:
        connection.close()


def test_a_real_server_refuses_large_bodies(make_plugin, tmp_path, free_port, monkeypatch):
    package_root = make_plugin.root
    make_plugin("limits", LIMITS)
    ini = tmp_path / "served.ini"
    ini.write_text(SERVED.format(secret="k" * 40, limit=LIMIT, port=free_port,
                                 url=f"sqlite:///{tmp_path / 'served.sqlite'}",
                                 backstop=4 * RAISED))
    monkeypatch.setenv("PYTHONPATH", str(package_root))
    with running_pserve(ini, free_port, env=os.environ) as base:
        status, headers, body = put(base, "/limits/echo", b"x" * LIMIT)
        assert status == 200 and json.loads(body) == {"size": LIMIT}
        assert "Server" not in headers  # ident = (empty): no banner
        status, _, body = put(base, "/limits/echo", b"x" * (LIMIT + 1))
        assert status == 413 and b"is larger than the 1024 bytes" in body
        # waitress de-chunks the body and gives its length: the same check.
        status, _, body = put(base, "/limits/echo", b"x" * (2 * LIMIT), chunk=True)
        assert status == 413 and b"is larger than the 1024 bytes" in body
        status, _, body = put(base, "/limits/upload", b"x" * RAISED, chunk=True)
        assert status == 200 and json.loads(body) == {"size": RAISED}
        # Over waitress's own max_request_body_size: refused by the server itself.
        status, _, body = put(base, "/limits/upload", b"x" * (4 * RAISED + 1))
        assert status == 413 and b"generated by" in body
