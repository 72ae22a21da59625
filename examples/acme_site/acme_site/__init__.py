"""Acme's site: the Podium platform with the notes plugin, in Acme's colours.

Nothing here edits Podium or podium-notes.  Three kinds of change, each the
smallest that does the job:

* the layout and the core's static files are overridden from the ini file
  (``podium.asset_overrides`` in development.ini): an operator can see and
  change them without touching code;
* the notes list is overridden from code, below: that is application code,
  the highest level of precedence, and it travels with this package;
* every override *extends* the template it replaces (``| original``) and
  changes one block, so fixes to the originals still reach Acme.
"""

from __future__ import annotations

from typing import Any

from pyramid.config import Configurator
from pyramid.router import Router

from podium.api import commit_config

NOTES_LIST = "podium_notes:templates/list.jinja2"


def includeme(config: Configurator) -> None:
    """Acme's own configuration, on top of the platform."""
    config.override_asset(NOTES_LIST, "acme_site:templates/notes_list.jinja2")
    config.add_podium_nav("acme.handbook", "Handbook", url="https://example.com/acme/handbook",
                          weight=900)


def main(global_config: dict[str, Any], **settings: Any) -> Router:
    """The PasteDeploy factory of development.ini (``use = egg:acme-site``)."""
    config = Configurator(settings=settings)
    config.include("podium")
    config.include(includeme)
    commit_config(config)  # conflicts reported with plugin names
    return config.make_wsgi_app()
