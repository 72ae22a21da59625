"""Which requests need the CSRF token, and the HTTPS origin check, through the
whole WSGI app (see podium.security.csrf for the rules and why)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from notes_data import OPEN_TO_EVERYONE, add_notes, count, rows

from podium.testing import PodiumTestApp

API = "/notes/api/notes"
HTTPS = {"wsgi.url_scheme": "https"}
FOREIGN = {"Origin": "https://evil.example"}

RULES = '''
from pyramid.response import Response

from podium.security.csrf import CSRFNeedsHTTPS


def echo(request):
    return {"ok": True}


def https_needed(exc, request):
    # Shows what Podium raised, whatever the core's error page makes of it.
    return Response(f"{type(exc).__name__}: {exc.detail}", status=400)


def includeme(config):
    config.add_route("rules.api", "/api")
    config.add_view(echo, route_name="rules.api", renderer="json", json_api=True)
    config.add_route("rules.plain", "/plain")
    config.add_view(echo, route_name="rules.plain", renderer="json")
    config.add_route("rules.open", "/open")
    config.add_view(echo, route_name="rules.open", renderer="json", require_csrf=False)
    config.add_route("rules.strict", "/strict")
    config.add_view(echo, route_name="rules.strict", renderer="json", require_csrf=True)
    config.add_exception_view(https_needed, context=CSRFNeedsHTTPS)
'''


@pytest.fixture
def site(make_plugin: Callable[..., str],
         production_like_apps: Callable[..., PodiumTestApp]) -> Callable[..., PodiumTestApp]:
    """``site(plugins, **settings)``: the real app with the notes plugin and ``rules``."""
    make_plugin("rules", RULES)

    def build(plugins: str = "notes rules", **settings: str) -> PodiumTestApp:
        # An operator's site open to anonymous writers: these tests are about how
        # requests are handled, whoever sends them (who may is test_permissions.py's).
        opened = OPEN_TO_EVERYONE if "notes" in plugins.split() else {}
        return production_like_apps(plugins, **{**opened, **settings})

    return build


def engine_of(app: PodiumTestApp) -> Any:
    return app.app.registry["podium.engine"]


# -- the attack: a form-shaped request to an HTML form route ---------------------------------

@pytest.mark.parametrize("content_type", [
    "application/json",
    "application/json; charset=utf-8",
    "application/merge-patch+json",
    "text/plain",
])
@pytest.mark.parametrize("extra_environ", [{}, HTTPS], ids=["http", "https"])
def test_deleting_a_note_through_its_form_route_needs_the_token_whatever_the_body(
        site, content_type, extra_environ):
    app = site()
    [note_id] = add_notes(engine_of(app), 1)
    res = app.post(f"/notes/{note_id}/delete", "{}", content_type=content_type,
                   headers=FOREIGN, extra_environ=extra_environ, expect_errors=True)
    assert res.status_int in (400, 403)
    assert "CSRF" in res.text
    assert [r["id"] for r in rows(engine_of(app))] == [note_id]


def test_a_json_body_on_a_view_not_declared_json_api_needs_the_token(site):
    app = site()
    app.post_json("/rules/plain", {"x": 1}, status=400)
    token = app.csrf_token()
    assert app.post_json("/rules/plain", {"x": 1}, headers={"X-CSRF-Token": token}).json["ok"]


# -- JSON API views ---------------------------------------------------------------------------

def test_a_script_creates_a_note_through_the_api_without_a_token(site):
    app = site()
    res = app.post_json(API, {"title": "from a script"}, status=201)
    assert res.json["title"] == "from a script"
    assert count(engine_of(app)) == 1


def test_over_https_a_script_without_origin_or_referer_is_accepted(site):
    app = site(**{"podium.environment": "production"})
    engine = engine_of(app)
    res = app.post_json(API, {"title": "cron"}, extra_environ=HTTPS, status=201)
    note = res.json["url"]
    app.patch_json(note, {"body": "edited"}, extra_environ=HTTPS)
    app.put_json(note, {"title": "replaced"}, extra_environ=HTTPS)
    assert rows(engine)[0]["title"] == "replaced"
    app.delete(note, extra_environ=HTTPS, status=204)
    assert count(engine) == 0


def test_json_with_parameters_is_still_json(site):
    app = site()
    app.post(API, b'{"title": "charset"}', content_type="application/json; charset=utf-8",
             status=201)


@pytest.mark.parametrize("content_type", ["application/merge-patch+json", "text/plain",
                                          "application/x-www-form-urlencoded"])
def test_a_json_api_post_of_another_type_needs_the_token(site, content_type):
    app = site()
    res = app.post(API, b'{"title": "x"}', content_type=content_type, status=400)
    assert "CSRF" in res.json["error"]["message"]
    assert count(engine_of(app)) == 0


@pytest.mark.parametrize("method", ["PUT", "PATCH", "DELETE"])
def test_methods_a_form_cannot_send_need_no_token(site, method):
    app = site()
    [note_id] = add_notes(engine_of(app), 1)
    res = app.request(f"{API}/{note_id}", method=method, body=b'{"title": "t"}',
                      content_type="application/json", expect_errors=True)
    assert res.status_int in (200, 204)


# -- the origin check over HTTPS ----------------------------------------------------------

@pytest.mark.parametrize(("method", "path", "body"), [
    ("POST", API, b'{"title": "forged"}'),
    ("PUT", API + "/{id}", b'{"title": "forged"}'),
    ("PATCH", API + "/{id}", b'{"title": "forged"}'),
    ("DELETE", API + "/{id}", b""),
])
def test_over_https_a_foreign_origin_is_refused_even_without_a_token_requirement(
        site, method, path, body):
    app = site()
    engine = engine_of(app)
    [note_id] = add_notes(engine, 1)
    before = rows(engine)
    res = app.request(path.format(id=note_id), method=method, body=body,
                      content_type="application/json", headers=FOREIGN,
                      environ=dict(HTTPS), expect_errors=True)
    assert res.status_int == 400
    assert "CSRF" in res.json["error"]["message"]
    assert rows(engine) == before


def test_over_https_a_foreign_referer_is_refused_too(site):
    app = site()
    res = app.post(API, b'{"title": "x"}', content_type="application/json",
                   headers={"Referer": "https://evil.example/page"}, extra_environ=HTTPS,
                   status=400)
    assert "CSRF" in res.json["error"]["message"]
    assert count(engine_of(app)) == 0


def test_over_https_a_form_needs_its_own_origin_as_well_as_the_token(site):
    app = site()
    token = app.csrf_token()
    form = {"title": "signed", "csrf_token": token}
    app.post("/notes/new", form, headers=FOREIGN, extra_environ=HTTPS, status=400)
    # A browser always sends Origin on a form post: none at all is not a browser's form.
    app.post("/notes/new", form, extra_environ=HTTPS, status=400)
    assert count(engine_of(app)) == 0
    app.post("/notes/new", form, headers={"Origin": "https://localhost"},
             extra_environ=HTTPS, status=302)
    assert count(engine_of(app)) == 1


def test_over_http_there_is_no_origin_to_trust_so_only_the_token_counts(site):
    app = site()
    app.post_form("/notes/new", {"title": "plain http"}, headers=FOREIGN, status=302)


def test_trusted_origins_from_pyramids_setting(site):
    app = site(**{"pyramid.csrf_trusted_origins": "partner.example"})
    app.post_json(API, {"title": "partner"}, headers={"Origin": "https://partner.example"},
                  extra_environ=HTTPS, status=201)
    app.post_json(API, {"title": "stranger"}, headers=FOREIGN, extra_environ=HTTPS,
                  status=400)
    assert count(engine_of(app)) == 1


def test_a_host_header_trusts_only_its_own_request(site):
    """Pyramid's check adds the request's host to the list of origins it is
    given: one request's Host must not become trusted for the next."""
    app = site()
    app.post_json(API, {"title": "x"}, headers={"Host": "evil.example", **FOREIGN},
                  extra_environ=HTTPS)
    app.post_json(API, {"title": "forged"}, headers=FOREIGN, extra_environ=HTTPS, status=400)
    assert [r["title"] for r in rows(engine_of(app))] == ["x"]


