"""The JSON API layer, through a plugin declared on it (tests/widgets_plugin.py).

Every request goes through the whole WSGI app; users and tokens are made in
the test database by the test kit.  Each status a JSON client can meet is
checked to come in the one error shape.
"""

from __future__ import annotations

from typing import Any

import pytest
from widgets_plugin import PERMISSIONS, create_tables, drop_tables, widgets_settings

from podium.testing import base_settings

URL = "/widgets/api/widgets"


@pytest.fixture
def podium_settings(request, make_plugin, podium_database_url: str) -> dict[str, Any]:
    return widgets_settings(request, make_plugin, podium_database_url)


@pytest.fixture
def app(testapp, podium_engine):
    create_tables(podium_engine)
    yield testapp
    drop_tables(podium_engine)


@pytest.fixture
def auth(app, podium_user, api_token) -> dict[str, str]:
    """The headers of a user who may view and edit widgets."""
    podium_user("editor", permissions=PERMISSIONS)
    return {"Authorization": f"Bearer {api_token('editor')}"}


def assert_error(res, status: int) -> dict[str, Any]:
    """The one shape: ``{"error": {"status", "title", "message"[, "fields"]}}``."""
    assert res.status_int == status
    assert res.content_type == "application/json"
    error = res.json["error"]
    assert error["status"] == status
    assert isinstance(error["title"], str) and error["title"]
    assert isinstance(error["message"], str) and error["message"]
    assert set(error) <= {"status", "title", "message", "fields"}
    return error


def create(app, auth, **values: Any) -> Any:
    body = {"name": "Sprocket", "tags": ["metal"], "size": 3, **values}
    return app.post_json(URL, body, headers=auth, status=201)


# -- schemas ----------------------------------------------------------------------------

def test_create_validates_the_body_and_serializes_the_response(app, auth):
    res = create(app, auth, name="Sprocket")
    assert res.content_type == "application/json"
    widget = res.json
    assert widget == {"id": widget["id"], "name": "Sprocket", "tags": ["metal"], "size": 3,
                      "version": 1, "url": f"http://localhost{URL}/{widget['id']}"}
    assert res.location == widget["url"]
    assert app.get(widget["url"], headers=auth).json == widget


def test_defaults_of_the_schema_apply(app, auth):
    res = app.post_json(URL, {"name": "Bare"}, headers=auth, status=201)
    assert res.json["tags"] == [] and res.json["size"] == 1


def test_each_invalid_field_is_named_by_its_path(app, auth):
    res = app.post_json(URL, {"name": "", "tags": ["ok", "", 7], "size": 0,
                              "colour": "red"}, headers=auth, status=400)
    error = assert_error(res, 400)
    assert set(error["fields"]) == {"name", "tags.1", "tags.2", "size", "colour"}
    assert error["fields"]["colour"] == "Unknown field."
    assert "1000" not in error["fields"]["size"] and "1" in error["fields"]["size"]


def test_a_missing_field_is_required(app, auth):
    error = assert_error(app.post_json(URL, {}, headers=auth, status=400), 400)
    assert error["fields"] == {"name": "Required."}


@pytest.mark.parametrize("text", ["a\x00b", "\ud800"])
def test_text_no_database_stores_alike_is_refused(app, auth, text):
    # NUL: PostgreSQL refuses it; a lone surrogate: no driver encodes it.
    body = '{"name": "ok", "tags": ["x"], "size": 1}'.replace(
        '"ok"', '"' + text.encode("unicode_escape").decode().replace("\\x00", "\\u0000") + '"')
    res = app.post(URL, body, headers={**auth, "Content-Type": "application/json"},
                   status=400)
    error = assert_error(res, 400)
    assert "name" in error.get("fields", {}) or "JSON" in error["message"]


def test_a_nul_in_a_list_item_is_named_too(app, auth):
    res = app.post(URL, '{"name": "ok", "tags": ["a\\u0000"]}',
                   headers={**auth, "Content-Type": "application/json"}, status=400)
    fields = assert_error(res, 400)["fields"]
    assert fields == {"tags": "Item 0: must not contain NUL characters (U+0000)."}


@pytest.mark.parametrize("body", [b"{", b"", b"[1, 2]", b'"text"', b"\xff\xfe"])
def test_a_body_that_is_not_a_json_object_is_a_400(app, auth, body):
    res = app.post(URL, body, headers={**auth, "Content-Type": "application/json"},
                   status=400)
    error = assert_error(res, 400)
    assert "request body" in error["message"]


@pytest.mark.parametrize("content_type", ["text/plain", "application/x-www-form-urlencoded",
                                          "multipart/form-data; boundary=x"])
