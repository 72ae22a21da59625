"""URL dispatch that stays flat as plugins add routes.

Pyramid's ``RoutesMapper`` tries every route's regex in turn, so the last
of 1000 routes, and every 404, pays for all of them.  Most routes start with
literal segments (``/notes/api/...``: the plugin's prefix, then the page),
and a path can only match routes whose literal segments agree with its own.
This mapper indexes routes by their first two literal segments once, then
tries, in Pyramid's original order, only the routes that can match: those
of the path's two segments, those of its first segment whose second one is
variable (``/notes/{id}``), and the few whose first segment is not literal
(``/{slug}``).  Matching, predicates, URL generation and ``proutes`` are
Pyramid's own: it is a subclass that only narrows the candidates.
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


def literal_segments(pattern: str) -> tuple[str, ...] | None:
    """The whole path segments every match of ``pattern`` starts with, or
    None for old-style ``:name`` placeholders (left to the slow path).
    Mirrors ``pyramid.urldispatch._compile_route``: a segment counts only
    when the literal text goes on to a ``/``, or ends the whole pattern."""
    if old_route_re.search(pattern) and not route_re.search(pattern):
        return None
    if not pattern.startswith("/"):
        pattern = "/" + pattern
    has_remainder = bool(star_at_end.search(pattern))
    if has_remainder:
        pattern = pattern.rsplit("*", 1)[0]
    parts = route_re.split(pattern)
    pieces = parts[0][1:].split("/")
    if len(parts) == 1 and not has_remainder:
        return tuple(pieces)  # all literal, e.g. "/about" or "/notes/"
    return tuple(pieces[:-1])  # the last piece runs into a placeholder


@dataclass(frozen=True)
class _Index:
    #: (first, second) segment -> the routes a path starting so may match;
    #: (first,) -> the same for a path whose second segment no route names.
    by_prefix: dict[tuple[str, ...], tuple[Route, ...]]
    unindexed: tuple[Route, ...]


def _in_order(*groups: list[tuple[int, Route]]) -> tuple[Route, ...]:
    return tuple(r for _, r in heapq.merge(*groups, key=itemgetter(0)))


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
        first_only: dict[str, list[tuple[int, Route]]] = {}
        two: dict[tuple[str, str], list[tuple[int, Route]]] = {}
        unindexed: list[tuple[int, Route]] = []
        for position, route in enumerate(self.routelist):
            segments = literal_segments(route.pattern)
            if not segments:
                unindexed.append((position, route))
            elif len(segments) == 1:
                first_only.setdefault(segments[0], []).append((position, route))
            else:
                two.setdefault((segments[0], segments[1]), []).append((position, route))
        firsts = set(first_only) | {first for first, _ in two}
        by_prefix: dict[tuple[str, ...], tuple[Route, ...]] = {
            key: _in_order(routes, first_only.get(key[0], []), unindexed)
            for key, routes in two.items()}
        for first in firsts:
            by_prefix[(first,)] = _in_order(first_only.get(first, []), unindexed)
        index = _Index(by_prefix=by_prefix, unindexed=tuple(r for _, r in unindexed))
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
        # The path's first two segments, (first,) when it has one, () without a
        # leading slash; Pyramid's regexes end with "$", which also matches
        # before a final newline.  Inline: a function call here would cost
        # as much as the split (bench.instructions, plaintext).
        key = tuple(path.removesuffix("\n").split("/", 3)[1:3])
        # A (first, second) key no route names falls back to (first,).
        candidates = index.by_prefix.get(key) or index.by_prefix.get(key[:1], index.unindexed)
        for route in candidates:
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
