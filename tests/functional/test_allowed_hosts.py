"""podium.allowed_hosts: a Host the site does not answer to is a 400, in the
layout or as JSON, and never leaks into a Location or a link.

Driven through the whole app with WebTest; the Host is the one a server
hands over (waitress's proxy handling happens before the app).
"""

from __future__ import annotations

import secrets
from typing import Any

import pytest
import webtest

from podium.settings.types import SettingsError
from podium.testing import base_settings, build_app

pytestmark = pytest.mark.podium_plugins("notes")

HTML = {"Accept": "text/html"}
JSON = {"Accept": "application/json"}
SITE = pytest.mark.podium_settings(**{"podium.allowed_hosts": "example.org www.example.org"})


def get(app: Any, path: str, host: str, **headers: str) -> Any:
    return app.get(path, headers={"Host": host, **headers}, expect_errors=True)


def refused_page(res: Any) -> str:
    assert res.status_int == 400
    assert res.content_type == "text/html"
    assert res.html.select_one("nav.podium-nav") is not None, "not the site's layout"
    assert res.html.h1.text.startswith("400")
    return str(res.html.select_one(".podium-error p").text)


@SITE
def test_a_foreign_host_is_a_400_page_without_links_to_it(testapp):
    res = get(testapp, "/notes", "evil.example", **HTML)
    message = refused_page(res)
    assert "does not answer to the host name 'evil.example'" in message
    assert "Location" not in res.headers
    links = [a["href"] for a in res.html.select("a[href]")]
    links += [link["href"] for link in res.html.select("link[href]")]
    assert links and not [link for link in links if "evil" in link]
    assert "http://example.org/" in links  # the site's own host instead


@SITE
@pytest.mark.parametrize(("path", "headers"), [("/notes", JSON), ("/notes/api/notes", {})])
def test_a_foreign_host_is_a_json_400(testapp, path, headers):
    res = get(testapp, path, "evil.example", **headers)
    assert res.status_int == 400 and res.content_type == "application/json"
    error = res.json["error"]
    assert error["status"] == 400 and error["title"] == "Bad Request"
    assert "does not answer to the host name 'evil.example'" in error["message"]
    assert "Location" not in res.headers and "evil" not in res.text.replace(error["message"], "")


@SITE
@pytest.mark.parametrize("host", ["example.org", "Example.ORG:8080", "www.example.org:443",
                                  "example.org.", "WWW.EXAMPLE.ORG."])
def test_an_allowed_host_is_served_whatever_its_port_and_case(testapp, host):
    res = get(testapp, "/notes", host)
    assert res.status_int == 302
    assert res.headers["Location"] == f"http://{host}/notes/"
    assert get(testapp, "/notes/", host).status_int == 200


@SITE
@pytest.mark.parametrize("host", ["example.org.evil.example", "evilexample.org", "sub.example.org",
                                  "example.org:80:80", "example.org/x", "example.org@evil",
                                  "exa mple.org", "..example.org", ""])
def test_names_that_only_look_allowed_are_refused(testapp, host):
    assert get(testapp, "/notes/", host, **JSON).status_int == 400


@SITE
def test_x_forwarded_host_is_not_believed_by_the_app(testapp):
    """Only waitress rewrites the Host from it, and only for a trusted proxy."""
    res = get(testapp, "/notes", "example.org", **{"X-Forwarded-Host": "evil.example"})
    assert res.status_int == 302 and res.headers["Location"] == "http://example.org/notes/"


@pytest.mark.podium_settings(**{"podium.allowed_hosts": ".example.org *.example.net"})
def test_wildcards_match_subdomains(testapp):
    for host in ("example.org", "www.example.org", "a.b.example.org:8080",
                 "www.example.net", "a.b.example.net"):
        assert get(testapp, "/notes/", host).status_int == 200, host
    for host in ("example.net", "evilexample.org", "example.org.evil.example", "localhost"):
        assert get(testapp, "/notes/", host, **JSON).status_int == 400, host


@pytest.mark.podium_settings(**{"podium.allowed_hosts": ""})
def test_development_answers_to_the_loopback_names_when_unset(testapp):
    for host in ("localhost", "localhost:80", "127.0.0.1:6543", "[::1]", "[::1]:6543",
                 "[0:0::1]:80"):
        assert get(testapp, "/notes/", host).status_int == 200, host
    for host in ("evil.example", "[::2]", "[::1", "10.0.0.1"):
        assert get(testapp, "/notes/", host, **JSON).status_int == 400, host


def test_production_refuses_to_start_without_allowed_hosts(podium_database_url):
    settings = {**base_settings(podium_database_url, "notes"), "podium.allowed_hosts": "",
                "podium.environment": "production", "podium.secret": secrets.token_urlsafe(48)}
    with pytest.raises(SettingsError) as info:
        build_app(settings)
    message = str(info.value)
    assert message.startswith("setting podium.allowed_hosts = (missing) is not valid: "
                              "production needs the host names this site answers to")
    assert "PODIUM_ALLOWED_HOSTS" in message and ".example.org" in message


def test_production_starts_with_allowed_hosts(podium_database_url):
    settings = {**base_settings(podium_database_url, "notes"),
                "podium.allowed_hosts": "example.org",
                "podium.environment": "production", "podium.secret": secrets.token_urlsafe(48)}
    app = webtest.TestApp(build_app(settings))
    assert get(app, "/notes/", "example.org").status_int == 200
    assert get(app, "/notes/", "localhost", **JSON).status_int == 400


def test_the_environment_wins_over_the_ini(podium_database_url, monkeypatch):
    monkeypatch.setenv("PODIUM_ALLOWED_HOSTS", "site.example.com")
    settings = {**base_settings(podium_database_url, "notes"), "podium.read_environment": "true",
                "podium.allowed_hosts": "ini.example.com"}
    app = webtest.TestApp(build_app(settings))
    assert get(app, "/notes/", "site.example.com").status_int == 200
    assert get(app, "/notes/", "ini.example.com", **JSON).status_int == 400


@SITE
def test_remembering_accepted_hosts_refuses_the_others_still(testapp):
    # The request checks remember a Host header they accepted; a refused one,
    # or one that only differs in what is refused, is checked every time.
    for _ in range(2):
        assert get(testapp, "/notes/", "example.org").status_int == 200
        assert get(testapp, "/notes/", "evil.example").status_int == 400
        assert get(testapp, "/notes/", "example.org.evil.example").status_int == 400


def test_accepted_hosts_remembered_are_bounded() -> None:
    from pyramid.registry import Registry
    from pyramid.request import Request

    from podium.web.hosts import ACCEPTED_CAP, host_check

    registry = Registry()
    registry.settings = {"podium.allowed_hosts": [".example.org"]}
    check = host_check(registry)
    for n in range(ACCEPTED_CAP + 10):
        check(Request.blank("/", headers={"Host": f"s{n}.example.org"}))
    assert len(check.accepted) == ACCEPTED_CAP
    # Past the cap, a new name is still checked and still served.
    check(Request.blank("/", headers={"Host": "new.example.org"}))
    assert "new.example.org" not in check.accepted
