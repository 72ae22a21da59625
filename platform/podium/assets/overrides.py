"""Asset overrides with a defined precedence, provenance and no silent ties.

Pyramid's ``config.override_asset`` stays the mechanism (its
``PackageOverrides`` serve templates, static files and anything read through
``pkg_resources``), but on its own the last registration silently wins and
nobody can tell who overrode what.  Podium adds three things on top:

* **levels**: every override is attributed to the application (code outside
  Podium and its plugins), the ``podium.asset_overrides`` setting, a plugin,
  or the core; higher levels win whatever the order of the calls, and within
  one level the override declared last wins, as in plain Pyramid;
* **duplicates**: two overrides of the same target at the same level stop
  start-up with an :class:`AssetOverrideError` naming both;
* **provenance**: each override keeps where it came from (plugin and line,
  ini entry, file and line of the application), for ``podium assets`` and
  for the ``podium asset overrides`` introspection category.

How: overrides declared inside Podium's own include tree (core, setting,
plugins) are tagged from the pending actions' include paths at the end of
``config.include('podium')``; anything registered later is the
application's.  One action, run right after Pyramid's override actions,
re-orders each package's override list by precedence.
"""

from __future__ import annotations

import enum
import importlib
import os
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from pyramid.config import Configurator
from pyramid.exceptions import ConfigurationError
from pyramid.interfaces import PHASE1_CONFIG
from pyramid.registry import Introspectable, Registry

from ..plugins.plugin_set import REGISTRY_KEY as PLUGINS_KEY
from ..settings.core import OverrideLine, parse_asset_overrides
from ..settings.types import SettingsError
from ..workarounds.pyramid_package_overrides import (
    entries as override_entries,
)
from ..workarounds.pyramid_package_overrides import (
    entry_key,
    package_overrides,
    reorder,
)

SETTING = "podium.asset_overrides"
#: Pyramid's own introspection category for ``override_asset``.
PYRAMID_CATEGORY = "asset overrides"
#: Podium's category: every override with its level, origin and rank.
CATEGORY = "podium asset overrides"
REGISTRY_KEY = "podium.asset_overrides"
CORE_INCLUDE = "podium:includeme"

_LEVEL = "podium.level"
_ORIGIN = "podium.origin"


class Level(enum.IntEnum):
    """Who declared an override; a higher level wins."""

    CORE = 0
    PLUGIN = 1
    SETTING = 2
    APPLICATION = 3

    @property
    def label(self) -> str:
        return {0: "core", 1: "plugin", 2: "setting", 3: "application"}[self.value]


class AssetOverrideError(ConfigurationError):
    """An override that cannot be applied, or two that tie at one level.

    ``problems`` says the same as the message, one line per override, for
    reports that list problems (``podium check``)."""

    def __init__(self, message: str, problems: Sequence[str] = ()):
        super().__init__(message)
        self.problems = tuple(problems) or (" ".join(message.split()),)


@dataclass(frozen=True)
class Declaration:
    """One override in effect, with who declared it and where."""

    target: str
    source: str
    level: Level
    origin: str
    sequence: int
    #: Pyramid's discriminator: (package, source package, path, source prefix).
    key: tuple[Any, ...] = field(compare=False)

    @property
    def package(self) -> str:
        return str(self.key[0])

    @property
    def path(self) -> str:
        return str(self.key[2])

    def describe(self) -> str:
        return f"{self.target} -> {self.source} ({self.level.label}: {self.origin})"


@dataclass
class OverrideTable:
    """Every override of the application, highest precedence first."""

    declarations: tuple[Declaration, ...] = ()
    #: id() of a Pyramid override object (FileOverride/DirectoryOverride) ->
    #: the declaration that made it, so a resolution can say who is who.
    by_override: dict[int, Declaration] = field(default_factory=dict)

    def for_package(self, package: str) -> list[Declaration]:
        return [d for d in self.declarations if d.package == package]


def override_table(registry: Registry) -> OverrideTable:
    """The overrides of a committed application (empty when there are none)."""
    return registry.get(REGISTRY_KEY) or OverrideTable()


def _where(info: Any) -> str:
    if info is None or not getattr(info, "file", None):
        return "unknown location"
    try:
        path = os.path.relpath(info.file)
    except ValueError:  # another drive, on Windows
        path = info.file
    if path.startswith(".." + os.sep + ".."):
        path = info.file
    return f"{path}:{info.line}"


def _normalize_spec(spec: str) -> str:
    """Compare targets the way Pyramid applies them: ``pkg`` is ``pkg:``."""
    return spec if ":" in spec or os.path.isabs(spec) else spec + ":"


