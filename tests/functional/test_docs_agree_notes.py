"""What docs/overrides.md and the notes plugin's README say, checked on the
running app: the notes templates' blocks, values and macros, the layout's
globals, and every route, method and status of the notes JSON API.

The values a template gets are caught with a ``BeforeRender`` subscriber of a
host application (Pyramid's public event), while the pages are driven as a
browser drives them.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import jinja2
import jinja2.nodes
import pytest
from notes_data import bearer_client
from pyramid.config import Configurator
from pyramid.events import BeforeRender
from pyramid_jinja2 import IJinja2Environment
from sqlalchemy import Engine

import podium_notes
from podium.api import LAYOUT, commit_config
from podium.testing.accounts import make_user
from podium.testing.apps import delete_all_rows
from podium.testing.webapp import PodiumTestApp

pytestmark = pytest.mark.podium_plugins("notes")

ROOT = Path(__file__).resolve().parents[2]
OVERRIDES = ROOT / "docs" / "overrides.md"
NOTES_README = ROOT / "plugins" / "podium_notes" / "README.md"
NOTES_TEMPLATES = Path(podium_notes.__file__).parent / "templates"
LAYOUT_FILE = ROOT / "platform" / "podium" / "templates" / "layout.jinja2"
CODE = re.compile(r"`([^`]+)`")
#: A table's cell separator: a | outside `code`.
CELL = re.compile(r"\|(?=(?:[^`]*`[^`]*`)*[^`]*$)")


def section(path: Path, heading: str) -> str:
    text = path.read_text()
    match = re.search(rf"^(#+) {re.escape(heading)}\n", text, re.MULTILINE)
    assert match, f"{path.name} has no heading {heading!r}"
    rest = text[match.end():]
    end = re.search(rf"^#{{1,{len(match.group(1))}}} ", rest, re.MULTILINE)
    return rest[:end.start()] if end else rest


def table_rows(text: str) -> list[list[str]]:
    rows = []
    for block in re.findall(r"((?:^\|.*\|\n)+)", text, re.MULTILINE):
        rows.extend([cell.strip() for cell in CELL.split(line.strip()[1:-1])]
                    for line in block.splitlines()[2:])
    return rows


def names(cell: str) -> list[str]:
    """The `code` of a cell that are names (`heading`, not `<h1>`)."""
    return [code for code in CODE.findall(cell) if re.fullmatch(r"[\w.:/(){}, -]+", code)]


def parse(path: Path) -> jinja2.nodes.Template:
    return jinja2.Environment().parse(path.read_text())


def blocks(path: Path) -> set[str]:
    return {block.name for block in parse(path).find_all(jinja2.nodes.Block)}


# -- the notes templates -----------------------------------------------------------------

TEMPLATES_TABLE = table_rows(section(OVERRIDES, "The notes plugin's templates"))
DOCUMENTED = {names(row[0])[0]: row for row in TEMPLATES_TABLE if row[0].endswith(".jinja2`")}


def test_every_page_template_of_the_plugin_is_documented() -> None:
    pages = {f"podium_notes:templates/{p.name}" for p in NOTES_TEMPLATES.glob("*.jinja2")
             if p.name != "macros.jinja2"}
    assert set(DOCUMENTED) == pages


@pytest.mark.parametrize("spec", sorted(DOCUMENTED))
def test_the_blocks_of_each_template(spec: str) -> None:
    _, own, filled, _ = DOCUMENTED[spec]
    defined = blocks(NOTES_TEMPLATES / spec.rsplit("/", 1)[1])
    layout = blocks(LAYOUT_FILE)
    assert {n for n in names(own) if n.isidentifier()} == defined - layout
    assert set(names(filled)) == defined & layout


def test_the_macros() -> None:
    rows = table_rows(section(OVERRIDES, "The notes plugin's templates"))
    documented = {names(row[0])[0] for row in rows if "(" in row[0]}
    macros = {f"{m.name}({', '.join(a.name for a in m.args)})"
              for m in parse(NOTES_TEMPLATES / "macros.jinja2").find_all(jinja2.nodes.Macro)}
    assert documented == macros


@pytest.fixture
def rendered(podium_settings: dict[str, Any],
             ) -> Iterator[tuple[PodiumTestApp, dict[str, set[str]]]]:
    """A host app with the notes plugin, and the values each template got."""
    seen: dict[str, set[str]] = {}

    def remember(event: BeforeRender) -> None:
        seen.setdefault(event["renderer_name"], set()).update(event.rendering_val or {})

    config = Configurator(settings=dict(podium_settings))
    config.include("podium")
    config.add_subscriber(remember, BeforeRender)
    commit_config(config)
    app = config.make_wsgi_app()
    engine: Engine = app.registry["podium.engine"]
    try:
        browser = PodiumTestApp(app, extra_environ={"HTTP_HOST": "localhost"})
        browser.login(make_user(app.registry, "writer").login)  # notes are written by users
        yield browser, seen
    finally:
        delete_all_rows(engine)
        engine.dispose()


def test_the_values_each_template_gets(rendered) -> None:
    testapp, seen = rendered
    testapp.get("/notes/")
    testapp.get("/notes/new")
    testapp.post_form("/notes/new", {"title": ""}, status=400)  # refused: errors
    note = testapp.post_json("/notes/api/notes", {"title": "One"},
                             headers={"X-CSRF-Token": testapp.csrf_token()}).json["id"]
    for path in (f"/notes/{note}", f"/notes/{note}/edit", f"/notes/{note}/delete"):
        testapp.get(path)
    for spec, row in DOCUMENTED.items():
        assert seen[spec] == set(names(row[3])), spec


def test_the_layout_globals(podium_app) -> None:
    env = podium_app.registry.getUtility(IJinja2Environment, name=".jinja2")
    installed = {name for name in env.globals if name.startswith("podium_")}
    rows = table_rows(section(OVERRIDES, "Values the layout uses"))
    documented = {names(row[0])[0].split("(")[0] for row in rows}
    assert documented == installed
    assert env.globals["podium_layout"] == LAYOUT


# -- the notes JSON API ------------------------------------------------------------------

API_ROWS = table_rows(section(NOTES_README, "The JSON API"))
ROUTES = [(names(row[0])[0], names(row[1])[0], int(names(row[3])[0])) for row in API_ROWS
          if names(row[0]) and names(row[0])[0].isupper()]
BODIES = {"POST": {"title": "Created"}, "PUT": {"title": "Replaced"}, "PATCH": {"body": "x"}}


@pytest.fixture
def client(podium_app: Any, podium_user: Any, api_token: Any) -> PodiumTestApp:
    """A program with a user's API token: the API's writers are users."""
    return bearer_client(podium_app, api_token(podium_user("writer").login))


@pytest.mark.parametrize(("method", "url", "status"), ROUTES,
                         ids=[f"{m} {u}" for m, u, _ in ROUTES])
def test_each_documented_request_answers_as_documented(client, method, url, status) -> None:
    testapp = client
    note = testapp.post_json("/notes/api/notes", {"title": "Existing"}).json
    response = testapp.request(url.format(id=note["id"]), method=method,
                               body=_json(BODIES.get(method)), content_type="application/json",
                               expect_errors=True)
    assert response.status_int == status, response.text
    if method == "POST" or (method != "DELETE" and "{id}" in url):
        assert set(response.json) == set(documented_fields())
    if method == "GET":
        head = testapp.request(url.format(id=note["id"]), method="HEAD")
        assert head.status_int == status


def _json(value: Any) -> bytes:
    import json

    return b"" if value is None else json.dumps(value).encode()


def documented_fields() -> list[str]:
    rows = table_rows(section(NOTES_README, "The JSON API"))
    return [names(row[0])[0] for row in rows if len(row) == 4 and row[1] in (
        "integer", "string")]


def test_the_app_has_no_undocumented_api_route_or_method(podium_app) -> None:
    introspector = podium_app.registry.introspector
    routes = {r["introspectable"]["name"]: r["introspectable"]["pattern"]
              for r in introspector.get_category("routes")}
    served = set()
    for view in introspector.get_category("views"):
        intr = view["introspectable"]
        route, methods = intr["route_name"], intr["request_methods"]
        if route and route.startswith("notes.api.") and methods:
            methods = (methods,) if isinstance(methods, str) else methods
            served.update((m, routes[route]) for m in methods if m != "HEAD")
    documented = {(m, u.lstrip("/").replace("{id}", "{id:\\d+}")) for m, u, _ in ROUTES}
    assert served == documented
