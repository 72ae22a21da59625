"""The notes plugin: Podium's first bundled plugin.

Pages to write, list, edit and delete short notes, and the same through a
JSON API under ``<prefix>/api/notes``; every note as a CSV download at
``<prefix>/export.csv``.  Everything is registered relative to
the prefix the platform mounts the plugin under (``/notes`` by default).

The entry point (``notes = podium_notes:plugin``) names the :data:`plugin`
declaration below: metadata, settings (:mod:`podium_notes.settings`) and
the ``podium notes ...`` commands (:mod:`podium_notes.cli`).
"""

from pyramid.config import Configurator

from podium.api import Plugin

from .owners import PUBLIC_READ_KEY
from .permissions import DEFAULT_GRANTS, PERMISSIONS
from .settings import (
    MAX_PER_PAGE_SETTING,
    PAGE_SIZE_SETTING,
    SETTINGS,
    limits_from,
    public_read_from,
)

#: Where the views find the typed settings: a :class:`podium_notes.settings.Limits`.
LIMITS_KEY = "notes.limits"

#: An id in a URL is digits only: anything else does not match a route (404).
_ID = r"{id:\d+}"


def includeme(config: Configurator) -> None:
    """Routes, static files and views of the plugin."""
    # Each setting was typed and checked by Podium; this checks them together.
    settings = config.get_settings()
    limits = config.registry[LIMITS_KEY] = limits_from(settings)
    # Typed in the settings too, where the API's pagination reads them, also
    # when a host included the package by hand with the ini's strings.
    settings[PAGE_SIZE_SETTING] = limits.page_size
    settings[MAX_PER_PAGE_SETTING] = limits.max_per_page
    config.registry[PUBLIC_READ_KEY] = public_read_from(config.get_settings())
    config.include(".owners")
    config.include(".extensions")
    config.add_route("notes.list", "/")
    config.add_route("notes.new", "/new")
    config.add_route("notes.view", f"/{_ID}")
    config.add_route("notes.edit", f"/{_ID}/edit")
    config.add_route("notes.delete", f"/{_ID}/delete")
    config.add_route("notes.export", "/export.csv")
    config.add_route("notes.api.notes", "/api/notes")
    config.add_route("notes.api.note", f"/api/notes/{_ID}")
    config.add_route("notes.moderation", "/moderation")
    config.add_route("notes.moderation_delete", f"/moderation/{_ID}/delete")
    config.add_admin_page("notes", "Notes moderation", "notes.moderation")
    if config.route_prefix:
        # "/notes" without the slash leads to the list instead of a 404.  Only
        # under a prefix: mounted at the root it would be "/" redirecting to "/".
        config.add_route("notes.root", "", inherit_slash=True)
    config.add_static_view("static", "podium_notes:static", cache_max_age=3600)
    config.scan(".views")


plugin = Plugin(
    includeme=includeme,
    title="Notes",
    description="Write, list, edit and delete short notes, in pages and through a JSON API.",
    front_page="notes.list",
    migrations="podium_notes:migrations/versions",
    settings=SETTINGS,
    # A dotted name: click and the command code are imported only by `podium`.
    commands="podium_notes.cli:notes",
    permissions=PERMISSIONS,
    # Read by everyone, written by users, anyone's notes by editors (podium_notes.permissions).
    default_grants=DEFAULT_GRANTS,
    # What other plugins may implement to extend notes (podium_notes.hooks).
    hookspecs="podium_notes.hooks",
)
