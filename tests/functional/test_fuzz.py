"""A seeded fuzz test over every route of the app (issue 14): no request,
however odd, is a 500, and a production app never shows a traceback.

The requests come from :mod:`fuzz_requests`, drawn from ``random.Random(SEED)``
so that a failure reproduces: the test prints each failing request, and
``PODIUM_FUZZ_SEED`` / ``PODIUM_FUZZ_REQUESTS`` replay or widen the run.
The app is the production configuration (a strong secret, the notes plugin the
shipped ini files enable, ``podium.allowed_hosts``), on every database backend.

Below the fuzz test, one regression test per 500 it found.
"""

from __future__ import annotations

import collections
import os
import random
import re
import secrets
from typing import Any

import pytest
from fuzz_requests import FuzzRequest, make_request
from notes_data import OPEN_TO_EVERYONE, add_notes, count
from pyramid.interfaces import IRoutesMapper

SEED = int(os.environ.get("PODIUM_FUZZ_SEED", "14"))
REQUESTS = int(os.environ.get("PODIUM_FUZZ_REQUESTS", "5000"))
STRONG_SECRET = secrets.token_urlsafe(48)

#: What a traceback in a response looks like, in a page or escaped in JSON.
TRACEBACK = re.compile(rb"Traceback \(most recent call last\)|File \\?\"[^\"]+\.py\\?\", line")

#: The pages whose POST writes, and redirects once it has.
WRITING_PAGES = re.compile(rb"/notes/(new|\d+/edit|\d+/delete)")

pytestmark = [
    pytest.mark.podium_plugins("notes"),
    pytest.mark.podium_settings(**{"podium.environment": "production",
                                   "podium.secret": STRONG_SECRET}),
]


@pytest.fixture
def podium_settings(podium_settings):
    """An operator's site open to anonymous writers: these tests are about how
    requests are handled, whoever sends them (who may is test_permissions.py's)."""
    return {**podium_settings, **OPEN_TO_EVERYONE}


def _problem(response: Any) -> str | None:
    status = response.status_int
    if status >= 500 and not (status == 503 and response.headers.get("Retry-After")):
        return f"status {response.status}"
    if TRACEBACK.search(response.body):
        return "a traceback in the response"
    return None


def _session(testapp: Any, login: str | None = None) -> tuple[str, str]:
    """The Cookie header and the CSRF token of one real session (a user's
    with ``login``: the pages only users reach, ``/account``, are fuzzed so)."""
    if login is not None:
        testapp.login(login)
    token = testapp.csrf_token()
    cookie = "; ".join(f"{name}={value}" for name, value in testapp.cookies.items())
    testapp.reset()
    return cookie, token


def send(testapp: Any, request: FuzzRequest) -> Any:
    response = testapp.do_request(request.to_webtest(), status=None, expect_errors=True)
    testapp.cookiejar.clear()  # each request carries the cookie it was drawn with, or none
    return response


def test_fuzzed_requests_on_every_route_are_never_a_500(testapp, podium_engine, podium_app,
                                                        podium_database_url, podium_user):
    routes = podium_app.registry.getUtility(IRoutesMapper).get_routes()
    patterns = [route.pattern for route in routes]
    assert {"notes/{id:\\d+}/edit", "static/*subpath", "notes/api/notes"} <= set(patterns)
    ids = add_notes(podium_engine, 5)
    session = _session(testapp, podium_user("fuzzer").login)
    rng = random.Random(SEED)
    statuses: collections.Counter[int] = collections.Counter()
    failures: list[str] = []
    accepted_writes = writes_drawn = 0
    for number in range(REQUESTS):
        request = make_request(rng, patterns, ids, session)
        try:
            response = send(testapp, request)
        except Exception as exc:  # the app, or WebTest's WSGI lint, raised
            failures.append(f"#{number} raised {exc!r}\n{request}")
            continue
        statuses[response.status_int] += 1
        writes_drawn += request.method == "POST" and bool(
            WRITING_PAGES.fullmatch(request.path) or request.path == b"/notes/api/notes")
        if request.method == "POST" and (response.status_int == 201 or (
                response.status_int == 302 and WRITING_PAGES.fullmatch(request.path))):
            accepted_writes += 1
        problem = _problem(response)
        if problem:
            failures.append(f"#{number} {problem}\n{request}\n  answer={response.body[:500]!r}")
    backend = podium_database_url.split(":", 1)[0]
    print(f"\n{backend}: {REQUESTS} requests, seed {SEED}: {dict(sorted(statuses.items()))}")
    assert not failures, (f"{len(failures)} of {REQUESTS} requests failed (seed {SEED}); "
                          "the first ones:\n\n" + "\n\n".join(failures[:10]))
    # The fuzzer reached the views: notes were created, and pages and JSON were served.
    assert statuses[200] and statuses[400] and statuses[404] and statuses[405]
    # Of the POSTs drawn for the notes' writing URLs, some got past the CSRF check and
    # validation (a share, not a count: every route the core or a plugin adds takes
    # draws from the notes' ones).
    print(f"accepted writes: {accepted_writes} of {writes_drawn} drawn")
    assert writes_drawn and accepted_writes >= writes_drawn / 50, (
        "too few fuzzed writes got past the CSRF check and validation")
    # And the app still answers ordinary requests afterwards.
    testapp.reset()
    assert testapp.get("/notes/", headers={"Accept": "text/html"}).status_int == 200
    before = count(podium_engine)
    created = testapp.post_json("/notes/api/notes", {"title": "After the fuzz"}, status=201)
    assert testapp.get(created.headers["Location"]).json["title"] == "After the fuzz"
    assert count(podium_engine) == before + 1


