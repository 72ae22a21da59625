"""Pagination of JSON API lists: ``?page=2&per_page=50``, a total, and links.

``paginate(statement, request)`` runs a SQLAlchemy ``select`` for one page
and counts its rows, and the view returns the :class:`Page`; declared with
``response_schema=Page[Item]``, each item is serialized with ``Item`` and
the OpenAPI document lists ``page`` and ``per_page`` for the operation.

``per_page`` defaults to ``podium.api.default_per_page`` and may not exceed
``podium.api.max_per_page``: out of range is a 400 naming the parameter
rather than a silent clamp (a client asking for 500 items and getting 100
would believe it has them all).  A page past the end has no items.
"""

from __future__ import annotations

import math
import re
from typing import Any, Generic, TypeVar
from urllib.parse import urlencode

from pydantic import BaseModel, ConfigDict, Field
from pyramid.config import Configurator
from pyramid.request import Request
from sqlalchemy import Select, func, select

from ..settings.types import SettingsError
from .errors import InvalidInput

DEFAULT_SETTING = "podium.api.default_per_page"
MAX_SETTING = "podium.api.max_per_page"
#: Larger pages than this are refused whatever the settings: offsets stay in range.
MAX_PAGE = 10**9
_DIGITS = re.compile(r"[0-9]{1,10}")

T = TypeVar("T")


class PageLinks(BaseModel):
    """Where the other pages are (absolute URLs, this request's other parameters kept)."""

    first: str
    prev: str | None = Field(None, description="None on the first page.")
    next: str | None = Field(None, description="None on the last page (or past it).")
    last: str


class Page(BaseModel, Generic[T]):
    """One page of a list: ``Page[Item]`` as a ``response_schema``."""

    model_config = ConfigDict(from_attributes=True)

    items: list[T]
    page: int = Field(description="This page's number, from 1.")
    per_page: int = Field(description="The most items a page has.")
    total: int = Field(description="Items in the whole list.")
    pages: int = Field(description="Pages in the whole list (0 for an empty list).")
    links: PageLinks


def limits(request: Request) -> tuple[int, int]:
    """``(default per_page, max per_page)`` from the settings."""
    settings = request.registry.settings
    return settings[DEFAULT_SETTING], settings[MAX_SETTING]


def _whole_number(text: str) -> int | None:
    """ASCII digits only: ``int()`` would also take "+5", "1_000" and other digits."""
    text = text.strip()
    return int(text) if _DIGITS.fullmatch(text) else None


def page_request(request: Request) -> tuple[int, int]:
    """``(page, per_page)`` from the query string, or a 400 naming the bad one."""
    default, most = limits(request)
    params = request.GET
    errors: dict[str, str] = {}
    page, per_page = 1, default
    if "page" in params:
        values = params.getall("page")
        number = _whole_number(values[0]) if len(values) == 1 else None
        if number is None or not 1 <= number <= MAX_PAGE:
            errors["page"] = f"Must be a whole number from 1 to {MAX_PAGE}, given once."
        else:
            page = number
    if "per_page" in params:
        values = params.getall("per_page")
        number = _whole_number(values[0]) if len(values) == 1 else None
        if number is None or not 1 <= number <= most:
            errors["per_page"] = f"Must be a whole number from 1 to {most}, given once."
        else:
            per_page = number
    if errors:
        raise InvalidInput(errors, "Invalid pagination parameters.")
    return page, per_page


def _link(request: Request, page: int, per_page: int) -> str:
    kept = [(k, v) for k, v in request.GET.items() if k not in ("page", "per_page")]
    return f"{request.path_url}?{urlencode([*kept, ('page', page), ('per_page', per_page)])}"


def page_links(request: Request, page: int, per_page: int, pages: int) -> PageLinks:
    last = max(pages, 1)
    return PageLinks(
        first=_link(request, 1, per_page),
        prev=_link(request, min(page - 1, last), per_page) if page > 1 else None,
        next=_link(request, page + 1, per_page) if page < pages else None,
        last=_link(request, last, per_page),
    )


def paginate(statement: Select[Any], request: Request) -> Page[Any]:
    """One page of ``statement`` (give it an ``order_by``: pages of an
    unordered query may overlap), run on ``request.dbsession``; a statement
    of one entity or column gives its objects, one of several columns gives
    dicts."""
    page, per_page = page_request(request)
    session = request.dbsession
    total = session.execute(
        select(func.count()).select_from(statement.order_by(None).subquery())).scalar_one()
    sliced = statement.limit(per_page).offset((page - 1) * per_page)
    if len(statement.selected_columns) == 1:
        items: list[Any] = list(session.scalars(sliced))
    else:
        items = [dict(row) for row in session.execute(sliced).mappings()]
    pages = math.ceil(total / per_page)
    return Page[Any](items=items, page=page, per_page=per_page, total=total, pages=pages,
                     links=page_links(request, page, per_page, pages))


def includeme(config: Configurator) -> None:
    settings = config.get_settings()
    default, most = settings[DEFAULT_SETTING], settings[MAX_SETTING]
    if default > most:
        raise SettingsError(DEFAULT_SETTING, default,
                            f"at most {MAX_SETTING} ({most}): a list would refuse its own "
                            "default page size")
