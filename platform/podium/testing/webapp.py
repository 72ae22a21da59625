"""``PodiumTestApp``: WebTest with the helpers a Podium suite needs.

The CSRF token is minted through the app's own session factory, exactly as
a page would mint it, so a test can post forms without scraping a page.
"""

from __future__ import annotations

from typing import Any

import webtest
from pyramid.interfaces import ISessionFactory
from pyramid.request import Request
from pyramid.response import Response

#: The session key where the login helper puts the user id; the core's
#: security policy will read the same key.
USERID_KEY = "podium.userid"


class _CollectingRequest(Request):
    """A request that keeps its response callbacks for the caller to run:
    the session's cookie is set by one."""

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.collected_callbacks: list[Any] = []

    def add_response_callback(self, callback: Any) -> None:
        self.collected_callbacks.append(callback)


class PodiumTestApp(webtest.TestApp):
    def _with_session(self, change: Any) -> Any:
        """Run ``change(session)`` on the test client's session and keep the cookie."""
        registry = self.app.registry
        request = _CollectingRequest.blank("/", headers={"Host": "localhost"})
        request.registry = registry
        cookie = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        if cookie:
            request.headers["Cookie"] = cookie
        session = registry.getUtility(ISessionFactory)(request)
        request.session = session
        result = change(request)
        response = Response()
        for callback in request.collected_callbacks:
            callback(request, response)
        for header in response.headers.getall("Set-Cookie"):
            name, _, rest = header.partition("=")
            self.set_cookie(name, rest.split(";", 1)[0])
        return result

    def csrf_token(self) -> str:
        """The token the app expects in ``csrf_token`` fields for this client."""
        return self._with_session(lambda request: request.session.get_csrf_token())

    def post_form(self, url: str, params: dict[str, Any] | None = None, **kw: Any) -> Any:
        """POST ``params`` as a browser form would, with the CSRF token."""
        return self.post(url, {**(params or {}), "csrf_token": self.csrf_token()}, **kw)

    def login(self, userid: str) -> None:
        """Make the following requests come from ``userid``."""
        self._with_session(lambda request: request.session.__setitem__(USERID_KEY, userid))

    def logout(self) -> None:
        self._with_session(lambda request: request.session.pop(USERID_KEY, None))
