"""Pagination of JSON API lists: ``?page=2&per_page=50``, a total, and links.

``paginate(statement, request)`` runs a SQLAlchemy ``select`` for one page
and counts its rows, and the view returns the :class:`Page`; declared with
``response_schema=Page[Item]``, each item is serialized with ``Item`` and
the OpenAPI document lists ``page`` and ``per_page`` for the operation.

``per_page`` defaults to ``podium.api.default_per_page`` and may not exceed
``podium.api.max_per_page`` (or the settings the view's ``per_page_settings``
names): out of range is a 400 naming the parameter
rather than a silent clamp (a client asking for 500 items and getting 100
would believe it has them all).  A page past the end has no items.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
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
#: A page number has at most this many digits (``int()`` refuses more than 4300).
MAX_PAGE_DIGITS = 100
_DIGITS = re.compile(f"[0-9]{{1,{MAX_PAGE_DIGITS}}}")
PAGE_MESSAGE = "Must be a whole number, 1 or more."
#: Where a paginated view's ``per_page_settings`` (set by the schema options'
#: view deriver) are found by :func:`paginate`.
PAGE_SETTINGS_ATTRIBUTE = "podium_per_page_settings"

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


@dataclass(frozen=True)
class PageRequest:
    """Which slice of a list a client asked for (pages count from 1)."""

    page: int = 1
    per_page: int = 20

    @property
    def offset(self) -> int:
        return (self.page - 1) * self.per_page


def limits(request: Request) -> tuple[int, int]:
    """``(default per_page, max per_page)``: the settings a paginated view's
    ``per_page_settings`` names, else ``podium.api.*``."""
    default_name, most_name = getattr(request, PAGE_SETTINGS_ATTRIBUTE, None) or (
        DEFAULT_SETTING, MAX_SETTING)
    settings = request.registry.settings
    return settings[default_name], settings[most_name]


def _whole_number(params: Any, name: str, lowest: int, highest: int | None) -> int | None:
    """The parameter ``name`` given once, ASCII digits only (``int()`` would
    also take "+5", "1_000" and other scripts' digits), within the bounds;
    None when it is not."""
    values = params.getall(name)
    if len(values) != 1:
        return None
    text = values[0].strip()
    if not _DIGITS.fullmatch(text):
        return None
    number = int(text)
    return number if lowest <= number and (highest is None or number <= highest) else None


def page_request(request: Request, *, per_page: int | None = None) -> PageRequest:
    """``?page=`` and ``?per_page=`` of the request, or a 400 naming the bad
    ones.  ``per_page`` fixes the page size (a page of a site's HTML list),
    and the parameter is then not read."""
    params = request.GET
    errors: dict[str, str] = {}
    page = 1
    if "page" in params:
        page = _whole_number(params, "page", 1, None) or 0
        if not page:
            errors["page"] = PAGE_MESSAGE
    if per_page is None:
        default, most = limits(request)
        per_page = default
        if "per_page" in params:
            per_page = _whole_number(params, "per_page", 1, most) or 0
            if not per_page:
                errors["per_page"] = f"Must be a whole number from 1 to {most}."
    if errors:
        raise InvalidInput(errors, "Invalid pagination parameters.")
    return PageRequest(page, per_page)


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
    dicts.  A page past the end is not queried: any page number is an
    offset the database accepts."""
    wanted = page_request(request)
    session = request.dbsession
    total = session.execute(
        select(func.count()).select_from(statement.order_by(None).subquery())).scalar_one()
    items: list[Any] = []
    if wanted.offset < total:
        sliced = statement.limit(wanted.per_page).offset(wanted.offset)
        if len(statement.column_descriptions) == 1:  # one entity, or one column
            items = list(session.scalars(sliced))
        else:
            items = [dict(row) for row in session.execute(sliced).mappings()]
    return page_of(request, items, wanted, total)


def page_of(request: Request, items: list[Any], wanted: PageRequest, total: int) -> Page[Any]:
    """The :class:`Page` of ``items``, the slice ``wanted`` of ``total``, with its links:
    for a view that runs its own queries."""
    pages = math.ceil(total / wanted.per_page)
    return Page[Any](items=items, page=wanted.page, per_page=wanted.per_page, total=total,
                     pages=pages, links=page_links(request, wanted.page, wanted.per_page, pages))


def includeme(config: Configurator) -> None:
    settings = config.get_settings()
    default, most = settings[DEFAULT_SETTING], settings[MAX_SETTING]
    if default > most:
        raise SettingsError(DEFAULT_SETTING, default,
                            f"at most {MAX_SETTING} ({most}): a list would refuse its own "
                            "default page size")
