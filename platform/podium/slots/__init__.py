"""Template slots (issue 17): places templates mark with
``{{ slot("notes.note.after_body", note=note) }}`` and plugins fill with
``config.add_slot_content(...)``; docs/slots.md is the guide.

:mod:`.registry` holds the directive and the ordered contributions,
:mod:`.rendering` the ``slot()`` global, :mod:`.inventory` which templates in
effect render which slot (``podium slots``, ``podium check``).
"""

from pyramid.config import Configurator


def includeme(config: Configurator) -> None:
    config.include(".registry")
    config.include(".rendering")
