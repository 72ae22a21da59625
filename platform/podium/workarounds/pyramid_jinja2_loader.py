"""pyramid_jinja2's loader, choosing the file behind an asset spec itself.

``SmartAssetSpecLoader`` resolves a spec through ``pkg_resources`` and so
through Pyramid's overrides only while a registry is pushed on the thread
locals; Podium renders the file its own override chain serves, so that
``render()`` in a CLI command or a thread of one's own picks the same file
as a request.  The loader has no public hook for that: its
``_get_absolute_source`` is overridden, and everything else (relative
names, the search path, ``asset:`` prefixes) stays pyramid_jinja2's.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any

from pyramid_jinja2 import FileInfo, SmartAssetSpecLoader

DEPENDENCY = "pyramid_jinja2"
SUPPORTED = ">=2.10,<2.11"

#: (source, filename, uptodate), as Jinja2 loaders return.
Source = tuple[str, str, Callable[[], bool]]


def read_source(filename: str, encoding: str) -> Source:
    info = FileInfo(filename, encoding)
    return info.contents, info.filename, info.uptodate


class ServedFileLoader(SmartAssetSpecLoader):
    """``SmartAssetSpecLoader`` reading, for an asset spec, the file that
    ``served_file(spec)`` names (None: not found)."""

    def __init__(self, served_file: Callable[[str], str | None], searchpath: list[str],
                 encoding: str = "utf-8", debug: bool = False):
        super().__init__(searchpath, encoding, debug)
        self.served_file = served_file

    def _get_absolute_source(self, template: str) -> Any:
        if os.path.isabs(template):
            return super()._get_absolute_source(template)
        filename = self.served_file(template)
        if filename is not None and os.path.isfile(filename):
            return read_source(filename, self.encoding)
        return None
