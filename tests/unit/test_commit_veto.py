"""Podium's commit veto answers as pyramid_tm's default_commit_veto does."""

from __future__ import annotations

import itertools

import pytest
from pyramid.response import Response
from pyramid_tm import default_commit_veto

from podium.store.commit_veto import commit_veto

STATUSES = ("200 OK", "201 Created", "302 Found", "304 Not Modified", "400 Bad Request",
            "404 Not Found", "409 Conflict", "500 Internal Server Error",
            "503 Service Unavailable")
X_TM = ((), (("X-Tm", "commit"),), (("X-Tm", "abort"),), (("x-tm", "commit"),),
        (("X-TM", "Commit"),), (("X-Tm", ""),),
        (("X-Tm", "abort"), ("X-Tm", "commit")), (("X-Tm", "commit"), ("x-tm", "abort")))


@pytest.mark.parametrize(("status", "headers"), itertools.product(STATUSES, X_TM))
def test_the_same_answer_as_pyramid_tms_default(status, headers):
    response = Response(status=status, body=b"x")
    response.headerlist.extend(headers)
    expected = default_commit_veto(None, response)
    assert commit_veto(None, response) is expected
