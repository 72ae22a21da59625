"""A test-only plugin whose JSON API is declared on the layer (podium.jsonapi).

``make_widgets(make_plugin)`` writes it as a real distribution (entry point
``widgets``); :func:`create_tables` and :func:`drop_tables` give it its one
table on the test database (plain ``Table`` on a ``MetaData`` of its own,
like the counter plugin, since tests create the plugin many times).

Below ``/widgets/api``:

``GET widgets``            a page of widgets (``?min_size=``, ``page``, ``per_page``)
``POST widgets``           create (201, ``Location``)
``GET widgets/{id}``       read, with an ETag (304 for ``If-None-Match``)
``PUT widgets/{id}``       replace, ``If-Match`` checked (412 when stale)
``DELETE widgets/{id}``    delete, ``If-Match`` checked (204)

and, for the benchmark, the same list, create and read written by hand, as
the notes plugin writes them (``/widgets/raw/...``: JSON API views without
schemas, in the OpenAPI document without bodies, like the notes plugin's).
"""

from __future__ import annotations

import textwrap
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import JSON, Column, Engine, Integer, MetaData, String, Table

PLUGIN = '''
import json
from typing import Annotated

from pydantic import ConfigDict, Field, StringConstraints
from pyramid.httpexceptions import HTTPConflict, HTTPNotFound
from pyramid.response import Response
from sqlalchemy import JSON, Column, Integer, MetaData, String, Table, select

from podium.api import (
    ApiSchema, Page, Permission, check_if_match, check_if_none_match, etag_for,
    paginate)

title = "Widgets"
VIEW, EDIT = "widgets.view", "widgets.edit"
permissions = (Permission(VIEW, "View widgets"), Permission(EDIT, "Edit widgets"))

metadata = MetaData()
widgets = Table("widgets_widget", metadata, Column("id", Integer, primary_key=True),
                Column("name", String(100), nullable=False, unique=True),
                Column("tags", JSON, nullable=False),
                Column("size", Integer, nullable=False),
                Column("version", Integer, nullable=False))

# Kept as sent (not stripped), so that the document's lengths are the whole truth;
# and no pattern: JSON Schema's regexes are ECMA's, pydantic's are Rust's.
Name = Annotated[str, StringConstraints(min_length=1, max_length=100)]
Tag = Annotated[str, StringConstraints(min_length=1, max_length=20)]
MAX_ID = 2**31 - 1


class NewWidget(ApiSchema):
    """What a client sends to create or replace a widget."""

    model_config = ConfigDict(json_schema_extra={"examples": [
        {"name": "Sprocket", "tags": ["metal", "small"], "size": 3}]})

    name: Name = Field(description="Unique among widgets.")
    tags: list[Tag] = Field(default_factory=list, max_length=10)
    size: int = Field(1, ge=1, le=1000)


class Widget(ApiSchema):
    """A widget as the API shows it."""

    id: int
    name: str
    tags: list[str]
    size: int
    version: int = Field(description="Goes up by one at each change.")
    url: str


class WidgetFilter(ApiSchema):
    min_size: int | None = Field(None, ge=1, le=1000,
                                 description="Only widgets this big or bigger.")


def widget_out(request, row):
    return {**row, "url": request.route_url("widgets.api.widget", id=row["id"])}


def widget_or_404(request):
    text = request.matchdict["id"]
    number = int(text) if len(text) <= 10 else MAX_ID + 1
    row = None
    if number <= MAX_ID:
        row = request.dbsession.execute(
            select(widgets).where(widgets.c.id == number)).mappings().one_or_none()
    if row is None:
        raise HTTPNotFound(f"No widget with id {text[:20]}.")
    return dict(row)


def _name_taken(request, name, but=None):
    query = select(widgets.c.id).where(widgets.c.name == name)
    found = request.dbsession.execute(query).scalar_one_or_none()
    return found is not None and found != but


def list_widgets(request):
    """A page of widgets, by id.

    With ?min_size=, only those that big or bigger."""
    query = select(widgets).order_by(widgets.c.id)
    min_size = request.validated_query.min_size
    if min_size is not None:
        query = query.where(widgets.c.size >= min_size)
    page = paginate(query, request)
    page.items = [widget_out(request, row) for row in page.items]
    return page


def create_widget(request):
    """Create a widget."""
    new = request.validated
    if _name_taken(request, new.name):
        raise HTTPConflict(f"A widget is named {new.name!r} already.")
    values = {"name": new.name, "tags": new.tags, "size": new.size, "version": 1}
    result = request.dbsession.execute(widgets.insert().values(**values))
    row = {"id": result.inserted_primary_key[0], **values}
    request.response.location = request.route_url("widgets.api.widget", id=row["id"])
    return widget_out(request, row)


def read_widget(request):
    """One widget, with its ETag."""
    row = widget_or_404(request)
    check_if_none_match(request, etag_for(row["id"], row["version"]))
    return widget_out(request, row)


def replace_widget(request):
    """Replace a widget; send its ETag in If-Match to be sure nobody changed it meanwhile."""
    row = widget_or_404(request)
    check_if_match(request, etag_for(row["id"], row["version"]))
    new = request.validated
    if _name_taken(request, new.name, but=row["id"]):
        raise HTTPConflict(f"Another widget is named {new.name!r}.")
    values = {"name": new.name, "tags": new.tags, "size": new.size,
              "version": row["version"] + 1}
    request.dbsession.execute(widgets.update().where(widgets.c.id == row["id"]).values(**values))
    row.update(values)
    request.response.etag = etag_for(row["id"], row["version"])
    return widget_out(request, row)


def delete_widget(request):
    """Delete a widget (If-Match checked when sent)."""
    row = widget_or_404(request)
    check_if_match(request, etag_for(row["id"], row["version"]))
    request.dbsession.execute(widgets.delete().where(widgets.c.id == row["id"]))


# -- the same create and read written by hand, for the benchmark ------------------------

def _raw_error(request, fields, message="The widget was not saved: correct the fields listed."):
    request.response.status_int = 400
    return {"error": {"status": 400, "title": "Bad Request", "message": message,
                      "fields": fields}}


def _clean_text(value, most):
    if not isinstance(value, str):
        return None, "Must be a string."
    if "\\x00" in value:
        return None, "Must not contain NUL characters."
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return None, "Must be valid Unicode text."
    value = value.strip()
    if not 1 <= len(value) <= most:
        return None, f"From 1 to {most} characters."
    return value, None


def raw_list(request):
    rows = request.dbsession.execute(select(widgets).order_by(widgets.c.id).limit(20))
    return {"items": [widget_out(request, dict(row)) for row in rows.mappings()]}


def raw_create(request):
    if request.content_type != "application/json":
        return _raw_error(request, {}, "Send JSON.")
    try:
        data = json.loads(request.body)
    except (ValueError, RecursionError):
        return _raw_error(request, {}, "Not JSON.")
    if not isinstance(data, dict):
        return _raw_error(request, {}, "Send an object.")
    errors = {name: "Unknown field." for name in data if name not in ("name", "tags", "size")}
    name, problem = _clean_text(data.get("name"), 100)
    if problem:
        errors["name"] = problem
    tags = data.get("tags", [])
    if not isinstance(tags, list) or len(tags) > 10:
        errors["tags"] = "At most 10 tags."
        tags = []
    for i, tag in enumerate(tags):
        cleaned, problem = _clean_text(tag, 20)
        if problem:
            errors[f"tags.{i}"] = problem
    size = data.get("size", 1)
    if isinstance(size, bool) or not isinstance(size, int) or not 1 <= size <= 1000:
        errors["size"] = "A whole number from 1 to 1000."
    if errors:
        return _raw_error(request, errors)
    if _name_taken(request, name):
        raise HTTPConflict(f"A widget is named {name!r} already.")
    values = {"name": name, "tags": tags, "size": size, "version": 1}
    result = request.dbsession.execute(widgets.insert().values(**values))
    row = {"id": result.inserted_primary_key[0], **values}
    request.response.status_int = 201
    request.response.location = request.route_url("widgets.api.widget", id=row["id"])
    return widget_out(request, row)


def raw_read(request):
    row = widget_or_404(request)
    request.response.etag = etag_for(row["id"], row["version"])
    return widget_out(request, row)


def includeme(config):
    config.add_route("widgets.api.widgets", "/api/widgets")
    config.add_route("widgets.api.widget", r"/api/widgets/{id:\\d+}")
    config.add_route("widgets.raw.widgets", "/raw/widgets")
    config.add_route("widgets.raw.widget", r"/raw/widgets/{id:\\d+}")
    api = {"json_api": True}
    config.add_view(list_widgets, route_name="widgets.api.widgets", request_method="GET",
                    permission=VIEW, query_schema=WidgetFilter, response_schema=Page[Widget],
                    **api)
    config.add_view(create_widget, route_name="widgets.api.widgets", request_method="POST",
                    permission=EDIT, request_schema=NewWidget, response_schema=Widget,
                    response_status=201, **api)
    config.add_view(read_widget, route_name="widgets.api.widget", request_method="GET",
                    permission=VIEW, response_schema=Widget, **api)
    config.add_view(replace_widget, route_name="widgets.api.widget", request_method="PUT",
                    permission=EDIT, request_schema=NewWidget, response_schema=Widget, **api)
    config.add_view(delete_widget, route_name="widgets.api.widget", request_method="DELETE",
                    permission=EDIT, response_status=204, **api)
    # Two views on the route, as on the layer's: Pyramid tries the GET one first.
    config.add_view(raw_list, route_name="widgets.raw.widgets", request_method="GET",
                    permission=VIEW, renderer="json", json_api=True)
    config.add_view(raw_create, route_name="widgets.raw.widgets", request_method="POST",
                    permission=EDIT, renderer="json", json_api=True)
    config.add_view(raw_read, route_name="widgets.raw.widget", request_method="GET",
                    permission=VIEW, renderer="json", json_api=True)
'''

