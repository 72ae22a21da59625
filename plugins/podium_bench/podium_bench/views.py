"""The scenario views, following the TechEmpower rules.

Views never commit: pyramid_tm commits the request's transaction, and the
session flushes the updated rows then (in primary-key order, which keeps
concurrent updates on PostgreSQL from deadlocking).
"""

from __future__ import annotations

from collections.abc import Callable
from operator import attrgetter
from random import randint
from typing import Any

from pyramid.csrf import get_csrf_token
from pyramid.httpexceptions import HTTPBadRequest, HTTPServiceUnavailable
from pyramid.request import Request
from pyramid.response import Response
from sqlalchemy import select
from sqlalchemy.exc import DBAPIError

from .models import Fortune, World

HELLO = "Hello, World!"
EXTRA_FORTUNE = "Additional fortune added at request time."
WORLD_ROWS = 10_000
MAX_QUERIES = 500
MAX_MESSAGE = 200

_NOT_SET_UP = (
    "The benchmark tables (world, fortune) are not in this database: they are "
    "created and seeded in a throw-away database by the harness, python -m bench."
)


def _queries(request: Request) -> int:
    """TechEmpower's rule: missing, not a number or below 1 means 1; at most 500."""
    try:
        count = int(request.GET.get("queries", 1))
    except ValueError:
        return 1
    return 1 if count < 1 else MAX_QUERIES if count > MAX_QUERIES else count


def _new_number(old: int) -> int:
    """A random number that differs from the old one, so that every row is
    really written (an ORM skips an UPDATE that changes nothing)."""
    number = randint(1, WORLD_ROWS)
    return number if number != old else number % WORLD_ROWS + 1


def _is_missing_table(exc: DBAPIError) -> bool:
    text = str(exc.orig)
    return "no such table" in text or getattr(exc.orig, "sqlstate", None) == "42P01"


def _needs_tables(view: Callable[[Request], Any]) -> Callable[[Request], Any]:
    """A 503 that explains, instead of a 500, on a database without the tables."""

    def wrapper(request: Request) -> Any:
        try:
            return view(request)
        except DBAPIError as exc:
            if _is_missing_table(exc):
                raise HTTPServiceUnavailable(_NOT_SET_UP) from exc
            raise

    wrapper.__name__ = view.__name__
    wrapper.__doc__ = view.__doc__
    return wrapper


def _row(world: World | None) -> dict[str, int]:
    if world is None:
        raise HTTPServiceUnavailable(_NOT_SET_UP)
    return {"id": world.id, "randomNumber": world.randomnumber}


def plaintext(request: Request) -> Response:
    return Response(body=HELLO.encode(), content_type="text/plain", charset="utf-8")


def hello_json(request: Request) -> dict[str, str]:
    return {"message": HELLO}


@_needs_tables
def single_query(request: Request) -> dict[str, int]:
    return _row(request.dbsession.get(World, randint(1, WORLD_ROWS)))


@_needs_tables
def queries(request: Request) -> list[dict[str, int]]:
    get = request.dbsession.get
    return [_row(get(World, randint(1, WORLD_ROWS))) for _ in range(_queries(request))]


@_needs_tables
def fortunes(request: Request) -> dict[str, list[Fortune]]:
    rows = list(request.dbsession.scalars(select(Fortune)))
    if not rows:
        raise HTTPServiceUnavailable(_NOT_SET_UP)
    rows.append(Fortune(id=0, message=EXTRA_FORTUNE))
    rows.sort(key=attrgetter("message"))
    return {"fortunes": rows}


@_needs_tables
def updates(request: Request) -> list[dict[str, int]]:
    get = request.dbsession.get
    worlds = [get(World, randint(1, WORLD_ROWS)) for _ in range(_queries(request))]
    result = []
    for world in worlds:
        if world is None:
            raise HTTPServiceUnavailable(_NOT_SET_UP)
        world.randomnumber = _new_number(world.randomnumber)
        result.append({"id": world.id, "randomNumber": world.randomnumber})
    return result


def form_page(request: Request) -> dict[str, str]:
    return {"csrf_token": get_csrf_token(request), "action": request.route_path("bench.form")}


def form_post(request: Request) -> Response:
    """Podium has already checked the CSRF token when this runs."""
    message = request.POST.get("message", "")
    if not 1 <= len(message) <= MAX_MESSAGE:
        raise HTTPBadRequest(f"message must have 1 to {MAX_MESSAGE} characters")
    return Response(
        body=f"received {len(message)} characters".encode(),
        content_type="text/plain", charset="utf-8",
    )
