"""Static files: predictable URLs, validators and 304s, content types,
content-hash fingerprints that follow overrides, and no way out of the
static directory."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
import webtest

from podium.assets.static import FINGERPRINTED_MAX_AGE
from podium.testing import build_app
from podium.testing.apps import base_settings

PLUGIN = '''
from pyramid.response import Response

def urls(request):
    return Response("\\n".join(request.static_url(__name__ + ":static/" + name)
                             for name in request.GET.getall("name")))

def includeme(config):
    config.add_static_view("static", __name__ + ":static")
    config.add_route("shop.urls", "/urls")
    config.add_view(urls, route_name="shop.urls")
'''

SECRET = "the secret next to the static directory"


def digest(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()[:16]


@pytest.fixture
def shop(make_plugin, tmp_path):
    package = make_plugin("shop", PLUGIN)
    static = tmp_path / "site" / package / "static"
    (static / "js").mkdir(parents=True)
    (static / "shop.css").write_text(".shop { color: red }")
    (static / "js" / "shop.js").write_text("console.log('shop')")
    (static / "logo.svg").write_text("<svg xmlns='http://www.w3.org/2000/svg'/>")
    (tmp_path / "site" / package / "secret.txt").write_text(SECRET)
    return package


def app_for(tmp_path: Path, **extra: str) -> webtest.TestApp:
    settings = base_settings(f"sqlite:///{tmp_path / 's.sqlite'}", "shop")
    settings.update(extra)
    return webtest.TestApp(build_app(settings), extra_environ={"HTTP_HOST": "localhost"})


def url_of(app: webtest.TestApp, spec_name: str) -> str:
    return app.get("/shop/urls", {"name": spec_name}).text


def test_each_plugin_static_directory_is_served_under_its_prefix(shop, tmp_path):
    app = app_for(tmp_path)
    css = app.get("/shop/static/shop.css")
    assert css.text == ".shop { color: red }"
    assert css.content_type == "text/css"
    assert app.get("/shop/static/js/shop.js").content_type in ("text/javascript",
                                                               "application/javascript")
    assert app.get("/shop/static/logo.svg").content_type == "image/svg+xml"
    assert app.get("/static/podium.css").content_type == "text/css"  # the core's


def test_responses_carry_validators_and_revalidate_with_304(shop, tmp_path):
    app = app_for(tmp_path)
    res = app.get("/shop/static/shop.css")
    assert res.headers["ETag"] == f'"{digest(b".shop { color: red }")}"'
    assert res.headers["Last-Modified"]
    app.get("/shop/static/shop.css", headers={"If-None-Match": res.headers["ETag"]}, status=304)
    app.get("/shop/static/shop.css",
            headers={"If-Modified-Since": res.headers["Last-Modified"]}, status=304)
    changed = app.get("/shop/static/shop.css", headers={"If-None-Match": '"other"'})
    assert changed.status_int == 200


def test_static_url_is_fingerprinted_with_the_content_hash(shop, tmp_path):
    app = app_for(tmp_path)
    url = url_of(app, "shop.css")
    assert url == f"http://localhost/shop/static/shop.css?v={digest(b'.shop { color: red }')}"
    core = app.get("/").html.select_one('link[href*="podium.css"]')["href"]
    content = (Path(__import__("podium").__file__).parent / "static" / "podium.css").read_bytes()
    assert core.endswith(f"/static/podium.css?v={digest(content)}")


def test_fingerprinted_urls_are_cached_for_long_plain_ones_are_not(shop, tmp_path):
    app = app_for(tmp_path)
    fingerprinted = app.get(url_of(app, "shop.css"))
    cache = fingerprinted.headers["Cache-Control"]
    assert f"max-age={FINGERPRINTED_MAX_AGE}" in cache and "immutable" in cache
    plain = app.get("/shop/static/shop.css")
    assert f"max-age={FINGERPRINTED_MAX_AGE}" not in plain.headers.get("Cache-Control", "")
    stale = app.get("/shop/static/shop.css?v=0000000000000000")
    assert "immutable" not in stale.headers.get("Cache-Control", "")


def test_an_overridden_static_file_is_served_with_its_own_fingerprint(shop, tmp_path):
    theme = tmp_path / "theme.css"
    theme.write_text(".shop { color: blue }")
    app = app_for(tmp_path, **{"podium.asset_overrides": f"{shop}:static/shop.css = {theme}"})
    url = url_of(app, "shop.css")
    assert url.endswith(f"?v={digest(b'.shop { color: blue }')}")
    res = app.get(url)
    assert res.text == ".shop { color: blue }"
    assert res.headers["ETag"] == f'"{digest(b".shop { color: blue }")}"'
    assert "immutable" in res.headers["Cache-Control"]


def test_each_file_keeps_its_own_etag_once_remembered(shop, tmp_path):
    """In production which file a URL serves is remembered per subpath."""
    app = app_for(tmp_path, **{"pyramid.reload_templates": "false",
                               "pyramid.reload_assets": "false"})
    files = {"/shop/static/shop.css": b".shop { color: red }",
             "/shop/static/js/shop.js": b"console.log('shop')",
             "/shop/static/js/../shop.css": b".shop { color: red }"}
    for _ in range(2):  # the second time from what was remembered
        for url, content in files.items():
            res = app.get(url)
            assert res.body == content and res.headers["ETag"] == f'"{digest(content)}"'


def test_a_static_directory_override_falls_back_file_by_file(shop, tmp_path):
    override = tmp_path / "override-static"
    override.mkdir()
    (override / "shop.css").write_text("/* override */")
    app = app_for(tmp_path, **{"podium.asset_overrides": f"{shop}:static/ = {override}/"})
    assert app.get("/shop/static/shop.css").text == "/* override */"
    assert url_of(app, "shop.css").endswith(f"?v={digest(b'/* override */')}")
    assert app.get("/shop/static/js/shop.js").text == "console.log('shop')"  # the original
    js = digest(b"console.log('shop')")
    assert url_of(app, "js/shop.js").endswith(f"?v={js}")


TRAVERSALS = [
    "/shop/static/../secret.txt",
    "/shop/static/%2e%2e/secret.txt",
    "/shop/static/..%2fsecret.txt",
    "/shop/static/%2e%2e%2fsecret.txt",
    "/shop/static/js/../../secret.txt",
    "/shop/static/js%2f..%2f..%2fsecret.txt",
    "/shop/static/..%5csecret.txt",
    "/shop/static/..\\secret.txt",
    "/shop/static//etc/passwd",
    "/shop/static/%2fetc%2fpasswd",
    "/shop/static/%2Fetc/passwd",
    "/shop/static/%00secret.txt",
    "/shop/static/shop.css%00.txt",
]


@pytest.mark.parametrize("url", TRAVERSALS)
def test_path_traversal_gets_404_on_plugin_static_urls(shop, tmp_path, url):
    res = app_for(tmp_path).get(url, status=404, expect_errors=True)
    assert SECRET not in res.text and "root:" not in res.text


@pytest.mark.parametrize("url", TRAVERSALS)
def test_path_traversal_gets_404_on_overridden_static_urls(shop, tmp_path, url):
    override = tmp_path / "outside" / "static"
    override.mkdir(parents=True)
    (override / "shop.css").write_text("/* override */")
    (tmp_path / "outside" / "secret.txt").write_text(SECRET)
    app = app_for(tmp_path, **{"podium.asset_overrides": f"{shop}:static/ = {override}/"})
    assert app.get("/shop/static/shop.css").text == "/* override */"
    res = app.get(url, status=404, expect_errors=True)
    assert SECRET not in res.text and "root:" not in res.text


def test_absolute_and_traversing_paths_stay_out_of_the_core_static_directory(tmp_path):
    app = app_for(tmp_path, **{"podium.plugins": ""})
    for url in ("/static/../__init__.py", "/static/%2e%2e/__init__.py", "/static//etc/passwd",
                "/static/..%2f..%2fsetup.cfg"):
        assert app.get(url, expect_errors=True).status_int == 404