def _is_directory(spec: str) -> bool:
    if os.path.isabs(spec):
        return os.path.isdir(spec)
    package, _, path = spec.partition(":")
    try:
        module = importlib.import_module(package)
    except ImportError as exc:
        raise AssetOverrideError(f"no package {package!r} for {spec!r}: {exc}") from exc
    roots = list(getattr(module, "__path__", None) or [os.path.dirname(module.__file__ or "")])
    return any(os.path.isdir(os.path.join(root, *path.split("/"))) for root in roots)


def _as_pyramid_pair(line: OverrideLine) -> tuple[str, str]:
    """Add the trailing slashes Pyramid wants on directories, so that the
    ini reads naturally (``podium:static = mysite:static``)."""
    target, source = line.target, line.source
    if not target.endswith(("/", ":")) and _is_directory(target):
        target += "/"
    if target.endswith(("/", ":")) and not source.endswith(("/", ":")) and _is_directory(source):
        source += "/"
    return target, source


def missing_source(source: str) -> str | None:
    """Why an override's source cannot serve anything, or None when it can.

    Pyramid would accept it and silently serve the original instead; the
    files are looked up in the source package itself, as they are shipped."""
    directory = source.endswith(("/", ":"))
    if os.path.isabs(source):
        candidates = [source]
    else:
        package, _, path = source.partition(":")
        try:
            module = importlib.import_module(package)
        except ImportError:
            return f"no package {package!r} is installed"
        roots = list(getattr(module, "__path__", None)
                     or [os.path.dirname(module.__file__ or "")])
        candidates = [os.path.join(root, *path.split("/")) for root in roots]
    candidates = [c.rstrip("/") or c for c in candidates]  # a file with a slash "does not exist"
    if not any(os.path.exists(c) for c in candidates):
        return f"{source} does not exist"
    if directory and not any(os.path.isdir(c) for c in candidates):
        return f"{source} is not a directory"
    return None


def _check_source_exists(line: OverrideLine, source: str) -> None:
    problem = missing_source(source)
    if problem:
        raise SettingsError(SETTING, str(line), f"entry {line.number}: {problem}")


def declare_setting_overrides(config: Configurator, lines: Sequence[OverrideLine]) -> None:
    """Turn each entry of the setting into a Pyramid override, tagged as such."""
    for line in lines:
        try:
            target, source = _as_pyramid_pair(line)
        except AssetOverrideError as exc:
            raise SettingsError(SETTING, str(line), f"entry {line.number}: {exc}") from None
        _check_source_exists(line, source)
        actions = config.action_state.actions
        before = len(actions)
        try:
            config.override_asset(target, source)
        except ConfigurationError as exc:
            raise SettingsError(SETTING, str(line), f"entry {line.number}: {exc}") from None
        for action in actions[before:]:
            for intr in action.get("introspectables", ()):
                if intr.category_name == PYRAMID_CATEGORY:
                    intr[_LEVEL] = Level.SETTING
                    intr[_ORIGIN] = f"{SETTING} entry {line.number} ({line})"


def _owner(includepath: Sequence[str], plugins: dict[str, Any]) -> tuple[Level, str]:
    for spec in reversed(includepath):
        plugin = plugins.get(spec)
        if plugin is not None:
            return Level.PLUGIN, (f"plugin {plugin.name!r} "
                                  f"({plugin.distribution or '?'} {plugin.version or '?'})")
    if CORE_INCLUDE in includepath:
        return Level.CORE, "podium"
    return Level.APPLICATION, "application"


def _pending_overrides(config: Configurator) -> Iterator[tuple[dict[str, Any], Introspectable]]:
    for action in config.action_state.actions:
        for intr in action.get("introspectables", ()):
            if intr.category_name == PYRAMID_CATEGORY:
                yield action, intr


def tag_pending_overrides(config: Configurator, plugins: dict[str, Any]) -> None:
    """Give every override declared so far its level and origin.

    Must run at the end of Podium's include: the include paths of pending
    actions say which plugin (or the core, or the application before it
    included Podium) called ``override_asset``.  Ties between plugins, in
    the setting and in the core are reported here, before anything runs."""
    tagged: list[Declaration] = []
    for sequence, (action, intr) in enumerate(_pending_overrides(config)):
        if _LEVEL not in intr:
            level, who = _owner(action.get("includepath", ()), plugins)
            intr[_LEVEL] = level
            intr[_ORIGIN] = f"{who} at {_where(action.get('info'))}"
        tagged.append(_declaration(intr, sequence))
    # The application's overrides are checked once they are all known, at commit.
    inside = [d for d in tagged if d.level is not Level.APPLICATION]
    check_duplicates(inside)
    check_sources(inside)


