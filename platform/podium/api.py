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
``permissions``  the :class:`Permission` objects it declares (``<name>.<word>``)
``default_grants`` the grants it proposes for roles, ``EVERYONE`` and
                 ``AUTHENTICATED`` included

Every view has ``permission=`` one of those, or ``PUBLIC`` when it is meant
to be open (``podium check`` lists the others); ``request.identity`` is the
current user, an :class:`Identity`, or None.

Route names of a plugin start with its name and a dot (``notes.list``).
Templates are referenced by asset spec and extend :data:`LAYOUT`.
"""

from __future__ import annotations

from typing import Any

from .assets.chain import served_file
from .assets.overrides import AssetOverrideError
from .assets.static import ContentHashCacheBuster, content_hash_cache_buster
from .hooks import hook_results, hooks
from .hooks.manager import HookError
from .hooks.markers import hookimpl, hookspec
from .jsonapi.base import ApiSchema
from .jsonapi.conditional import check_if_match, check_if_none_match, etag_for
from .jsonapi.errors import InvalidInput
from .jsonapi.invalid import invalid_input
from .jsonapi.pagination import Page, PageRequest, page_of, page_request, paginate
from .plugins.conflicts import commit_naming_plugins as commit_config
from .plugins.definition import Permission, Plugin
from .plugins.errors import PluginError
from .plugins.loader import LoadedPlugin
from .plugins.permissions import AUTHENTICATED, EVERYONE, PUBLIC
from .plugins.plugin_set import plugin_set
from .rendering.csv import stream_rows
from .scripting import AppEnv, app_env
from .security.policy import Identity
from .settings.types import Setting, SettingsError
from .store.after_commit import after_commit
from .store.model import Base
from .store.sessions import get_tm_session, mark_changed, tm_session
from .web.home_section import HomeSection
from .web.layout import LAYOUT


def commit(config: Any) -> None:
    """Deprecated name of :func:`commit_config` (it commits the configuration,
    not a transaction); kept for one minor version."""
    import warnings

    warnings.warn("podium.api.commit is deprecated: use podium.api.commit_config, which "
                  "commits the configuration (the name no longer reads like a "
                  "transaction commit)", DeprecationWarning, stacklevel=2)
    commit_config(config)


def audit(request: Any, action: str, target: str = "", **details: Any) -> None:
    """Record a change in the audit log the admin console and ``podium audit`` show:
    who (the request's identity), from where, ``action`` (``"notes.delete"``), its
    ``target`` and ``details`` (JSON values), in the request's own transaction, so
    the entry lands only if the change does."""
    from .admin.audit import actor_of, record

    record(request.dbsession, actor_of(request), action, target, **details)


#: The core's first migration: plugin branches depend on it.
CORE_BASE_REVISION = "podium_0001"

__all__ = [
    "AUTHENTICATED",
    "CORE_BASE_REVISION",
    "EVERYONE",
    "LAYOUT",
    "PUBLIC",
    "ApiSchema",
    "AppEnv",
    "AssetOverrideError",
    "Base",
    "ContentHashCacheBuster",
    "HomeSection",
    "HookError",
    "Identity",
    "InvalidInput",
    "LoadedPlugin",
    "Page",
    "PageRequest",
    "Permission",
    "Plugin",
    "PluginError",
    "Setting",
    "SettingsError",
    "after_commit",
    "app_env",
    "audit",
    "check_if_match",
    "check_if_none_match",
    "commit",
    "commit_config",
    "content_hash_cache_buster",
    "etag_for",
    "get_tm_session",
    "hook_results",
    "hookimpl",
    "hooks",
    "hookspec",
    "invalid_input",
    "mark_changed",
    "page_of",
    "page_request",
    "paginate",
    "plugin_set",
    "served_file",
    "stream_rows",
    "tm_session",
]
