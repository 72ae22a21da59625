"""Users, tokens and logins for the security tests: users are made with the
accounts service in a transaction of their own, logins go through the real
login form."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import Engine, text

from podium.accounts import service
from podium.accounts.passwords import Passwords
from podium.store.sessions import tm_session
from podium.testing import PodiumTestApp

PASSWORD = "violet staple harbour 7"
#: Cheap argon2 for the tests that do not measure it; the app checks with the same.
CHEAP = {"podium.passwords.argon2_time_cost": "1",
         "podium.passwords.argon2_memory_cost": "1024",
         "podium.passwords.argon2_parallelism": "1"}
CHEAP_PASSWORDS = Passwords(time_cost=1, memory_cost=1024, parallelism=1)

GUARDED = '''
from pyramid.security import NO_PERMISSION_REQUIRED

from podium.api import Permission

permissions = [Permission("guarded.view", "View the guarded page")]


def whoami(request):
    first = request.identity
    assert request.identity is first  # looked up once, then cached
    return {
        "login": first.login if first else None,
        "by": first.authenticated_by if first else None,
        "userid": request.authenticated_userid,
        "view": bool(request.has_permission("guarded.view")),
        "anything": bool(request.has_permission("anything.at_all")),
    }


def ok(request):
    return {"ok": True}


def includeme(config):
    config.add_route("guarded.whoami", "/whoami")
    config.add_view(whoami, route_name="guarded.whoami", renderer="json")
    config.add_route("guarded.open", "/open")
    config.add_view(ok, route_name="guarded.open", renderer="json",
                    permission=NO_PERMISSION_REQUIRED)
    config.add_route("guarded.view", "/view")
    config.add_view(ok, route_name="guarded.view", renderer="json", permission="guarded.view")
    config.add_route("guarded.write", "/write")
    config.add_view(ok, route_name="guarded.write", renderer="json", json_api=True,
                    request_method=("POST", "PUT", "DELETE"))
'''


def add_user(engine: Engine, login: str, *roles: str, password: str = PASSWORD,
             active: bool = True, passwords: Passwords = CHEAP_PASSWORDS) -> int:
    with tm_session(engine) as session:
        user = service.add_user(session, passwords, login, password)
        for role in roles:
            service.grant(session, login, role)
        if not active:
            service.set_active(session, login, False)
        return user.id


def add_token(engine: Engine, login: str, **kw: Any) -> str:
    with tm_session(engine) as session:
        return service.create_token(session, login, **kw).secret


def change_password(engine: Engine, login: str, password: str) -> None:
    with tm_session(engine) as session:
        service.set_password(session, CHEAP_PASSWORDS, login, password)


def set_active(engine: Engine, login: str, active: bool) -> None:
    with tm_session(engine) as session:
        service.set_active(session, login, active)


def last_login(engine: Engine, login: str) -> Any:
    with engine.connect() as conn:
        return conn.execute(text("SELECT last_login_at FROM podium_user WHERE login = :l"),
                            {"l": login}).scalar_one()


def log_in(app: PodiumTestApp, login: str, password: str = PASSWORD, **kw: Any) -> Any:
    """Fill in and send the login page's form, as a browser does."""
    form = app.get("/login").forms["podium-login-form"]
    form["login"] = login
    form["password"] = password
    return form.submit(**kw)


def engine_of(app: PodiumTestApp) -> Engine:
    return app.app.registry["podium.engine"]


@pytest.fixture
def site(make_plugin: Callable[..., str],
         production_like_apps: Callable[..., PodiumTestApp]) -> Callable[..., PodiumTestApp]:
    """``site(plugins="notes guarded", **settings)``: the real app with cheap
    argon2 and the ``guarded`` plugin, whose views need permissions."""
    make_plugin("guarded", GUARDED)

    def build(plugins: str = "notes guarded", **settings: str) -> PodiumTestApp:
        return production_like_apps(plugins, **{**CHEAP, **settings})

    return build
