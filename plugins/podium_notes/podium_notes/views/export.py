"""The CSV export page: every note, newest first, as a download.

Rendered by the core's streaming ``csv`` renderer: the rows are read by
:func:`podium.api.stream_rows` on a connection of their own while the body
is sent (the request's session is closed by then), so a large table never
sits whole in memory.  The renderer neutralises cells a spreadsheet would
run as formulas (a title ``=1+1`` is written ``'=1+1``).

Other methods than GET and HEAD get a 405 with ``Allow``, like the pages
(see ``wrong_method`` in :mod:`podium_notes.views.pages`).
"""

from __future__ import annotations

from typing import Any

from pyramid.request import Request
from pyramid.view import view_config
from sqlalchemy import select

from podium.api import stream_rows

from ..models import Note
from ..owners import check_reader
from ..permissions import EXPORT

#: The columns of the export, in order (also its header row).
EXPORT_COLUMNS = ("id", "title", "body", "created_at", "updated_at")
EXPORT_FILENAME = "notes.csv"


def export_statement() -> Any:
    """Every note, newest first (ties broken by id), as the list shows them."""
    columns = [getattr(Note, name) for name in EXPORT_COLUMNS]
    return select(*columns).order_by(Note.created_at.desc(), Note.id.desc())


@view_config(route_name="notes.export", request_method="GET", renderer="csv",
             permission=EXPORT)
def export_csv(request: Request) -> dict[str, Any]:
    """``/notes/export.csv``: timestamps in ISO 8601, UTC.  Reading, so
    ``notes.public_read`` off refuses nobody here too."""
    check_reader(request)
    return {
        "header": list(EXPORT_COLUMNS),
        "rows": stream_rows(request, export_statement()),
        "filename": EXPORT_FILENAME,
    }
