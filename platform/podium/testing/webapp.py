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
from sqlalchemy import select

from podium.accounts.models import User
from podium.security.policy import EPOCH_KEY, USERID_KEY
from podium.store.sessions import tm_session


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

    def login(self, user: str | int) -> None:
        """Make the following requests come from ``user`` (a login name, or a
        user id), as if it had logged in through ``/login``: the session
        holds its id and its session epoch, which the security policy checks.
        A disabled or unknown user is refused (``ValueError``)."""
        with tm_session(self.app.registry["podium.engine"]) as session:
            found = session.scalars(select(User).where(
                User.id == user if isinstance(user, int) else
                User.login == str(user).strip().lower())).one_or_none()
            if found is None or not found.active:
                raise ValueError(f"no active user {user!r} to log in as")
            user_id, epoch = found.id, found.session_epoch

        def log_in(request: Request) -> None:
            request.session.invalidate()
            request.session[USERID_KEY] = user_id
            request.session[EPOCH_KEY] = epoch

        self._with_session(log_in)

    def logout(self) -> None:
        """Make the following requests anonymous (the user's other sessions
        live on: ``/logout`` ends them all)."""
        self._with_session(lambda request: request.session.invalidate())
