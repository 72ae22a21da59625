"""Assets: overrides with precedence, templates that follow them, static files
with content-hash fingerprints, and the data behind ``podium assets``.

Included last in Podium's boot sequence, after the plugins: it reads the
overrides and static views they declared (see :mod:`.overrides`).
"""

from pyramid.config import Configurator

from .chain import resolve, served_file
from .overrides import AssetOverrideError, Level, override_table

__all__ = ["AssetOverrideError", "Level", "includeme", "override_table", "resolve", "served_file"]


def includeme(config: Configurator) -> None:
    config.include(".templates")
    config.include(".static")
    config.include(".overrides")
