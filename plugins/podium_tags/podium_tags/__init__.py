"""The tags plugin: tags on notes, added only through the notes' hooks and
template slots and Podium's public API.

It imports nothing of ``podium_notes``: its hooks are implemented in
:mod:`podium_tags.hookimpls` (named by ``Plugin(hookimpls=...)``), its
markup goes into the notes' slots (:mod:`podium_tags.contents`), its tables
refer to ``notes_note`` by name (:mod:`podium_tags.models`), and its
migrations depend on the notes branch.  Disabled, it leaves notes exactly as
they are without it.

Its own page, ``/tags/``, lists the tags in use; ``podium tags rename``
renames or merges a tag (:mod:`podium_tags.cli`).
"""

from pyramid.config import Configurator

from podium.api import Plugin

# Only the settings (and the names' rules they use): loading the entry point, as
# every podium command does, must not import the models, which refer to the
# notes' table and are imported once the plugin is included (with notes).
from .settings import LIMITS_KEY, SETTINGS, limits_from

#: The notes' permission to read notes: tags are read with them.
NOTES_VIEW = "notes.view"

#: The notes' pages that show tags, and so the stylesheet.
NOTES_PAGES = ("notes.list", "notes.view", "notes.new", "notes.edit")


def includeme(config: Configurator) -> None:
    """The limits, the slot contents, the stylesheet and the ``/tags/`` page."""
    config.registry[LIMITS_KEY] = limits_from(config.get_settings())
    config.include(".contents")
    config.add_route("tags.list", "/")
    if config.route_prefix:
        # "/tags" without the slash leads to the page (only under a prefix: see notes).
        config.add_route("tags.root", "", inherit_slash=True)
        config.add_view(".views.to_index", route_name="tags.root", permission=NOTES_VIEW)
    config.add_page_asset("podium_tags:static/tags.css", routes=[*NOTES_PAGES, "tags.*"])
    config.scan(".views")


plugin = Plugin(
    includeme=includeme,
    title="Tags",
    description="Tags on notes: a field in the form, links on the pages, ?tag= on the list "
                "and the API.",
    # Its tables refer to the notes' and its code implements the notes' hooks.
    requires=("notes",),
    front_page="tags.list",
    settings=SETTINGS,
    migrations="podium_tags:migrations/versions",
    static="podium_tags:static",
    # A dotted name: click and the command code are imported only by `podium`.
    commands="podium_tags.cli:tags",
    hookimpls="podium_tags.hookimpls",
    # No permissions of its own: tags ride on the notes' (the field is in the form
    # of whoever may write the note; the API takes tags with notes.create/notes.edit).
)
