"""Conditional requests: ETags, ``If-None-Match`` (304) and ``If-Match`` (412).

An item's ETag is made from what changes whenever it changes (a version
counter, ``updated_at``, its id): :func:`etag_for`.  A read calls
:func:`check_if_none_match`, which sends the ETag and answers 304 Not
Modified when the client has that version already; an update or a delete
calls :func:`check_if_match` before writing, which refuses with 412
Precondition Failed when the client's copy is stale (someone changed the
item since it was read), so that one writer does not undo another's change
unseen.  A request without ``If-Match`` is let through unless the view asks
for it (``required=True``: 428 Precondition Required).
"""

from __future__ import annotations

import hashlib
from typing import Any

from pyramid.httpexceptions import HTTPNotModified, HTTPPreconditionFailed, HTTPPreconditionRequired
from pyramid.request import Request


def etag_for(*parts: Any) -> str:
    """A strong ETag value (sent quoted) for the version ``parts`` name,
    e.g. ``etag_for(item.id, item.updated_at)``: equal parts, equal ETags."""
    text = "\x1f".join(part.isoformat() if hasattr(part, "isoformat") else str(part)
                       for part in parts)
    return hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=12).hexdigest()


def check_if_none_match(request: Request, etag: str) -> None:
    """Send ``etag`` with the response; raise a 304 when the request's
    ``If-None-Match`` names it (or is ``*``): the client's copy is current."""
    request.response.etag = etag
    if "HTTP_IF_NONE_MATCH" in request.environ and etag in request.if_none_match:
        raise HTTPNotModified(headers=[("ETag", f'"{etag}"')])


def check_if_match(request: Request, etag: str, *, required: bool = False) -> None:
    """Before a write: a 412 when ``If-Match`` does not name ``etag`` (the
    item changed since the client read it); a 428 when ``required`` and the
    request sent none."""
    if "HTTP_IF_MATCH" not in request.environ:
        if required:
            raise HTTPPreconditionRequired(
                "Send the ETag of the version you are changing in If-Match (GET the item "
                "for it), so that a change made since is not overwritten.")
        return
    if etag not in request.if_match:
        raise HTTPPreconditionFailed(
            f'The item has changed since you read it (its ETag is now "{etag}"): nothing '
            "was written. GET it again, then send your change with its new ETag in "
            "If-Match.")
