"""The ``csv`` renderer: rows from a view's iterable, streamed as they come.

A view with ``renderer="csv"`` returns either an iterable of rows, or a dict::

    {"header": ["id", "title"],          # optional first line
     "rows": rows,                       # iterable of sequences or mappings
     "filename": "notes.csv"}            # optional: Content-Disposition attachment

Rows are encoded a chunk at a time while the body is sent, so an export of a
million rows never sits whole in memory.  Mappings are written in the order
of ``header``.  ``None`` is an empty cell, dates and times are ISO 8601.

Cells that a spreadsheet would run as a formula (text starting with ``=``,
``+``, ``-``, ``@``, tab or carriage return) are prefixed with ``'``: an
export of user-written text must not become a way to run formulas on the
computer of whoever opens it.  Numbers are left alone.

**Transactions.** The body is produced after the view returned, when
pyramid_tm has already committed and closed ``request.dbsession``: a lazy
query on it would fail half-way.  Give plain data (``.all()``) or, to stream
a large table, :func:`stream_rows`, which reads on a connection of its own.
"""

from __future__ import annotations

import csv
import datetime
import io
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import Any
from urllib.parse import quote

from pyramid.config import Configurator
from pyramid.request import Request

#: Bytes gathered before a chunk is handed to the server.
CHUNK_SIZE = 64 * 1024
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _cell(value: Any, escape_formulas: bool) -> Any:
    if value is None:
        return ""
    if isinstance(value, (datetime.date, datetime.time)):
        return value.isoformat()
    if isinstance(value, bool) or not isinstance(value, str):
        return value
    if escape_formulas and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def _row(row: Any, header: Sequence[str] | None, escape_formulas: bool) -> list[Any]:
    if isinstance(row, Mapping):
        if header is None:
            raise ValueError("csv renderer: rows are mappings, so give a 'header' to order them")
        return [_cell(row.get(name), escape_formulas) for name in header]
    if isinstance(row, (str, bytes)):
        raise ValueError(f"csv renderer: a row must be a sequence of cells, not {row!r}")
    return [_cell(value, escape_formulas) for value in row]


def encode_rows(rows: Iterable[Any], header: Sequence[str] | None = None, *,
                escape_formulas: bool = True, encoding: str = "utf-8",
                chunk_size: int = CHUNK_SIZE) -> Iterator[bytes]:
    """CSV bytes for ``rows``, in chunks of about ``chunk_size`` bytes.

    Closing the returned iterator (as a WSGI server does when a client goes
    away) closes ``rows`` too, so a database cursor behind them is released."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    iterator = iter(rows)
    try:
        if header is not None:
            writer.writerow([_cell(h, escape_formulas) for h in header])
        for row in iterator:
            writer.writerow(_row(row, header, escape_formulas))
            if buffer.tell() >= chunk_size:
                yield buffer.getvalue().encode(encoding)
                buffer.seek(0)
                buffer.truncate()
        if buffer.tell():
            yield buffer.getvalue().encode(encoding)
    finally:
        close = getattr(iterator, "close", None)
        if close is not None:
            close()


def content_disposition(filename: str) -> str:
    """``attachment`` with a safe ASCII name and the exact one (RFC 6266)."""
    name = re.sub(r'[\x00-\x1f\x7f"\\/]+', "_", filename).strip() or "export.csv"
    ascii_name = name.encode("ascii", "replace").decode("ascii").replace("?", "_")
    value = f'attachment; filename="{ascii_name}"'
    if ascii_name != name:
        value += f"; filename*=UTF-8''{quote(name, safe='')}"
    return value


class CSVRenderer:
    """The renderer factory registered as ``csv``."""

    def __init__(self, escape_formulas: bool = True):
        self.escape_formulas = escape_formulas

    def __call__(self, info: Any) -> Any:
        def render(value: Any, system: dict[str, Any]) -> Iterator[bytes]:
            request: Request | None = system.get("request")
            header = filename = None
            rows = value
            if isinstance(value, Mapping):
                rows = value.get("rows", ())
                header = value.get("header")
                filename = value.get("filename")
            body = encode_rows(rows, header, escape_formulas=self.escape_formulas)
            if request is not None:
                response = request.response
                if response.content_type == response.default_content_type:
                    response.content_type = "text/csv"
                response.charset = "utf-8"
                if filename:
                    response.content_disposition = content_disposition(filename)
            return body

        return render


def stream_rows(request: Request, statement: Any, yield_per: int = 1000) -> Iterator[Any]:
    """Rows of ``statement`` read on a connection of their own while the
    response is sent (the request's session is closed by then).  The
    connection is returned to the pool when the rows run out or the client
    goes away."""
    engine = request.registry["podium.engine"]

    def rows() -> Iterator[Any]:
        with engine.connect() as connection:
            result = connection.execution_options(stream_results=True,
                                                  yield_per=yield_per).execute(statement)
            yield from result

    return rows()


def includeme(config: Configurator) -> None:
    config.add_renderer("csv", CSVRenderer())
