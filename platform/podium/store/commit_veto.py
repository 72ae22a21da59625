"""Podium's default ``tm.commit_veto``: pyramid_tm's ``default_commit_veto``
rule, read off the response's header list.

The rule is pyramid_tm's to the letter: an ``X-Tm`` header (the last one, as
``response.headers`` finds it) commits when it says ``commit`` and aborts
otherwise; without one, a 4xx or 5xx status aborts.  pyramid_tm's function
reads the header through ``response.headers``, which builds WebOb's
dictionary view of the header list on every response; a loop over the list
itself costs about half as much, on every request that reaches the tween.
"""

from __future__ import annotations

from pyramid.request import Request
from pyramid.response import Response


def commit_veto(request: Request, response: Response) -> bool:
    """True (abort) for an ``X-Tm`` other than ``commit``, or, without one,
    for a 4xx or 5xx response."""
    xtm = None
    for name, value in response.headerlist:
        if name.lower() == "x-tm":
            xtm = value
    if xtm is not None:
        return bool(xtm != "commit")
    return bool(response.status.startswith(("4", "5")))
