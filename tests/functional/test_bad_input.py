"""Bad input is a 4xx with a message, never a 500: undecodable paths and query
strings, forms in another charset or without a multipart boundary, lone
surrogates in JSON, ids longer than ``int()`` converts.

Each answer is checked as a browser gets it (the layout) and as a program
gets it (the core's JSON error shape), on every database backend.  Raw bytes
in a path are given as WSGI gives them (PEP 3333: one latin-1 character per
byte of the percent-decoded path).
"""

from __future__ import annotations

import logging
import re
from typing import Any

import pytest
import webtest
from notes_data import OPEN_TO_EVERYONE, add_notes, count

from podium.testing import build_app

pytestmark = pytest.mark.podium_plugins("notes")


@pytest.fixture
def podium_settings(podium_settings):
    """An operator's site open to anonymous writers: these tests are about how
    requests are handled, whoever sends them (who may is test_permissions.py's)."""
    return {**podium_settings, **OPEN_TO_EVERYONE}

HTML = {"Accept": "text/html"}
JSON = {"Accept": "application/json"}
API = "/notes/api/notes"

#: URL -> (its PATH_INFO, the byte the message shows)
BAD_PATHS = {
    "/%ff": ("/\xff", "%FF"),
    "/notes/%ff": ("/notes/\xff", "%FF"),
    "/static/%ff": ("/static/\xff", "%FF"),
    "/notes/static/%ff": ("/notes/static/\xff", "%FF"),
    "/%C0%AF": ("/\xc0\xaf", "%C0"),  # an overlong "/", which UTF-8 forbids
}
BAD_QUERIES = ["/notes/?page=%ff", f"{API}?page=%ff", "/notes?page=%ff", "/?x=%C0%AF"]
OTHER_CHARSETS = ["latin-1", "bogus"]
HUGE_ID = "9" * 5000


def html_error(res: Any, status: int) -> str:
    """The message of an error page rendered in the site's layout."""
    assert res.status_int == status
    assert res.content_type == "text/html"
    assert res.html.select_one("nav.podium-nav") is not None, "not the site's layout"
    assert res.html.h1.text.startswith(str(status))
    return str(res.html.select_one(".podium-error p").text)


def json_error(res: Any, status: int) -> dict[str, Any]:
    assert res.status_int == status
    assert res.content_type == "application/json"
    error = res.json["error"]
    assert error["status"] == status
    assert error["message"]
    return dict(error)


# -- the path -------------------------------------------------------------------------------


@pytest.mark.parametrize("path", BAD_PATHS)
def test_a_path_that_is_not_utf8_is_a_400_page(testapp, path):
    path_info, shown = BAD_PATHS[path]
    res = testapp.get("/", extra_environ={"PATH_INFO": path_info}, headers=HTML,
                      expect_errors=True)
    message = html_error(res, 400)
    assert message.startswith(f"This address is not valid: {shown} is not UTF-8 text")


@pytest.mark.parametrize("path", BAD_PATHS)
def test_a_path_that_is_not_utf8_is_a_json_400(testapp, path):
    path_info, shown = BAD_PATHS[path]
    res = testapp.get("/", extra_environ={"PATH_INFO": path_info}, headers=JSON,
                      expect_errors=True)
    error = json_error(res, 400)
    assert error["title"] == "Bad Request"
    assert error["message"].startswith(f"This address is not valid: {shown} is not UTF-8 text")


def test_a_bad_path_under_api_answers_json_without_an_accept_header(testapp):
    res = testapp.get("/", extra_environ={"PATH_INFO": f"{API}/\xff"}, expect_errors=True)
    assert "not UTF-8" in json_error(res, 400)["message"]


def test_a_path_in_utf8_is_still_served(testapp, podium_engine):
    [note_id] = add_notes(podium_engine, 1, title="Café")
    # "/notes/é" decodes (404), and "/notes/1" still works after refused requests.
    testapp.get("/", extra_environ={"PATH_INFO": "/notes/\xc3\xa9"}, status=404)
    testapp.get("/", extra_environ={"PATH_INFO": "/notes/\xff"}, status=400)
    assert "Café" in testapp.get(f"/notes/{note_id}").text


# -- the query string -----------------------------------------------------------------------


@pytest.mark.parametrize("url", BAD_QUERIES)
def test_a_query_string_that_is_not_utf8_is_a_400_page(testapp, url):
    message = html_error(testapp.get(url, headers=HTML, expect_errors=True), 400)
    assert "query string" in message
    assert "is not UTF-8 text" in message


@pytest.mark.parametrize("url", BAD_QUERIES)
def test_a_query_string_that_is_not_utf8_is_a_json_400(testapp, url):
    error = json_error(testapp.get(url, headers=JSON, expect_errors=True), 400)
    assert "query string" in error["message"]
    assert "%FF" in error["message"] or "%C0" in error["message"]