# -- what the fuzzer found ------------------------------------------------------------------

HTTPS = {"wsgi.url_scheme": "https", "SERVER_PORT": "443"}
HTML = {"Accept": "text/html"}
JSON = {"Accept": "application/json"}


def _browser(testapp: Any) -> tuple[dict[str, str], str]:
    """The headers of a browser on this site (its session cookie, its origin), and its token."""
    cookie, token = _session(testapp)
    return {"Cookie": cookie, "Origin": "https://localhost"}, token


def _layout_error(res: Any, status: int) -> str:
    assert res.status_int == status
    assert res.content_type == "text/html"
    assert res.html.select_one("nav.podium-nav") is not None, "not the site's layout"
    return str(res.html.select_one(".podium-error p").text)


@pytest.mark.parametrize("header", ["Origin", "Referer"])
@pytest.mark.parametrize("value", ["https://[::1", "https://[localhost]/notes/"])
def test_an_origin_that_is_not_a_url_is_a_400(testapp, podium_engine, header, value):
    """Pyramid's origin check parsed it with urlparse(), which raised ValueError."""
    res = testapp.post("/notes/api/notes", b'{"title": "x"}', extra_environ=HTTPS,
                       headers={"Content-Type": "application/json", header: value, **JSON},
                       expect_errors=True)
    assert res.status_int == 400
    assert f"The {header} header of this request is not a valid URL" in res.json["error"][
        "message"]
    assert count(podium_engine) == 0
    # Only unsafe requests are checked against their origin: a GET is served.
    testapp.get("/notes/", extra_environ=HTTPS, headers={header: value}, status=200)
    # And a valid origin still passes.
    testapp.post("/notes/api/notes", b'{"title": "x"}', extra_environ=HTTPS, status=201,
                 headers={"Content-Type": "application/json", "Origin": "https://localhost"})


def _multipart(parts: list[tuple[str, str, bytes]], boundary: str = "fuzz") -> bytes:
    """A multipart body of (part headers after the name, name, value) triples."""
    out = b""
    for extra, name, value in parts:
        out += (f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"{extra}\r\n\r\n'
                .encode() + value + b"\r\n")
    return out + f"--{boundary}--\r\n".encode()


@pytest.mark.parametrize("part", [
    '\r\nContent-Type: text/plain; charset=bogus',  # an unknown charset: LookupError
    '; filename=""\r\nContent-Type: text/plain; charset=latin-1',  # WebOb's AttributeError
    '\r\nContent-Type: text/plain; charset=utf-16',  # bytes not in it: UnicodeDecodeError
])
def test_a_multipart_part_in_a_charset_webob_cannot_decode_is_a_400(testapp, podium_engine,
                                                                     part):
    headers, token = _browser(testapp)
    body = _multipart([("", "csrf_token", token.encode()), (part, "title", b"Caf\xe9!")])
    for accept in (HTML, JSON):
        res = testapp.post("/notes/new", body, extra_environ=HTTPS, expect_errors=True,
                           headers={**headers, **accept,
                                    "Content-Type": "multipart/form-data; boundary=fuzz"})
        message = (res.json["error"]["message"] if accept is JSON
                   else _layout_error(res, 400))
        assert res.status_int == 400
        assert message.startswith("A part of this form could not be read")
    assert count(podium_engine) == 0


def test_a_csrf_token_sent_as_a_file_is_a_400(testapp, podium_engine):
    """Pyramid's token check took len() of the cgi.FieldStorage: TypeError."""
    headers, token = _browser(testapp)
    body = _multipart([('; filename="token.txt"', "csrf_token", token.encode()),
                       ("", "title", b"Hello")])
    res = testapp.post("/notes/new", body, extra_environ=HTTPS, expect_errors=True,
                       headers={**headers, **HTML,
                                "Content-Type": "multipart/form-data; boundary=fuzz"})
    assert "csrf_token field of this form is a file" in _layout_error(res, 400)
    assert count(podium_engine) == 0
    # The same form with the token as text is accepted.
    body = _multipart([("", "csrf_token", token.encode()), ("", "title", b"Hello")])
    testapp.post("/notes/new", body, extra_environ=HTTPS, status=302,
                 headers={**headers, "Content-Type": "multipart/form-data; boundary=fuzz"})
    assert count(podium_engine) == 1


@pytest.mark.parametrize("refusal", ["host", "body size"])
def test_an_error_page_for_a_path_that_is_not_utf8_is_rendered_in_the_layout(testapp, caplog,
                                                                             refusal):
    """A request refused before its path was checked (a Host not allowed, a body
    over the limit) fell back to a bare text page: the layout read the path."""
    kwargs: dict[str, Any] = {"headers": {**HTML, "Host": "evil.test"}}
    status = 400
    if refusal == "body size":
        kwargs = {"headers": {**HTML, "Content-Type": "application/json"},
                  "params": b"{" + b" " * (2**20 + 1) + b"}"}
        status = 413
    with caplog.at_level("ERROR", logger="podium"):
        res = testapp.post("/", extra_environ={"PATH_INFO": "/notes/\xff\xc0"},
                           expect_errors=True, **kwargs)
    _layout_error(res, status)
    assert not [r for r in caplog.records if r.levelname == "ERROR"], "a traceback was logged"
