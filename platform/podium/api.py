"""The API that plugin authors may rely on.

Everything a plugin needs from the core is imported from here; every other
module of ``podium`` is internal and may change between minor versions.

A plugin is a distribution with an entry point in the ``podium.plugins``
group.  The entry point's name is the plugin's name; its value is a module
(or any object) with ``includeme(config)`` and, optionally, these metadata:

``title``        human name shown in the navigation and on the home page
``description``  one line shown on the home page (default: the Summary of
                 the distribution)
``route_prefix`` where its routes are mounted (default ``/<name>``; the
                 setting ``podium.plugin.<name>.route_prefix`` wins)
``front_page``   the route name the navigation links to
``migrations``   asset spec of its alembic revisions directory; its first
                 revision carries ``branch_labels = ("<name>",)`` and
                 ``depends_on = CORE_BASE_REVISION``

Route names of a plugin start with its name and a dot (``notes.list``).
Templates are referenced by asset spec and extend :data:`LAYOUT`.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from .assets.chain import served_file
from .assets.overrides import AssetOverrideError
from .assets.static import ContentHashCacheBuster, content_hash_cache_buster
from .plugins.conflicts import commit_naming_plugins as commit_config
from .plugins.definition import Plugin
from .plugins.errors import PluginError
from .plugins.loader import LoadedPlugin
from .plugins.plugin_set import plugin_set
from .rendering.csv import stream_rows
from .scripting import AppEnv, app_env
from .settings.types import Setting, SettingsError
from .store.hooks import after_commit
from .store.model import Base
from .store.session import get_tm_session, tm_session
from .web.layout import LAYOUT


def mark_changed(session: Session, transaction_manager: Any = None, keep_session: bool = False
                 ) -> None:
    """zope.sqlalchemy's ``mark_changed``: make the transaction commit a
    session whose writes zope.sqlalchemy cannot see.  Podium already marks
    any statement that is not a SELECT sent through ``execute``, ``scalars``
    or ``scalar``, so only writes on ``session.connection()`` need it.

    The manager defaults to the one the session was made for (the
    request's, or :func:`tm_session`'s), where zope.sqlalchemy's default is
    the thread's global manager: a session not yet joined would join that
    one instead.  (A wrapper also because importing zope.sqlalchemy up
    front costs every process the drivers it imports.)"""
    from zope.sqlalchemy import mark_changed as zope_mark_changed

    from .store.zope_events import manager_of

    zope_mark_changed(session, transaction_manager or manager_of(session), keep_session)


def commit(config: Any) -> None:
    """Deprecated name of :func:`commit_config` (it commits the configuration,
    not a transaction); kept for one minor version."""
    import warnings

    warnings.warn("podium.api.commit is deprecated: use podium.api.commit_config, which "
                  "commits the configuration (the name no longer reads like a "
                  "transaction commit)", DeprecationWarning, stacklevel=2)
    commit_config(config)


#: The core's first migration: plugin branches depend on it.
CORE_BASE_REVISION = "podium_0001"

__all__ = [
    "CORE_BASE_REVISION",
    "LAYOUT",
    "AppEnv",
    "AssetOverrideError",
    "Base",
    "ContentHashCacheBuster",
    "LoadedPlugin",
    "Plugin",
    "PluginError",
    "Setting",
    "SettingsError",
    "after_commit",
    "app_env",
    "commit",
    "commit_config",
    "content_hash_cache_buster",
    "get_tm_session",
    "mark_changed",
    "plugin_set",
    "served_file",
    "stream_rows",
    "tm_session",
]
