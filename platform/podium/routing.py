"""URL dispatch that stays flat as plugins add routes.

Pyramid's ``RoutesMapper`` tries every route's regex in turn, so the last
of 1000 routes, and every 404, pays for all of them.  Most routes start with
a literal segment (``/notes/...``, the plugin's prefix), and a path can only
match routes whose literal prefix agrees with its own first segment.  This
mapper indexes routes by that segment once, then tries, in Pyramid's
original order, only the routes of the path's segment plus the few whose
first segment is not literal (``/{slug}``).  Matching, predicates, URL
generation and ``proutes`` are Pyramid's own: it is a subclass that only
narrows the candidates.
"""

from __future__ import annotations

import heapq
from dataclasses import dataclass
from operator import itemgetter
from typing import Any

from pyramid.config import Configurator
from pyramid.exceptions import URLDecodeError
from pyramid.interfaces import IRoutesMapper
from pyramid.urldispatch import (
    Route,
    RoutesMapper,
    old_route_re,
    route_re,
    star_at_end,
)


def first_literal_segment(pattern: str) -> str | None:
    """The first path segment every match of ``pattern`` has, or None when a
    placeholder makes it variable.  Mirrors ``pyramid.urldispatch._compile_route``."""
    if old_route_re.search(pattern) and not route_re.search(pattern):
        return None  # old-style ":name" placeholders: leave them to the slow path
    if not pattern.startswith("/"):
        pattern = "/" + pattern
    has_remainder = bool(star_at_end.search(pattern))
    if has_remainder:
        pattern = pattern.rsplit("*", 1)[0]
    parts = route_re.split(pattern)
    literal = parts[0]
    second_slash = literal.find("/", 1)
    if second_slash != -1:
        return literal[1:second_slash]
    if len(parts) == 1 and not has_remainder:
        return literal[1:]  # the whole pattern is one literal segment, e.g. "/about"
    return None


def path_segment(path: str) -> str:
    # Pyramid's regexes end with "$", which also matches before a final newline.
    if path.endswith("\n"):
        path = path[:-1]
    end = path.find("/", 1)
    return path[1:] if end == -1 else path[1:end]


@dataclass(frozen=True)
class _Index:
    by_segment: dict[str, tuple[Route, ...]]
    unindexed: tuple[Route, ...]


class PrefixIndexedRoutesMapper(RoutesMapper):
    """A drop-in ``IRoutesMapper``; see the module docstring."""

    def __init__(self) -> None:
        super().__init__()
        self._index: _Index | None = None

    def connect(self, *args: Any, **kwargs: Any) -> Route:
        route = super().connect(*args, **kwargs)
        self._index = None  # rebuilt on the next request
        return route

    def _build_index(self) -> _Index:
        buckets: dict[str, list[tuple[int, Route]]] = {}
        unindexed: list[tuple[int, Route]] = []
        for position, route in enumerate(self.routelist):
            segment = first_literal_segment(route.pattern)
            target = unindexed if segment is None else buckets.setdefault(segment, [])
            target.append((position, route))
        by_segment = {
            segment: tuple(r for _, r in heapq.merge(routes, unindexed, key=itemgetter(0)))
            for segment, routes in buckets.items()
        }
        index = _Index(by_segment, tuple(r for _, r in unindexed))
        self._index = index
        return index

    def __call__(self, request: Any) -> dict[str, Any]:
        try:
            path = request.path_info or "/"
        except KeyError:
            path = "/"
        except UnicodeDecodeError as e:
            raise URLDecodeError(e.encoding, e.object, e.start, e.end, e.reason) from e
        index = self._index or self._build_index()
        for route in index.by_segment.get(path_segment(path), index.unindexed):
            match = route.match(path)
            if match is not None:
                preds = route.predicates
                info = {"match": match, "route": route}
                if preds and not all(p(info, request) for p in preds):
                    continue
                return info
        return {"route": None, "match": None}


def includeme(config: Configurator) -> None:
    """Register the mapper before any route is connected (routes connect when
    the configuration is committed); routes an embedding app connected
    already are carried over in their order."""
    registry = config.registry
    existing = registry.queryUtility(IRoutesMapper)
    if isinstance(existing, PrefixIndexedRoutesMapper):
        return
    mapper = PrefixIndexedRoutesMapper()
    if existing is not None:
        mapper.routelist = list(existing.routelist)
        mapper.static_routes = list(existing.static_routes)
        mapper.routes = dict(existing.routes)
    registry.registerUtility(mapper, IRoutesMapper)