#: The plugin's table, for the tests to create, inspect and drop.
metadata = MetaData()
widgets = Table("widgets_widget", metadata, Column("id", Integer, primary_key=True),
                Column("name", String(100), nullable=False, unique=True),
                Column("tags", JSON, nullable=False),
                Column("size", Integer, nullable=False),
                Column("version", Integer, nullable=False))

PERMISSIONS = ("widgets.view", "widgets.edit")


def make_widgets(make_plugin: Callable[..., str]) -> str:
    """Write the widgets plugin; return its package name."""
    return make_plugin("widgets", PLUGIN)


def write_widgets(root: Path) -> str:
    """Write the plugin as an installed distribution under ``root`` (put ``root``
    on ``sys.path``), for a process that is not a test (the benchmark); return
    its package name."""
    package = f"widgets_{uuid.uuid4().hex[:8]}"
    (root / package).mkdir(parents=True)
    (root / package / "__init__.py").write_text(textwrap.dedent(PLUGIN))
    dist_info = root / "test_plugin_widgets-1.0.dist-info"
    dist_info.mkdir()
    (dist_info / "METADATA").write_text(
        "Metadata-Version: 2.1\nName: test-plugin-widgets\nVersion: 1.0\n"
        "Summary: The JSON API layer's test plugin\n")
    (dist_info / "entry_points.txt").write_text(f"[podium.plugins]\nwidgets = {package}\n")
    return package


def create_tables(engine: Engine) -> None:
    metadata.create_all(engine, checkfirst=True)
    with engine.begin() as conn:
        conn.execute(widgets.delete())


def drop_tables(engine: Engine) -> None:
    """The session's database is shared: leave no table the migrations don't make."""
    metadata.drop_all(engine, checkfirst=True)


def widgets_settings(request: pytest.FixtureRequest, make_plugin: Callable[..., str],
                     database_url: str) -> dict[str, Any]:
    """The kit's settings for a site of the widgets plugin (written first), with the
    test's ``podium_settings`` marker: a test module's ``podium_settings`` fixture."""
    from podium.testing import base_settings

    make_widgets(make_plugin)
    settings = base_settings(database_url, "widgets")
    extra = request.node.get_closest_marker("podium_settings")
    settings.update(extra.kwargs if extra else {})
    return settings