def test_a_percent_encoded_utf8_query_string_is_still_read(testapp, podium_engine):
    add_notes(podium_engine, 1)
    assert testapp.get(f"{API}?page=1&x=caf%C3%A9").json["total"] == 1


# -- forms ----------------------------------------------------------------------------------


def _post_form(testapp, url: str, content_type: str, accept: dict[str, str]) -> Any:
    body = f"title=Caf\xe9&csrf_token={testapp.csrf_token()}".encode("latin-1")
    return testapp.post(url, body, headers={"Content-Type": content_type, **accept},
                        expect_errors=True)


@pytest.mark.parametrize("charset", OTHER_CHARSETS)
def test_a_form_in_another_charset_is_a_400_page(testapp, podium_engine, charset):
    content_type = f"application/x-www-form-urlencoded; charset={charset}"
    message = html_error(_post_form(testapp, "/notes/new", content_type, HTML), 400)
    assert f"encoded as '{charset}'" in message
    assert "UTF-8" in message
    assert count(podium_engine) == 0


@pytest.mark.parametrize("charset", OTHER_CHARSETS)
def test_a_form_in_another_charset_is_a_json_400(testapp, podium_engine, charset):
    content_type = f"application/x-www-form-urlencoded; charset={charset}"
    for url in ("/notes/new", API):
        error = json_error(_post_form(testapp, url, content_type, JSON), 400)
        assert "forms are read only as UTF-8" in error["message"]
    assert count(podium_engine) == 0


def test_a_form_declaring_utf8_is_still_accepted(testapp, podium_engine):
    body = f"title=Caf%C3%A9&csrf_token={testapp.csrf_token()}"
    testapp.post("/notes/new", body, status=302,
                 headers={"Content-Type": "application/x-www-form-urlencoded; charset=utf-8"})
    assert count(podium_engine) == 1


@pytest.mark.parametrize("content_type", ["multipart/form-data", "multipart/form-data; boundary="])
def test_a_multipart_form_without_a_boundary_is_a_400(testapp, podium_engine, content_type):
    message = html_error(_post_form(testapp, "/notes/new", content_type, HTML), 400)
    assert "needs a valid boundary" in message
    error = json_error(_post_form(testapp, "/notes/new", content_type, JSON), 400)
    assert "needs a valid boundary" in error["message"]
    assert count(podium_engine) == 0


def test_a_multipart_form_with_a_boundary_is_still_accepted(testapp, podium_engine):
    testapp.post("/notes/new", {"title": "Hello", "csrf_token": testapp.csrf_token()},
                 content_type="multipart/form-data", status=302)
    assert count(podium_engine) == 1


# -- JSON with lone surrogates --------------------------------------------------------------


@pytest.mark.parametrize("field", ["title", "body"])
@pytest.mark.parametrize("accept", [HTML, JSON])
def test_a_lone_surrogate_in_json_is_a_400_naming_the_field(testapp, podium_engine, field,
                                                           accept):
    body = {"title": "Fine", "body": "", field: "a \\ud800 b"}
    raw = "{" + ", ".join(f'"{k}": "{v}"' for k, v in body.items()) + "}"
    res = testapp.post(API, raw.encode(), expect_errors=True,
                       headers={"Content-Type": "application/json", **accept})
    error = json_error(res, 400)
    assert set(error["fields"]) == {field}
    assert "lone UTF-16 surrogate" in error["fields"][field]
    assert "\\ud800" in error["fields"][field]
    assert count(podium_engine) == 0


@pytest.mark.parametrize("method", ["PUT", "PATCH"])
def test_a_lone_surrogate_in_an_update_is_a_400(testapp, podium_engine, method):
    [note_id] = add_notes(podium_engine, 1)
    res = testapp.request(f"{API}/{note_id}", method=method, body=b'{"title": "x\\udfff"}',
                          headers={"Content-Type": "application/json"}, expect_errors=True)
    assert set(json_error(res, 400)["fields"]) == {"title"}
    assert testapp.get(f"{API}/{note_id}").json["title"] == "Note 0"


def test_a_surrogate_pair_in_json_is_one_character_and_accepted(testapp):
    res = testapp.post(API, b'{"title": "smile \\ud83d\\ude00"}', status=201,
                       headers={"Content-Type": "application/json"})
    assert res.json["title"] == "smile \U0001f600"


def test_a_lone_surrogate_in_an_unknown_field_name_is_a_400(testapp):
    res = testapp.post(API, b'{"title": "x", "\\ud800": 1}', expect_errors=True,
                       headers={"Content-Type": "application/json"})
    [(name, message)] = json_error(res, 400)["fields"].items()
    assert (name, message) == ("\ud800", "Unknown field: a note has a title and a body.")


