"""The test kit for Podium and its plugins (a pytest plugin, ``pytest11``).

Installed with podium, it gives every test suite these fixtures:

``podium_database_url``  a migrated database for the test session: a SQLite
                         file, and also a PostgreSQL database of its own when
                         ``PODIUM_TEST_DATABASE_URL`` is set (tests using it
                         run once per backend)
``podium_settings``      the settings the app is built with; override the
                         fixture, or mark a test with
                         ``@pytest.mark.podium_settings(key=value)``
``podium_app``           the WSGI app built by ``podium.main``; the plugins it
                         enables come from ``@pytest.mark.podium_plugins(...)``
                         (default: every installed plugin)
``testapp``              a ``webtest.TestApp`` of ``podium_app``
``podium_engine``        the app's SQLAlchemy engine, to check what was stored
``dbsession``            a session on the test database whose work is rolled
                         back after the test
``testapp``              (see above) also has ``csrf_token()``,
                         ``post_form(url, params)``, ``login(login_or_id)`` (as
                         if through ``/login``: the user must exist), ``logout()``
``podium_user``          ``podium_user(login, permissions=(), roles=())``: a user
                         with exactly these permissions (a
                         :class:`~podium.testing.accounts.TestUser`)
``logged_in_app``        ``logged_in_app(permissions=(), login="tester")``: a new
                         WebTest app logged in as a new user with them
``api_token``            ``api_token(login)``: a bearer token of that user
``podium_hookimpl``      ``podium_hookimpl(function, hook=None)``: ``function``
                         implements the hook (default: its name) until the test
                         ends, before the plugins' implementations

Rows written by a test are deleted after it, so tests do not see each other.
"""

from typing import Any

from .apps import base_settings, build_app, migrate
from .database import temporary_database
from .servers import free_port, running_pserve


def __getattr__(name: str) -> Any:
    # WebTest is an extra: importing the kit must not require it.
    if name == "PodiumTestApp":
        from .webapp import PodiumTestApp

        return PodiumTestApp
    raise AttributeError(name)


__all__ = [
    "PodiumTestApp",
    "base_settings",
    "build_app",
    "free_port",
    "migrate",
    "running_pserve",
    "temporary_database",
]
