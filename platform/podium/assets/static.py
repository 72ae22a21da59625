"""Static files: content-hash fingerprints that follow overrides.

Every static view registered in Podium's include tree (the core's
``/static/`` and each plugin's ``<prefix>/static/``) gets a cache buster:
``request.static_url('podium_notes:static/notes.css')`` is
``/notes/static/notes.css?v=<hash>``, where ``<hash>`` is taken from the
file that is actually served, an override's if there is one.

Static responses keep Pyramid's ``FileResponse`` (Last-Modified, content
type, 304 on ``If-Modified-Since``) and get from the deriver below an ETag
(the content hash, so ``If-None-Match`` gives a 304 too) and, when the URL
carries the current fingerprint, ``Cache-Control: public, max-age=31536000,
immutable``: that URL changes whenever the file does.  Without the
fingerprint, the static view's own max-age applies.

Hashes are computed once per file; with ``pyramid.reload_assets`` (or
``pyramid.reload_templates``, on in development.ini) they are recomputed when
the file's size or modification time changes.
"""

from __future__ import annotations

import hashlib
import os
import threading
from collections.abc import Callable
from typing import Any

from pyramid.config import Configurator
from pyramid.registry import Registry
from pyramid.request import Request
from pyramid.response import Response
from pyramid.static import static_view

from .chain import served_file

#: The query parameter that carries the fingerprint.
PARAM = "v"
#: One year: the longest max-age caches commonly honour.
FINGERPRINTED_MAX_AGE = 31536000
STATIC_VIEW_CATEGORY = "static views"


class ContentHashes:
    """sha256 prefixes of files, computed once (or once per change)."""

    def __init__(self, recheck: bool):
        self.recheck = recheck
        self._hashes: dict[str, tuple[tuple[int, int], str]] = {}
        self._lock = threading.Lock()

    def of(self, filename: str) -> str:
        cached = self._hashes.get(filename)
        if cached is not None and not self.recheck:
            return cached[1]
        stat = os.stat(filename)
        stamp = (stat.st_mtime_ns, stat.st_size)
        if cached is not None and cached[0] == stamp:
            return cached[1]
        digest = hashlib.sha256()
        with open(filename, "rb") as f:
            for block in iter(lambda: f.read(65536), b""):
                digest.update(block)
        value = digest.hexdigest()[:16]
        with self._lock:
            self._hashes[filename] = (stamp, value)
        return value


class ContentHashCacheBuster:
    """A Pyramid cache buster: ``?v=<hash of the file served>``.

    Register it for a static directory with
    ``config.add_cache_buster("mysite:static/", ContentHashCacheBuster(...))``;
    Podium does it for every static view of the core and the plugins."""

    def __init__(self, hashes: ContentHashes, registry: Registry):
        self.hashes = hashes
        self.registry = registry
        self._files: dict[str, str | None] = {}

    def filename(self, pathspec: str) -> str | None:
        """The file served for ``pathspec``; overrides are fixed once the
        application is committed, so this is remembered unless reloading."""
        if self.hashes.recheck or pathspec not in self._files:
            self._files[pathspec] = served_file(self.registry, pathspec)
        return self._files[pathspec]

    def __call__(self, request: Request, subpath: str,
                 kw: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        filename = self.filename(kw["pathspec"])
        if filename is None or not os.path.isfile(filename):
            return subpath, kw
        token = self.hashes.of(filename)
        query = kw.setdefault("_query", {})
        if isinstance(query, dict):
            query[PARAM] = token
        else:
            kw["_query"] = (*tuple(query), (PARAM, token))
        return subpath, kw


def _served_by(view: static_view, request: Request) -> str | None:
    """The file a static view serves for this request (None on a 404)."""
    try:
        name = view.get_resource_name(request)
    except Exception:  # out of bounds or a directory: the view answered already
        return None
    for path, encoding in view.get_possible_files(name):  # (path, encoding) pairs
        if encoding is None:
            return str(path)
    return None


_UNKNOWN: Any = object()


def fingerprint_deriver(view: Callable[..., Any], info: Any) -> Callable[..., Any]:
    """ETag and long caching for static views; every other view untouched."""
    original = info.original_view
    if not isinstance(original, static_view):
        return view
    hashes: ContentHashes = info.registry["podium.content_hashes"]
    # Which file a subpath serves is fixed once overrides are (not while
    # reloading): finding it again costs two pkg_resources lookups per request.
    # Keyed by the route's subpath,
    # which Pyramid has already normalized ("..", "." and empty segments),
    # and filled from 200 responses only: as many keys as there are files.
    served: dict[tuple[str, ...], str | None] | None = (
        None if hashes.recheck or not original.use_subpath else {})

    def fingerprinted(context: Any, request: Request) -> Response:
        response = view(context, request)
        if response.status_int != 200:
            return response
        if served is None:
            filename = _served_by(original, request)
        else:
            key = tuple(request.subpath)
            filename = served.get(key, _UNKNOWN)
            if filename is _UNKNOWN:
                filename = served[key] = _served_by(original, request)
        if filename is None:
            return response
        token = hashes.of(filename)
        response.etag = token
        if request.GET.get(PARAM) == token:
            response.headers["Cache-Control"] = (
                f"public, max-age={FINGERPRINTED_MAX_AGE}, immutable")
            response.expires = None
        return response

    return fingerprinted


def add_cache_busters(config: Configurator, buster: ContentHashCacheBuster) -> None:
    """A buster for each static view pending in Podium's include tree.

    Called at the end of ``config.include('podium')``; a downstream app that
    adds a static view of its own registers the same buster for it
    (``podium.api.content_hash_cache_buster(config)``)."""
    seen = set()
    for action in config.action_state.actions:
        for intr in action.get("introspectables", ()):
            if intr.category_name == STATIC_VIEW_CATEGORY and intr.get("spec"):
                spec = intr["spec"]
                if ":" in spec and spec not in seen:
                    seen.add(spec)
                    config.add_cache_buster(spec, buster)


def content_hash_cache_buster(config: Configurator) -> ContentHashCacheBuster:
    """The application's content-hash cache buster (one per registry)."""
    buster: ContentHashCacheBuster = config.registry["podium.cache_buster"]
    return buster


def includeme(config: Configurator) -> None:
    settings = config.get_settings()
    recheck = any(str(settings.get(k, "")).lower() in ("true", "1", "yes", "on")
                  for k in ("pyramid.reload_assets", "pyramid.reload_templates"))
    hashes = ContentHashes(recheck)
    config.registry["podium.content_hashes"] = hashes
    buster = ContentHashCacheBuster(hashes, config.registry)
    config.registry["podium.cache_buster"] = buster
    config.add_view_deriver(fingerprint_deriver, "podium_static_fingerprint")
    add_cache_busters(config, buster)


__all__ = [
    "FINGERPRINTED_MAX_AGE",
    "PARAM",
    "ContentHashCacheBuster",
    "content_hash_cache_buster",
]