# -- ids ------------------------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/notes/{}", "/notes/{}/edit", "/notes/{}/delete"])
def test_an_id_of_thousands_of_digits_is_a_404_page(testapp, path):
    message = html_error(testapp.get(path.format(HUGE_ID), headers=HTML, expect_errors=True), 404)
    assert message == "No note with id 99999999999999999999… (5000 digits)."


@pytest.mark.parametrize("method", ["GET", "PUT", "PATCH", "DELETE"])
def test_an_id_of_thousands_of_digits_is_a_json_404(testapp, method):
    res = testapp.request(f"{API}/{HUGE_ID}", method=method, body=b'{"title": "x"}',
                          headers={"Content-Type": "application/json", **JSON},
                          expect_errors=True)
    assert json_error(res, 404)["message"].startswith("No note with id 9999")


def test_an_id_in_other_digits_than_ascii_is_a_404(testapp, podium_engine):
    [note_id] = add_notes(podium_engine, 1)
    arabic = "".join(chr(0x660 + int(d)) for d in str(note_id))
    path = f"/notes/{arabic}".encode().decode("latin-1")
    testapp.get("/", extra_environ={"PATH_INFO": path}, status=404)


def test_ids_with_leading_zeros_and_at_the_limit_still_resolve(testapp, podium_engine):
    [note_id] = add_notes(podium_engine, 1)
    assert testapp.get(f"{API}/{note_id:012d}").json["id"] == note_id
    assert json_error(testapp.get(f"{API}/{2**31}", expect_errors=True), 404)


# -- the log --------------------------------------------------------------------------------


def _logged(caplog, logger: str) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.name == logger]


def test_the_log_line_of_a_bad_path_is_bounded_and_escaped(testapp, caplog):
    text = "/notes/\xff\x1b[31m\r\nFORGED LOG LINE\u202e" + "a" * 5000
    path = text.encode("utf-8").replace(b"\xc3\xbf", b"\xff").decode("latin-1")
    with caplog.at_level(logging.INFO, logger="podium"):
        testapp.get("/", extra_environ={"PATH_INFO": path}, status=400)
    [line] = _logged(caplog, "podium.web.unreadable")
    assert len(line) < 600
    assert line.isprintable(), line
    assert line.startswith("400 for GET '/notes/\\xff\\x1b[31m\\r\\nFORGED LOG LINE")
    assert "\\u202e" in line  # right-to-left override: printable escape, not the mark
    assert re.search(r"\.\.\. \(50\d\d characters\)", line)


BOOM = '''
def boom(request):
    raise RuntimeError("boom")


def includeme(config):
    config.add_route("boom.any", "/*rest")
    config.add_view(boom, route_name="boom.any")
'''


def test_the_log_line_of_a_500_is_bounded_and_escaped(make_plugin, settings, caplog):
    make_plugin("boom", BOOM)
    app = webtest.TestApp(build_app(settings("boom")), extra_environ={"HTTP_HOST": "localhost"})
    path = "/boom/\x1b]0;title\x07\t" + "b" * 5000  # no newline: a route's ".*" stops there
    with caplog.at_level(logging.ERROR, logger="podium"):
        res = app.get("/?q=caf%C3%A9", extra_environ={"PATH_INFO": path}, headers=JSON,
                      status=500)
    assert res.json["error"]["status"] == 500
    [line] = _logged(caplog, "podium.web.errors")
    assert len(line) < 600
    assert line.isprintable(), line
    assert line.startswith("error while serving GET '/boom/\\x1b]0;title\\x07\\tbbb")
    assert line.endswith(f"'... ({len(path + '?q=caf%C3%A9')} characters)")


# -- without the tween ----------------------------------------------------------------------


WITHOUT_THE_CHECK = "pyramid_tm.tm_tween_factory\npyramid.tweens.excview_tween_factory"


@pytest.mark.podium_settings(**{"pyramid.tweens": WITHOUT_THE_CHECK})
def test_pyramids_url_decode_error_is_a_400_where_the_check_did_not_run(testapp):
    res = testapp.get("/", extra_environ={"PATH_INFO": "/notes/\xff"}, headers=JSON,
                      expect_errors=True)
    assert "not UTF-8" in json_error(res, 400)["message"]
    res = testapp.get("/notes/?page=%ff", headers=HTML, expect_errors=True)
    assert "query string" in html_error(res, 400)


UNICODE_BUG = '''
def bug(request):
    b"\\xff".decode("utf-8")


def includeme(config):
    config.add_route("bug.page", "/")
    config.add_view(bug, route_name="bug.page")
'''


def test_a_unicode_decode_error_of_the_code_itself_stays_a_500(make_plugin, settings):
    make_plugin("bug", UNICODE_BUG)
    app = webtest.TestApp(build_app(settings("bug")), extra_environ={"HTTP_HOST": "localhost"})
    assert app.get("/bug/", headers=JSON, status=500).json["error"]["status"] == 500
