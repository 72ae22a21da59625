"""Plain Pyramid 2, as one would write it with no platform: the yardstick for
Podium's own overhead on the scenarios that do not touch the database.

Its database scenarios use a SQLAlchemy Core connection per request, with no
ORM, no pyramid_tm and no zope.sqlalchemy: the floor the transactional
contenders (cookiecutter, podium) are compared with.
"""

from __future__ import annotations

import secrets
from operator import attrgetter, itemgetter
from types import SimpleNamespace
from typing import Any

from pyramid.config import Configurator
from pyramid.csrf import get_csrf_token
from pyramid.httpexceptions import HTTPBadRequest
from pyramid.request import Request
from pyramid.response import Response
from pyramid.router import Router
from pyramid.session import JSONSerializer, SignedCookieSessionFactory
from sqlalchemy import bindparam, select
from sqlalchemy.engine import Engine

from ..data import world
from .common import (
    EXTRA_FORTUNE,
    HELLO,
    STATIC_DIR,
    TEMPLATES_DIR,
    make_engine,
    new_number,
    parse_queries,
    random_id,
    valid_message,
)

PREFIX = ""
SCENARIOS = frozenset({
    "plaintext", "json", "db", "queries", "fortunes", "updates", "static", "notfound", "form",
})

_BY_ID = select(world.c.id, world.c.randomnumber).where(world.c.id == bindparam("id"))
_UPDATE = (
    world.update().where(world.c.id == bindparam("wid")).values(randomnumber=bindparam("number"))
)
_FORTUNES = "SELECT id, message FROM fortune"


def plaintext(request: Request) -> Response:
    return Response(body=HELLO.encode(), content_type="text/plain", charset="utf-8")


def hello_json(request: Request) -> dict[str, str]:
    return {"message": HELLO}


def _engine(request: Request) -> Engine:
    return request.registry["bench.engine"]


def single_query(request: Request) -> dict[str, int]:
    with _engine(request).connect() as conn:
        row = conn.execute(_BY_ID, {"id": random_id()}).one()
    return {"id": row.id, "randomNumber": row.randomnumber}


def queries(request: Request) -> list[dict[str, int]]:
    count = parse_queries(request.GET.get("queries"))
    with _engine(request).connect() as conn:
        rows = [conn.execute(_BY_ID, {"id": random_id()}).one() for _ in range(count)]
    return [{"id": r.id, "randomNumber": r.randomnumber} for r in rows]


def fortunes(request: Request) -> dict[str, Any]:
    with _engine(request).connect() as conn:
        rows: list[Any] = list(conn.exec_driver_sql(_FORTUNES))
    rows.append(SimpleNamespace(id=0, message=EXTRA_FORTUNE))
    rows.sort(key=attrgetter("message"))
    return {"fortunes": rows}


def updates(request: Request) -> list[dict[str, int]]:
    count = parse_queries(request.GET.get("queries"))
    with _engine(request).begin() as conn:
        rows = [conn.execute(_BY_ID, {"id": random_id()}).one() for _ in range(count)]
        result = [{"id": r.id, "randomNumber": new_number(r.randomnumber)} for r in rows]
        # In id order, like the ORM's flush: no deadlock between concurrent updates.
        params = sorted(
            ({"wid": r["id"], "number": r["randomNumber"]} for r in result),
            key=itemgetter("wid"),
        )
        conn.execute(_UPDATE, params)
    return result


def form_page(request: Request) -> dict[str, str]:
    return {"csrf_token": get_csrf_token(request), "action": request.route_path("form")}


def form_post(request: Request) -> Response:
    message = request.POST.get("message", "")
    if not valid_message(message):
        raise HTTPBadRequest("message must have 1 to 200 characters")
    return Response(
        body=f"received {len(message)} characters".encode(),
        content_type="text/plain", charset="utf-8",
    )


def make_app(db_url: str, **options: str) -> Router:
    """The app; ``secret`` signs the session cookie (random by default)."""
    settings = {"pyramid.reload_templates": False, "jinja2.autoescape": True}
    config = Configurator(settings=settings)
    config.include("pyramid_jinja2")
    config.add_jinja2_search_path(str(TEMPLATES_DIR))
    config.set_session_factory(SignedCookieSessionFactory(
        options.get("secret") or secrets.token_urlsafe(48),
        httponly=True, samesite="Lax", serializer=JSONSerializer(),
    ))
    config.set_default_csrf_options(require_csrf=True)
    config.registry["bench.engine"] = make_engine(db_url)

    for name in ("plaintext", "json", "db", "queries", "fortunes", "updates", "form"):
        config.add_route(name, "/" + name)
    config.add_view(plaintext, route_name="plaintext")
    config.add_view(hello_json, route_name="json", renderer="json")
    config.add_view(single_query, route_name="db", renderer="json")
    config.add_view(queries, route_name="queries", renderer="json")
    config.add_view(fortunes, route_name="fortunes", renderer="fortunes.jinja2")
    config.add_view(updates, route_name="updates", renderer="json")
    config.add_view(form_page, route_name="form", request_method="GET", renderer="form.jinja2")
    config.add_view(form_post, route_name="form", request_method="POST")
    config.add_static_view("static", str(STATIC_DIR), cache_max_age=3600)
    return config.make_wsgi_app()
