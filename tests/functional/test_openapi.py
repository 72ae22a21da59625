"""The OpenAPI document, its endpoint, the reference page and ``podium openapi``.

The document is validated against the OpenAPI 3.1 schema with
openapi-spec-validator, for a site whose plugin declares schemas (the
widgets plugin) and for the default site (notes, which declares none yet).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import webtest
from openapi_spec_validator import validate
from pyramid.exceptions import ConfigurationError
from widgets_plugin import make_widgets

from podium.jsonapi.openapi import DOCUMENT_KEY, openapi_document, openapi_json
from podium.testing import base_settings, build_app

ROOT = Path(__file__).resolve().parents[2]
PODIUM = str(Path(sys.executable).with_name("podium"))


@pytest.fixture
def widgets_app(make_plugin, tmp_path):
    make_widgets(make_plugin)
    app = build_app(base_settings(f"sqlite:///{tmp_path / 'w.sqlite'}", "widgets"))
    yield app
    app.registry["podium.engine"].dispose()


def site(app) -> webtest.TestApp:
    return webtest.TestApp(app, extra_environ={"HTTP_HOST": "localhost"})


def test_the_widgets_document_is_valid_openapi_3_1(widgets_app):
    document = openapi_document(widgets_app.registry)
    validate(document)
    assert document["openapi"] == "3.1.0"
    paths = document["paths"]
    assert set(paths["/widgets/api/widgets"]) == {"get", "post"}
    assert set(paths["/widgets/api/widgets/{id}"]) == {"get", "put", "delete"}
    # JSON API views without schemas are operations without bodies.
    raw = paths["/widgets/raw/widgets"]["post"]
    assert "requestBody" not in raw and raw["responses"]["200"]["content"] == {
        "application/json": {"schema": {}}}


def test_operations_carry_schemas_statuses_and_parameters(widgets_app):
    document = openapi_document(widgets_app.registry)
    schemas = document["components"]["schemas"]
    create = document["paths"]["/widgets/api/widgets"]["post"]
    body = create["requestBody"]["content"]["application/json"]
    assert body["schema"] == {"$ref": "#/components/schemas/NewWidget"}
    assert body["examples"]["example1"]["value"]["name"] == "Sprocket"
    assert schemas["NewWidget"]["properties"]["name"]["maxLength"] == 100
    assert schemas["NewWidget"]["additionalProperties"] is False
    # What ApiSchema refuses besides what the model says is in the document too.
    assert schemas["NewWidget"]["properties"]["name"]["not"] == {"pattern": "\\x00"}
    assert "not" not in schemas["Widget"]["properties"]["name"]  # responses are not checked
    assert create["responses"]["201"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/Widget"}
    assert {"400", "401", "403", "413", "415", "default"} <= set(create["responses"])
    listing = document["paths"]["/widgets/api/widgets"]["get"]
    parameters = {p["name"]: p for p in listing["parameters"]}
    assert set(parameters) == {"page", "per_page", "min_size"}
    assert parameters["per_page"]["schema"]["maximum"] == 100  # podium.api.max_per_page
    assert parameters["min_size"]["in"] == "query" and not parameters["min_size"]["required"]
    read = document["paths"]["/widgets/api/widgets/{id}"]["get"]
    (path_parameter,) = read["parameters"]
    assert path_parameter["name"] == "id" and path_parameter["schema"]["pattern"] == r"^(?:\d+)$"
    delete = document["paths"]["/widgets/api/widgets/{id}"]["delete"]
    assert "content" not in delete["responses"]["204"]


def test_every_error_is_the_one_error_schema(widgets_app):
    document = openapi_document(widgets_app.registry)
    error = document["components"]["responses"]["Error"]["content"]["application/json"]
    assert error["schema"] == {"$ref": "#/components/schemas/ErrorBody"}
    detail = document["components"]["schemas"]["ErrorDetail"]
    assert set(detail["required"]) == {"status", "title", "message"}
    for path in document["paths"].values():
        for operation in path.values():
            for status, response in operation["responses"].items():
                if status[0] in "45" or status == "default":
                    assert response["$ref"] == "#/components/responses/Error"


def test_security_schemes_and_permissions(widgets_app):
    document = openapi_document(widgets_app.registry)
    schemes = document["components"]["securitySchemes"]
    assert schemes["bearerToken"] == {**schemes["bearerToken"], "type": "http",
                                      "scheme": "bearer"}
    assert schemes["sessionCookie"]["in"] == "cookie"
    assert schemes["csrfToken"] == {**schemes["csrfToken"], "in": "header",
                                    "name": "X-CSRF-Token"}
    create = document["paths"]["/widgets/api/widgets"]["post"]
    assert create["security"] == [{"bearerToken": []}, {"sessionCookie": [], "csrfToken": []}]
    assert "`widgets.edit` (Edit widgets)" in create["description"]
    read = document["paths"]["/widgets/api/widgets/{id}"]["get"]
    assert read["security"] == [{"bearerToken": []}, {"sessionCookie": []}]
    assert read["summary"] == "One widget, with its ETag."
    own = document["paths"]["/api/openapi.json"]["get"]
    assert own["security"] == [] and "public" in own["description"]


def test_the_default_site_document_is_valid_too(tmp_path):
    app = build_app(base_settings(f"sqlite:///{tmp_path / 'n.sqlite'}", "notes"))
    document = openapi_document(app.registry)
    validate(document)
    notes = document["paths"]["/notes/api/notes/{id}"]
    assert set(notes) == {"get", "put", "patch", "delete"}
    assert "`notes.edit`" in notes["put"]["description"]
    app.registry["podium.engine"].dispose()


def test_the_notes_document_shows_the_tags_plugins_field(tmp_path):
    """The tags plugin extends the notes' schemas through their hook; the
    document, valid, shows its field in what a client sends and gets, and
    the reads anyone may make need no credentials."""
    app = build_app(base_settings(f"sqlite:///{tmp_path / 't.sqlite'}", "notes tags"))
    try:
        document = openapi_document(app.registry)
        validate(document)
        schemas = document["components"]["schemas"]
        for name in ("NoteInput", "NotePatch", "Note"):
            assert list(schemas[name]["properties"])[-1] == "tags", name
        assert "normalised" in schemas["NoteInput"]["properties"]["tags"]["description"]
        note = document["paths"]["/notes/api/notes/{id}"]
        assert note["patch"]["requestBody"]["content"]["application/json"]["schema"] == {
            "$ref": "#/components/schemas/NotePatch"}
        assert note["get"]["security"][-1] == {}  # notes.view is everyone's by default
        assert {} not in note["put"]["security"]
        listing = document["paths"]["/notes/api/notes"]["get"]
        per_page = next(p for p in listing["parameters"] if p["name"] == "per_page")
        assert per_page["schema"]["maximum"] == 100  # notes.max_per_page, not the platform's
    finally:
        app.registry["podium.engine"].dispose()


def test_the_document_is_built_once_and_served_as_it_is(widgets_app):
    registry = widgets_app.registry
    assert registry.get(DOCUMENT_KEY) is not None  # at start-up, before any request
    first = openapi_document(registry)
    assert openapi_document(registry) is first
    body = openapi_json(registry)
    assert openapi_json(registry) is body
    app = site(widgets_app)
    res = app.get("/api/openapi.json")
    assert res.content_type == "application/json"
    assert res.body == body and res.json == first
    assert app.get("/api/openapi.json").body == body
    assert openapi_document(registry) is first  # requests rebuilt nothing


def test_the_reference_page_serves_the_viewer_from_this_site(widgets_app):
    app = site(widgets_app)
    page = app.get("/api/")
    assert page.html.select_one("nav.podium-nav") is not None  # in the layout
    root = page.html.select_one("#podium-api-reference")
    assert root is not None, "the viewer's files are missing: run make install"
    assert root["data-document"] == "/api/openapi.json"
    scripts = [s["src"] for s in page.html.select("script[src]")]
    styles = [s["href"] for s in page.html.select("link[rel=stylesheet]")]
    for url in [*scripts, *styles]:
        assert url.startswith("http://localhost/"), url  # never another site
        app.get(url, status=200)
    assert any("swagger-ui-bundle.js" in url for url in scripts)
    assert "script-src 'self'" in page.headers["Content-Security-Policy"]


def test_the_navigation_links_the_reference_when_a_plugin_has_an_api(widgets_app, tmp_path):
    links = {a["data-plugin"]: a["href"] for a in site(widgets_app).get("/").html.select(
        "nav.podium-nav a")}
    assert links["podium.api"] == "/api/"
    bare = build_app(base_settings(f"sqlite:///{tmp_path / 'b.sqlite'}", ""))
    links = [a["data-plugin"] for a in site(bare).get("/").html.select("nav.podium-nav a")]
    assert "podium.api" not in links  # no plugin API: nothing to refer to
    bare.registry["podium.engine"].dispose()


BAD = '''
from podium.api import ApiSchema


class Thing(ApiSchema):
    name: str


def view(request):
    return {}


def includeme(config):
    config.add_route("bad.things", "/api/things")
    config.add_view(view, route_name="bad.things", request_method="POST", permission="x.y",
                    request_schema=SCHEMA, json_api=JSON_API)
'''


@pytest.mark.parametrize(("schema", "json_api", "says"), [
    ("Thing", "False", "need json_api=True"),
    ("dict", "True", "give a subclass of podium.api.ApiSchema"),
])
def test_a_wrong_schema_option_stops_start_up_naming_the_view(make_plugin, tmp_path, schema,
                                                               json_api, says):
    make_plugin("bad", BAD.replace("SCHEMA", schema).replace("JSON_API", json_api))
    with pytest.raises(ConfigurationError) as raised:
        build_app(base_settings(f"sqlite:///{tmp_path / 'x.sqlite'}", "bad"))
    assert says in str(raised.value) and "view" in str(raised.value)


def test_podium_openapi_writes_the_document_to_stdout(tmp_path):
    environ = {**os.environ, "PODIUM_DATABASE_URL": f"sqlite:///{tmp_path / 'c.sqlite'}",
               "PODIUM_PLUGINS": "notes"}
    result = subprocess.run([PODIUM, "openapi", "development.ini"], capture_output=True,
                            text=True, env=environ, cwd=ROOT, timeout=120)
    assert result.returncode == 0, result.stderr
    document: dict[str, Any] = json.loads(result.stdout)
    validate(document)
    assert "/notes/api/notes" in document["paths"]
    missing = subprocess.run([PODIUM, "openapi", "nosuch.ini"], capture_output=True,
                             text=True, env=environ, cwd=ROOT, timeout=120)
    assert missing.returncode == 1 and missing.stderr.startswith("Error:")
    assert "nosuch.ini" in missing.stderr and not missing.stdout
