"""A signed cookie session: httponly, SameSite=Lax, secure in production."""

from __future__ import annotations

from pyramid.config import Configurator
from pyramid.session import JSONSerializer, SignedCookieSessionFactory

#: The session cookie's name: a request without it has an empty session.
SESSION_COOKIE = "podium_session"
#: Three hours, after which a session is dropped even if it is in use.
SESSION_TIMEOUT = 3 * 60 * 60


def includeme(config: Configurator) -> None:
    settings = config.get_settings()
    production = settings["podium.environment"] == "production"
    factory = SignedCookieSessionFactory(
        settings["podium.secret"],
        cookie_name=SESSION_COOKIE,
        httponly=True,
        samesite="Lax",
        secure=production,
        timeout=SESSION_TIMEOUT,
        reissue_time=SESSION_TIMEOUT // 10,
        max_age=SESSION_TIMEOUT,
        serializer=JSONSerializer(),
    )
    config.set_session_factory(factory)
