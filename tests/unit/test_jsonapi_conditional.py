"""The conditional-request helpers on real requests (no app needed)."""

from __future__ import annotations

import datetime

import pytest
from pyramid.httpexceptions import HTTPNotModified, HTTPPreconditionFailed, HTTPPreconditionRequired
from pyramid.registry import Registry
from pyramid.request import Request as PyramidRequest

from podium.api import check_if_match, check_if_none_match, etag_for


class Request(PyramidRequest):
    @classmethod
    def blank(cls, *args, **kwargs):
        request = super().blank(*args, **kwargs)
        request.registry = Registry("conditional")  # request.response needs one
        return request


def test_equal_versions_have_equal_etags_and_any_change_another():
    moment = datetime.datetime(2026, 12, 3, 10, 0, tzinfo=datetime.UTC)
    assert etag_for(7, moment) == etag_for(7, moment)
    assert etag_for(7, moment) != etag_for(7, moment + datetime.timedelta(microseconds=1))
    assert etag_for(7, 2) != etag_for(72) != etag_for(7, 3)
    assert etag_for("\ud800") != etag_for("?")  # no text can make it fail


def test_if_none_match_naming_the_version_is_a_304():
    etag = etag_for(1, 1)
    request = Request.blank("/", headers={"If-None-Match": f'W/"x", "{etag}"'})
    with pytest.raises(HTTPNotModified) as raised:
        check_if_none_match(request, etag)
    assert raised.value.headers["ETag"] == f'"{etag}"'
    fresh = Request.blank("/", headers={"If-None-Match": '"other"'})
    check_if_none_match(fresh, etag)
    assert fresh.response.headers["ETag"] == f'"{etag}"'
    with pytest.raises(HTTPNotModified):
        check_if_none_match(Request.blank("/", headers={"If-None-Match": "*"}), etag)


def test_if_match_naming_another_version_is_a_412_and_none_a_428_when_required():
    etag = etag_for(1, 2)
    check_if_match(Request.blank("/", headers={"If-Match": f'"{etag}"'}), etag)
    check_if_match(Request.blank("/", headers={"If-Match": "*"}), etag)
    check_if_match(Request.blank("/"), etag)  # not sent: let through
    with pytest.raises(HTTPPreconditionFailed) as raised:
        check_if_match(Request.blank("/", headers={"If-Match": f'"{etag_for(1, 1)}"'}), etag)
    assert etag in str(raised.value)
    with pytest.raises(HTTPPreconditionRequired):
        check_if_match(Request.blank("/"), etag, required=True)
