"""The entries of Pyramid's ``PackageOverrides``, read and put in order.

``config.override_asset`` is public; what it builds is not: one
``PackageOverrides`` utility per package, holding a list of override
objects (``path``, ``source`` with ``prefix``, ``get_path`` and, for a
package source, ``pkg_name``) that Pyramid and ``pkg_resources`` consult
first to last.  Podium's precedence (application > setting > plugin > core,
whatever the include order) and ``podium assets`` need to read that list and
reorder it, which no public API offers.  Everything that touches it is here.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from pyramid.interfaces import IPackageOverrides
from pyramid.registry import Registry

DEPENDENCY = "pyramid"
SUPPORTED = ">=2.0,<2.2"


def package_overrides(registry: Registry) -> Iterator[tuple[str, Any]]:
    """``(package, PackageOverrides)`` for every package that has overrides."""
    yield from registry.getUtilitiesFor(IPackageOverrides)


def entries(overrides: Any) -> list[Any]:
    """The override objects of one package, first consulted first."""
    return list(overrides.overrides)


def reorder(overrides: Any, ordered: list[Any]) -> None:
    """Make ``ordered`` (the same objects) the order Pyramid consults."""
    if {id(o) for o in ordered} != {id(o) for o in overrides.overrides}:
        raise ValueError("reorder() takes the same override objects, in another order")
    overrides.overrides[:] = ordered


def entry_key(package: str, override: Any) -> tuple[Any, ...]:
    """What identifies an entry as Pyramid's introspectable of it does:
    (package, source package or None, path, source prefix)."""
    source = override.source
    return (package, getattr(source, "pkg_name", None), override.path, source.prefix)


def matches(registry: Registry, package: str, path: str) -> Iterator[tuple[Any, str | None, str]]:
    """For each entry overriding ``package:path``, first consulted first:
    the entry, the source package (None for a directory on disk) and the
    path the entry maps it to (in that package, or on disk)."""
    overrides = registry.queryUtility(IPackageOverrides, name=package)
    if overrides is None:
        return
    for override in overrides.overrides:
        matched = override(path)
        if matched is None:
            continue
        source, subpath = matched
        yield override, getattr(source, "pkg_name", None), source.get_path(subpath)