def _declaration(intr: Introspectable, sequence: int) -> Declaration:
    level = intr.get(_LEVEL, Level.APPLICATION)
    origin = intr.get(_ORIGIN) or f"application at {_where(getattr(intr, 'action_info', None))}"
    return Declaration(
        target=intr["to_override"],
        source=intr["override_with"],
        level=Level(level),
        origin=origin,
        sequence=sequence,
        key=tuple(intr.discriminator),
    )


def check_duplicates(declarations: Iterable[Declaration]) -> None:
    """Two overrides of one target at one level: which should win is
    nobody's guess, so say so instead of letting registration order decide."""
    seen: dict[tuple[Level, str], Declaration] = {}
    pairs = []
    for declaration in declarations:
        slot = (declaration.level, _normalize_spec(declaration.target))
        first = seen.setdefault(slot, declaration)
        if first is not declaration:
            pairs.append((first, declaration))
    if pairs:
        raise AssetOverrideError(
            "conflicting asset overrides (remove one of each pair, or move one to a "
            "higher level: application code > podium.asset_overrides > plugins > core):\n"
            + "\n".join(f"  {second.target} is overridden twice at the {second.level.label} "
                        f"level:\n    by {first.origin} with {first.source}\n"
                        f"    and by {second.origin} with {second.source}"
                        for first, second in pairs),
            [f"{second.target} is overridden twice at the {second.level.label} level: "
             f"by {first.origin} with {first.source} and by {second.origin} with "
             f"{second.source} (remove one, or move one to a higher level)"
             for first, second in pairs],
        )


def check_sources(declarations: Iterable[Declaration]) -> None:
    """An override whose source does not exist: Pyramid would start and serve
    the original, and the site would look right until someone noticed."""
    problems = []
    for declaration in declarations:
        why = missing_source(declaration.source)
        if why:
            problems.append(f"the asset override {declaration.target} -> {declaration.source} "
                            f"by {declaration.origin}: {why}")
    if problems:
        raise AssetOverrideError(
            "asset overrides that would serve nothing (fix the source or remove the "
            "override):\n" + "\n".join(f"  {p}" for p in problems),
            problems,
        )


def apply_precedence(registry: Registry) -> OverrideTable:
    """Re-order each package's overrides by level, then declared order.

    Runs once, after Pyramid's override actions have filled the
    ``PackageOverrides`` utilities; consults them in list order, so the first
    element must be the winner."""
    introspector = registry.introspector
    entries = introspector.get_category(PYRAMID_CATEGORY) or []
    declarations = [_declaration(e["introspectable"], n) for n, e in enumerate(entries)]
    check_duplicates(declarations)
    check_sources(d for d in declarations if d.level is Level.APPLICATION)
    ordered = sorted(declarations, key=lambda d: (d.level, d.sequence), reverse=True)
    table = OverrideTable(tuple(ordered))
    for package, overrides in package_overrides(registry):
        pool: dict[tuple[Any, ...], list[Any]] = defaultdict(list)
        for override in reversed(override_entries(overrides)):  # back to declaration order
            pool[entry_key(package, override)].append(override)
        placed = []
        for declaration in table.for_package(package):
            candidates = pool.get(declaration.key)
            if candidates:
                override = candidates.pop(0)
                table.by_override[id(override)] = declaration
                placed.append(override)
        # Overrides nobody declared through override_asset (introspection
        # off, or a direct PackageOverrides.insert) keep Pyramid's order, first.
        unknown = [o for o in override_entries(overrides) if id(o) not in table.by_override]
        reorder(overrides, unknown + placed)
    registry[REGISTRY_KEY] = table
    for rank, declaration in enumerate(ordered, start=1):
        intr = Introspectable(CATEGORY, (declaration.level.label, declaration.sequence),
                              declaration.describe(), "asset override")
        intr.update(target=declaration.target, source=declaration.source,
                    level=declaration.level.label, origin=declaration.origin, rank=rank)
        intr.relate(PYRAMID_CATEGORY, declaration.key)
        intr.register(introspector, None)
    return table


def includeme(config: Configurator) -> None:
    """Declare the setting's overrides and tag everything pending.

    Included last in Podium's boot (after the plugins), so that every
    override made inside Podium's include tree is already pending."""
    settings = config.get_settings()
    lines = parse_asset_overrides(SETTING, settings.get(SETTING))
    declare_setting_overrides(config, lines)
    plugin_set = config.registry.get(PLUGINS_KEY)
    plugins = plugin_set.by_include_spec() if plugin_set is not None else {}
    tag_pending_overrides(config, plugins)
    config.action(
        ("podium", "asset override precedence"),
        apply_precedence,
        args=(config.registry,),
        # Right after Pyramid's override actions (PHASE1_CONFIG), before views
        # and renderers that might read an asset.
        order=PHASE1_CONFIG + 1,
    )