def test_a_body_of_another_type_is_a_415(app, auth, content_type):
    res = app.post(URL, b'{"name": "x"}', headers={**auth, "Content-Type": content_type},
                   status=415)
    assert "application/json" in assert_error(res, 415)["message"]


def test_query_parameters_are_validated(app, auth):
    create(app, auth, name="small", size=1)
    create(app, auth, name="big", size=500)
    res = app.get(URL, {"min_size": "100"}, headers=auth)
    assert [w["name"] for w in res.json["items"]] == ["big"]
    error = assert_error(app.get(URL, {"min_size": "huge"}, headers=auth, status=400), 400)
    assert set(error["fields"]) == {"min_size"}
    error = assert_error(app.get(f"{URL}?min_size=1&min_size=2", headers=auth, status=400),
                         400)
    assert set(error["fields"]) == {"min_size"}


# -- pagination -------------------------------------------------------------------------

def test_a_list_is_paginated_with_a_total_and_links(app, auth):
    for n in range(5):
        create(app, auth, name=f"w{n}")
    res = app.get(URL, {"per_page": "2", "page": "2", "min_size": "1"}, headers=auth)
    page = res.json
    assert [w["name"] for w in page["items"]] == ["w2", "w3"]
    assert (page["page"], page["per_page"], page["total"], page["pages"]) == (2, 2, 5, 3)
    links = page["links"]
    base = f"http://localhost{URL}?min_size=1"
    assert links == {"first": f"{base}&page=1&per_page=2", "prev": f"{base}&page=1&per_page=2",
                     "next": f"{base}&page=3&per_page=2", "last": f"{base}&page=3&per_page=2"}
    last = app.get(links["last"], headers=auth).json
    assert [w["name"] for w in last["items"]] == ["w4"] and last["links"]["next"] is None
    past = app.get(URL, {"page": "9"}, headers=auth).json
    assert past["items"] == [] and past["total"] == 5


def test_the_default_page_size_comes_from_the_settings(app, auth):
    for n in range(3):
        create(app, auth, name=f"w{n}")
    page = app.get(URL, headers=auth).json
    assert page["per_page"] == 20 and page["links"]["prev"] is None


@pytest.mark.podium_settings(**{"podium.api.max_per_page": "3", "podium.api.default_per_page": "2"})
def test_more_than_the_most_per_page_is_refused_not_cut(app, auth):
    error = assert_error(app.get(URL, {"per_page": "4"}, headers=auth, status=400), 400)
    assert "3" in error["fields"]["per_page"]
    for bad in ("0", "-1", "+2", "1_0", "٣", "", "1" * 101):
        res = app.get(URL, {"page": bad}, headers=auth, status=400)
        assert assert_error(res, 400)["fields"] == {"page": "Must be a whole number, 1 or more."}
    res = app.get(URL + "?page=1&page=2", headers=auth, status=400)
    assert "page" in assert_error(res, 400)["fields"]


def test_any_page_past_the_end_is_empty_not_a_database_error(app, auth):
    """Not queried: an OFFSET beyond a 64-bit integer would be PostgreSQL's error."""
    for n in range(3):
        app.post_json(URL, {"name": f"w{n}", "size": 1}, headers=auth, status=201)
    for page in ("2", "9" * 30, "9" * 100):
        listed = app.get(URL, {"page": page, "per_page": "3"}, headers=auth).json
        assert (listed["items"], listed["total"], listed["pages"]) == ([], 3, 1), page
        assert listed["links"]["next"] is None


# -- conditional requests ---------------------------------------------------------------

def test_a_read_sends_an_etag_and_304_when_the_client_has_it(app, auth):
    url = create(app, auth).json["url"]
    res = app.get(url, headers=auth)
    etag = res.headers["ETag"]
    assert etag.startswith('"') and etag.endswith('"')
    again = app.get(url, headers={**auth, "If-None-Match": etag}, status=304)
    assert again.body == b"" and again.headers["ETag"] == etag
    app.get(url, headers={**auth, "If-None-Match": '"other"'}, status=200)


def test_a_stale_write_is_refused_with_412(app, auth):
    url = create(app, auth).json["url"]
    etag = app.get(url, headers=auth).headers["ETag"]
    body = {"name": "Renamed", "tags": [], "size": 2}
    res = app.put_json(url, body, headers={**auth, "If-Match": etag})
    assert res.json["version"] == 2 and res.headers["ETag"] != etag
    stale = app.put_json(url, {**body, "name": "Lost"}, headers={**auth, "If-Match": etag},
                         status=412)
    assert "changed" in assert_error(stale, 412)["message"]
    assert app.get(url, headers=auth).json["name"] == "Renamed"
    assert_error(app.delete(url, headers={**auth, "If-Match": etag}, status=412), 412)
    app.delete(url, headers={**auth, "If-Match": res.headers["ETag"]}, status=204)
    assert_error(app.get(url, headers=auth, status=404), 404)