# -- what a view declares ----------------------------------------------------------------

def test_require_csrf_false_still_opts_a_view_out(site):
    app = site()
    assert app.post("/rules/open", {"x": "1"}, headers=FOREIGN, extra_environ=HTTPS).json["ok"]


def test_require_csrf_true_keeps_pyramids_meaning(site):
    app = site()
    app.post_json("/rules/strict", {"x": 1}, status=400)
    app.put_json("/rules/strict", {"x": 1}, status=400)  # every unsafe method
    token = app.csrf_token()
    assert app.put_json("/rules/strict", {"x": 1}, headers={"X-CSRF-Token": token}).json["ok"]


def test_json_api_and_require_csrf_true_contradict(site, make_plugin):
    make_plugin("both", "def echo(request):\n    return {}\n\n"
                        "def includeme(config):\n"
                        "    config.add_route('both.x', '/x')\n"
                        "    config.add_view(echo, route_name='both.x', renderer='json',\n"
                        "                    json_api=True, require_csrf=True)\n")
    with pytest.raises(Exception, match="contradict"):
        site("both")


# -- production over plain HTTP ---------------------------------------------------------

def test_production_over_http_says_the_site_needs_https(site):
    """The browser withholds the Secure session cookie over HTTP, so the
    token can never match: the refusal says why."""
    app = site(**{"podium.environment": "production"})
    res = app.post("/rules/plain", {"x": "1", "csrf_token": "from an earlier page"},
                   status=400)
    assert res.text.startswith("CSRFNeedsHTTPS: ")
    assert "HTTPS" in res.text and "trusted_proxy" in res.text


def test_production_over_https_keeps_the_usual_refusal(site):
    app = site(**{"podium.environment": "production"})
    res = app.post("/rules/plain", {"x": "1"}, headers={"Origin": "https://localhost"},
                   extra_environ=HTTPS, status=400)
    assert not res.text.startswith("CSRFNeedsHTTPS")


def test_production_over_http_error_page_says_the_site_needs_https(site):
    app = site("notes", **{"podium.environment": "production"})
    res = app.post("/notes/new", {"title": "x", "csrf_token": "stale"},
                   headers={"Accept": "text/html"}, status=400)
    assert "must be opened over HTTPS" in res.text
    assert "has expired" not in res.text
