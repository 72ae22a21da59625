"""A page per plugin (``/admin/plugins/{name}``): what it is, whether it
runs and why it stands where it does, and everything it registered, read
from what the running application recorded (the plugin set, the settings'
sources, Pyramid's introspector, the hooks, the asset overrides, the schema)."""

from __future__ import annotations

import importlib.metadata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from pyramid.httpexceptions import HTTPNotFound
from pyramid.registry import Registry
from pyramid.request import Request

from ..assets.overrides import Level, override_table
from ..hooks import hooks_of
from ..plugins.discovery import InstalledPlugin
from ..plugins.errors import PluginError
from ..plugins.loader import LoadedPlugin, load
from ..plugins.permissions import PUBLIC, catalog_of
from ..plugins.plugin_set import plugin_set
from ..plugins.plugin_settings import environment_name
from ..settings.sources import sources_of
from ..settings.types import Setting
from .navigation import admin_pages

#: The slots' contributions (podium.slots), read by category name only.
SLOT_CATEGORY = "podium slot contents"
MASK = "••••••••"
ENABLED, SKIPPED, DISABLED = "enabled", "skipped", "disabled"


@dataclass(frozen=True)
class SettingRow:
    key: str
    value: str
    source: str
    environment: str
    kind: str
    description: str
    secret: bool


@dataclass(frozen=True)
class ViewRow:
    route: str
    pattern: str
    methods: str
    permission: str
    callable: str


@dataclass
class PluginReport:
    name: str
    title: str
    description: str
    distribution: str
    version: str
    homepage: str
    state: str
    error: str = ""
    position: int | None = None
    why_here: str = ""
    settings: list[SettingRow] = field(default_factory=list)
    views: list[ViewRow] = field(default_factory=list)
    permissions: list[tuple[str, str]] = field(default_factory=list)
    hooks_declared: list[tuple[str, str]] = field(default_factory=list)
    hooks_implemented: list[tuple[str, str, str]] = field(default_factory=list)
    #: None when no slot machinery recorded anything (podium.slots absent).
    slots: list[tuple[str, str]] | None = None
    overrides_made: list[str] = field(default_factory=list)
    overrides_of_its_files: list[str] = field(default_factory=list)
    admin_pages: list[tuple[str, str]] = field(default_factory=list)


def shown_value(setting: Setting, value: Any) -> str:
    """A setting's value as the console shows it: a secret only as set or not."""
    if setting.secret:
        return MASK if value not in (None, "") else "(not set)"
    if value in (None, "", [], ()):
        return "(none)"
    if isinstance(value, (list, tuple)):
        return " ".join(str(v) for v in value)
    return str(value)


def setting_rows(registry: Registry, schema: Iterable[Setting],
                 prefix: str | None) -> list[SettingRow]:
    """Each declared setting with its running value and where it came from;
    ``prefix`` is the plugin's name (None: the core's absolute keys)."""
    sources = sources_of(registry)
    rows = []
    for setting in schema:
        key = f"{prefix}.{setting.key}" if prefix else setting.key
        env = environment_name(prefix, setting.key) if prefix else setting.env
        value = registry.settings.get(key, setting.default)
        rows.append(SettingRow(key, shown_value(setting, value), sources.of(key, env),
                               env or "-", f"{setting.type_name} {setting.bounds}".strip(),
                               setting.description, setting.secret))
    return rows


def homepage_of(installed: InstalledPlugin) -> str:
    """The distribution's home page (``Home-page``, else its first ``Project-URL``)."""
    if not installed.distribution:
        return ""
    try:
        metadata = importlib.metadata.metadata(installed.distribution)
    except importlib.metadata.PackageNotFoundError:
        return ""
    home = metadata["Home-page"] or ""
    if not home:
        urls = metadata.get_all("Project-URL") or []
        home = urls[0].split(",", 1)[-1].strip() if urls else ""
    return home if home.startswith(("https://", "http://")) else ""


def _permission_shown(introspector: Any, view: Any) -> str:
    values = [p.get("value") for p in introspector.related(view)
              if p.category_name == "permissions"]
    value = next((v for v in values if v is not None), None)
    if value is None:
        return "none (refused: default deny)"
    return "PUBLIC" if value == PUBLIC else str(value)


def _callable_name(view: Any) -> str:
    target = view.get("callable")
    name = getattr(target, "__qualname__", None) or type(target).__name__
    module = getattr(target, "__module__", "")
    return f"{module}.{name}" if module else str(name)


def view_rows(registry: Registry, plugin: LoadedPlugin) -> list[ViewRow]:
    """The plugin's routes (named ``<plugin>.*``, and its static view's) and
    each view on them with its permission, from Pyramid's introspector."""
    introspector = registry.introspector
    static = f"__{plugin.route_prefix.strip('/')}/" if plugin.route_prefix else "__static/"
    rows = []
    for entry in introspector.get_category("routes") or ():
        route = entry["introspectable"]
        name = str(route["name"])
        if not (name.startswith(plugin.name + ".") or name.startswith(static)):
            continue
        views = [r for r in entry["related"] if r.category_name == "views"]
        if not views:
            rows.append(ViewRow(name, str(route["pattern"]), "-", "-", "(no view)"))
        for view in views:
            methods = view.get("request_methods")
            shown = ", ".join(sorted(methods)) if isinstance(methods, (tuple, list, set,
                                                                       frozenset)) \
                else (str(methods) if methods else "any")
            rows.append(ViewRow(name, str(route["pattern"]), shown,
                                _permission_shown(introspector, view), _callable_name(view)))
    return rows