def test_a_write_without_if_match_goes_through(app, auth):
    url = create(app, auth).json["url"]
    res = app.put_json(url, {"name": "New"}, headers=auth)
    assert res.json["name"] == "New"
    res = app.delete(url, headers=auth, status=204)
    assert res.body == b""


# -- the error shape of every status ----------------------------------------------------

def test_409_from_a_view(app, auth):
    create(app, auth)
    res = app.post_json(URL, {"name": "Sprocket"}, headers=auth, status=409)
    assert "Sprocket" in assert_error(res, 409)["message"]


def test_409_for_a_rename_to_a_taken_name(app, auth):
    create(app, auth, name="one")
    url = create(app, auth, name="two").json["url"]
    res = app.put_json(url, {"name": "one"}, headers=auth, status=409)
    assert "'one'" in assert_error(res, 409)["message"]


def test_404_for_an_unknown_item_and_an_unknown_path(app, auth):
    assert_error(app.get(f"{URL}/12345", headers=auth, status=404), 404)
    assert_error(app.get(f"{URL}/99999999999999999999999", headers=auth, status=404), 404)
    assert_error(app.get(f"{URL}/abc", headers=auth, status=404), 404)


def test_405_names_the_methods_the_route_answers(app, auth):
    res = app.patch_json(URL, {}, headers=auth, status=405)
    assert_error(res, 405)
    assert res.headers["Allow"] == "GET, HEAD, POST"
    url = create(app, auth).json["url"]
    res = app.post_json(url, {}, headers=auth, status=405)
    assert res.headers["Allow"] == "DELETE, GET, HEAD, PUT"


def test_401_without_a_token_403_without_the_permission(app, podium_user, api_token):
    res = app.get(URL, status=401)
    assert_error(res, 401)
    assert res.headers["WWW-Authenticate"].startswith("Bearer")
    assert_error(app.post_json(URL, {"name": "x"}, status=401), 401)
    res = app.get(URL, headers={"Authorization": "Bearer wrong"}, status=401)
    assert_error(res, 401)
    assert 'error="invalid_token"' in res.headers["WWW-Authenticate"]
    podium_user("reader", permissions=["widgets.view"])
    reader = {"Authorization": f"Bearer {api_token('reader')}"}
    app.get(URL, headers=reader, status=200)
    error = assert_error(app.post_json(URL, {"name": "x"}, headers=reader, status=403), 403)
    assert "widgets.edit" in error["message"]


def test_an_invalid_body_is_not_looked_at_before_the_permission(app):
    # A stranger learns nothing about the schema: 401 first.
    assert_error(app.post(URL, b"{", headers={"Content-Type": "text/plain"}, status=401), 401)


def test_csrf_refusal_of_a_session_request(app, logged_in_app):
    session_app = logged_in_app(permissions=PERMISSIONS)
    res = session_app.post_json(URL, {"name": "x"}, status=403)
    assert "CSRF" in assert_error(res, 403)["message"]
    token = session_app.csrf_token()
    session_app.post_json(URL, {"name": "x"}, headers={"X-CSRF-Token": token}, status=201)


@pytest.mark.podium_settings(**{"podium.max_body_size": "100"})
def test_413_for_a_body_too_large(app, auth):
    res = app.post_json(URL, {"name": "x" * 200}, headers=auth, status=413)
    assert_error(res, 413)


def test_503_when_the_database_is_unreachable(podium_settings, tmp_path):
    # SQLite is out of reach while its file's directory does not exist; the token's
    # lookup is the first thing that needs it.
    import shutil

    import webtest

    from podium.testing import build_app

    directory = tmp_path / "volume"
    app = build_app(base_settings(f"sqlite:///{directory / 'x.sqlite'}", "widgets"))
    engine = app.registry["podium.engine"]
    try:
        shutil.rmtree(directory)
        engine.dispose()
        res = webtest.TestApp(app, extra_environ={"HTTP_HOST": "localhost"}).get(
            URL, headers={"Authorization": "Bearer some-token"}, status=503)
        assert_error(res, 503)
        assert res.headers["Retry-After"]
    finally:
        engine.dispose()


def test_a_default_page_size_over_the_most_stops_start_up(tmp_path):
    from podium.api import SettingsError
    from podium.testing import build_app

    settings = base_settings(f"sqlite:///{tmp_path / 'p.sqlite'}", "")
    settings.update({"podium.api.default_per_page": "50", "podium.api.max_per_page": "10"})
    with pytest.raises(SettingsError) as raised:
        build_app(settings)
    message = str(raised.value)
    assert "podium.api.default_per_page = 50" in message and "podium.api.max_per_page" in message
