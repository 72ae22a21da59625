"""Pyramid + pyramid_tm + zope.sqlalchemy + SQLAlchemy, wired by hand exactly
as the Pyramid cookiecutter (``pyramid-cookiecutter-starter``, sqlalchemy
backend) generates it: ``get_engine``, ``get_session_factory``,
``get_tm_session``, the explicit transaction manager, and a reified
``request.dbsession`` registered per request; views by ``@view_config`` and
``config.scan()``.

This is what Podium must beat on the database scenarios (issue 6, target 2).
Sessions and CSRF follow the Pyramid SQLAlchemy tutorial (``wiki2``), with
the token kept in a signed cookie session as Podium keeps it.
"""

from __future__ import annotations

import secrets
from operator import attrgetter
from typing import Any

import zope.sqlalchemy
from pyramid.config import Configurator
from pyramid.csrf import get_csrf_token
from pyramid.httpexceptions import HTTPBadRequest
from pyramid.request import Request
from pyramid.response import Response
from pyramid.router import Router
from pyramid.session import JSONSerializer, SignedCookieSessionFactory
from pyramid.view import view_config
from sqlalchemy import MetaData, String, engine_from_config, select
from sqlalchemy.orm import (
    DeclarativeBase,
    Mapped,
    Session,
    configure_mappers,
    mapped_column,
    sessionmaker,
)

from .common import (
    EXTRA_FORTUNE,
    HELLO,
    STATIC_DIR,
    TEMPLATES_DIR,
    new_number,
    parse_queries,
    random_id,
    tune_sqlite,
    valid_message,
)

PREFIX = ""
SCENARIOS = frozenset({
    "plaintext", "json", "db", "queries", "fortunes", "updates", "static", "notfound", "form",
})


# models/meta.py
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


# models/mymodel.py
class World(Base):
    __tablename__ = "world"
    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    randomnumber: Mapped[int]


class Fortune(Base):
    __tablename__ = "fortune"
    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    message: Mapped[str] = mapped_column(String(2048))


# models/__init__.py
configure_mappers()


def get_engine(settings: dict[str, Any], prefix: str = "sqlalchemy.") -> Any:
    engine = engine_from_config(settings, prefix)
    tune_sqlite(engine)  # the same database settings for every contender
    return engine


def get_session_factory(engine: Any) -> sessionmaker[Session]:
    factory = sessionmaker()
    factory.configure(bind=engine)
    return factory


def get_tm_session(session_factory: sessionmaker[Session], transaction_manager: Any,
                   request: Request | None = None) -> Session:
    dbsession = session_factory(info={"request": request})
    zope.sqlalchemy.register(dbsession, transaction_manager=transaction_manager)
    return dbsession


def includeme(config: Configurator) -> None:
    settings = config.get_settings()
    settings["tm.manager_hook"] = "pyramid_tm.explicit_manager"
    config.include("pyramid_tm")
    config.include("pyramid_retry")

    dbengine = settings.get("dbengine")
    if not dbengine:
        dbengine = get_engine(settings)
    session_factory = get_session_factory(dbengine)
    config.registry["dbsession_factory"] = session_factory

    def dbsession(request: Request) -> Session:
        dbsession = request.environ.get("app.dbsession")
        if dbsession is None:
            dbsession = get_tm_session(session_factory, request.tm, request=request)
        return dbsession

    config.add_request_method(dbsession, reify=True)


# routes.py
def includeme_routes(config: Configurator) -> None:
    config.add_static_view("static", str(STATIC_DIR), cache_max_age=3600)
    for name in ("plaintext", "json", "db", "queries", "fortunes", "updates", "form"):
        config.add_route(name, "/" + name)


# views/default.py
@view_config(route_name="plaintext")
def plaintext(request: Request) -> Response:
    return Response(body=HELLO.encode(), content_type="text/plain", charset="utf-8")


@view_config(route_name="json", renderer="json")
def hello_json(request: Request) -> dict[str, str]:
    return {"message": HELLO}


@view_config(route_name="db", renderer="json")
def single_query(request: Request) -> dict[str, int]:
    world = request.dbsession.get(World, random_id())
    return {"id": world.id, "randomNumber": world.randomnumber}


@view_config(route_name="queries", renderer="json")
def queries(request: Request) -> list[dict[str, int]]:
    get = request.dbsession.get
    worlds = [get(World, random_id()) for _ in range(parse_queries(request.GET.get("queries")))]
    return [{"id": w.id, "randomNumber": w.randomnumber} for w in worlds]


@view_config(route_name="fortunes", renderer="fortunes.jinja2")
def fortunes(request: Request) -> dict[str, list[Fortune]]:
    rows = list(request.dbsession.scalars(select(Fortune)))
    rows.append(Fortune(id=0, message=EXTRA_FORTUNE))
    rows.sort(key=attrgetter("message"))
    return {"fortunes": rows}


@view_config(route_name="updates", renderer="json")
def updates(request: Request) -> list[dict[str, int]]:
    get = request.dbsession.get
    worlds = [get(World, random_id()) for _ in range(parse_queries(request.GET.get("queries")))]
    result = []
    for w in worlds:
        w.randomnumber = new_number(w.randomnumber)
        result.append({"id": w.id, "randomNumber": w.randomnumber})
    return result


@view_config(route_name="form", request_method="GET", renderer="form.jinja2")
def form_page(request: Request) -> dict[str, str]:
    return {"csrf_token": get_csrf_token(request), "action": request.route_path("form")}


@view_config(route_name="form", request_method="POST")
def form_post(request: Request) -> Response:
    message = request.POST.get("message", "")
    if not valid_message(message):
        raise HTTPBadRequest("message must have 1 to 200 characters")
    return Response(
        body=f"received {len(message)} characters".encode(),
        content_type="text/plain", charset="utf-8",
    )


# __init__.py
def make_app(db_url: str, **options: str) -> Router:
    """``main(global_config, **settings)`` of the generated project."""
    settings = {
        "sqlalchemy.url": db_url,
        "retry.attempts": "3",
        "pyramid.reload_templates": False,
        "jinja2.autoescape": True,
    }
    with Configurator(settings=settings) as config:
        config.include("pyramid_jinja2")
        config.add_jinja2_search_path(str(TEMPLATES_DIR))
        config.set_session_factory(SignedCookieSessionFactory(
            options.get("secret") or secrets.token_urlsafe(48),
            httponly=True, samesite="Lax", serializer=JSONSerializer(),
        ))
        config.set_default_csrf_options(require_csrf=True)
        config.include(includeme_routes)
        config.include(includeme)
        config.scan(__name__)
    return config.make_wsgi_app()