def _slots(registry: Registry, name: str) -> list[tuple[str, str]] | None:
    entries = registry.introspector.get_category(SLOT_CATEGORY)
    if entries is None:
        return None
    found = []
    for entry in entries:
        intr = entry["introspectable"]
        if intr.get("plugin") == name:
            found.append((str(intr.get("slot", "?")), str(intr.get("name", intr.title))))
    return sorted(found)


def _package(plugin: LoadedPlugin | None, installed: InstalledPlugin) -> str:
    module = plugin.include_spec.split(":", 1)[0] if plugin else installed.entry_point.module
    return module.split(".", 1)[0]


def report(registry: Registry, name: str) -> PluginReport | None:
    """Everything the console shows about plugin ``name`` (None: not installed)."""
    plugins = plugin_set(registry)
    installed = plugins.installed.get(name)
    if installed is None:
        return None
    plugin = plugins.get(name)
    state = ENABLED if plugin else (SKIPPED if name in plugins.broken else DISABLED)
    definition_of = plugin
    if definition_of is None and state == DISABLED:
        try:  # what it would declare: its module is imported, never included
            definition_of = load(installed, dict(registry.settings))
        except PluginError:
            definition_of = None
    found = PluginReport(
        name=name, title=definition_of.title if definition_of else name,
        description=definition_of.description if definition_of else installed.summary,
        distribution=installed.distribution or "-", version=installed.version or "-",
        homepage=homepage_of(installed), state=state, error=plugins.broken.get(name, ""))
    if plugin is not None:
        found.position = [p.name for p in plugins.enabled].index(name) + 1
        found.why_here = plugins.reasons.get(name, "")
        found.settings = setting_rows(registry, plugin.definition.settings, name)
        found.views = view_rows(registry, plugin)
    elif definition_of is not None:
        found.settings = setting_rows(registry, definition_of.definition.settings, name)
    catalog = catalog_of(registry)
    if catalog is not None:
        found.permissions = sorted((d.permission.name, d.permission.title)
                                   for d in catalog.declared.values() if d.owner == name)
    if plugin is not None:
        hooks = hooks_of(registry)
        found.hooks_declared = sorted((s.name, s.where) for s in hooks.specs.values()
                                      if s.owner == name)
        found.hooks_implemented = sorted(
            (impl.hook, impl.where, impl.reason) for impls in hooks.impls.values()
            for impl in impls if impl.plugin == name)
        found.hooks_implemented += sorted((impl.hook, impl.where, "dormant: no enabled "
                                           "plugin declares it")
                                          for impl in hooks.dormant if impl.plugin == name)
    found.slots = _slots(registry, name)
    package = _package(plugin, installed)
    for declaration in override_table(registry).declarations:
        if declaration.level is Level.PLUGIN and declaration.origin.startswith(
                f"plugin {name!r}"):
            found.overrides_made.append(f"{declaration.target} → {declaration.source}")
        if declaration.package == package:
            found.overrides_of_its_files.append(
                f"{declaration.target} → {declaration.source} ({declaration.level.label}: "
                f"{declaration.origin})")
    found.admin_pages = [(p.title, p.route_name) for p in admin_pages(registry)
                         if p.owner == name]
    return found


@dataclass(frozen=True)
class BranchReport:
    current: Sequence[str]
    pending: Sequence[str]
    heads: Sequence[str]
    tables: Sequence[str]


def branch_report(registry: Registry, name: str) -> BranchReport | str | None:
    """The plugin's migration branch in this database: None when it has none,
    a sentence when the database or the revisions cannot be read."""
    from alembic.util import CommandError
    from sqlalchemy.exc import DBAPIError

    from ..store.migrations import owned_tables
    from ..store.schema_check import schema_check

    try:
        status = schema_check(registry).status()
    except (DBAPIError, CommandError) as exc:
        return f"cannot be read: {exc}"
    branches = [s.branch for s in status.branches]
    for branch_status in status.branches:
        if branch_status.branch.name == name:
            try:
                tables = sorted(owned_tables(branch_status.branch, branches))
            except Exception as exc:  # a plugin's models that fail to import name themselves
                tables = [f"(its models cannot be read: {exc})"]
            return BranchReport(branch_status.current, branch_status.pending,
                                branch_status.heads, tables)
    return None


def plugin_page(request: Request) -> dict[str, Any]:
    name = request.matchdict["name"]
    found = report(request.registry, name)
    if found is None:
        raise HTTPNotFound(f"No plugin named {name!r} is installed.")
    return {"plugin": found, "branch": branch_report(request.registry, name)}
