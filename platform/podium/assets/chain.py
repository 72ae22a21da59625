"""Which file is served for an asset spec, and why.

One resolution, used everywhere a file is chosen: the Jinja2 loader (so that
templates follow overrides even outside a request), the content-hash cache
buster (so that a fingerprint is the one of the file actually served), the
``| original`` filter (the next file down the chain) and ``podium assets``.
It walks the same ``PackageOverrides`` list Pyramid's static views and
``pkg_resources`` consult, in the order :mod:`podium.assets.overrides` gave
it, so all of them agree.
"""

from __future__ import annotations

import importlib
import os
from dataclasses import dataclass

from pyramid.registry import Registry

from ..workarounds.pyramid_package_overrides import matches
from .overrides import Declaration, override_table


@dataclass(frozen=True)
class Step:
    """One place looked at while resolving a spec."""

    #: The override that was consulted, or None for the package's own file.
    declaration: Declaration | None
    #: Where the file would be (an asset spec or an absolute path).
    candidate: str
    #: The absolute file name, or None when there is no file there.
    filename: str | None

    @property
    def exists(self) -> bool:
        return self.filename is not None

    def describe(self) -> str:
        what = (f"{self.declaration.level.label} override {self.declaration.target} -> "
                f"{self.declaration.source} ({self.declaration.origin})"
                if self.declaration else "the package's own file")
        found = self.filename if self.filename else "no such file: falls through"
        return f"{what}\n       {self.candidate}: {found}"


@dataclass(frozen=True)
class Resolution:
    """The chain for one spec: every step, highest precedence first."""

    spec: str
    steps: tuple[Step, ...]

    @property
    def files(self) -> list[str]:
        """Existing files only: what ``| original`` walks down."""
        return [s.filename for s in self.steps if s.filename]

    @property
    def served(self) -> str | None:
        files = self.files
        return files[0] if files else None


def _package_roots(package: str) -> list[str]:
    module = importlib.import_module(package)
    paths = getattr(module, "__path__", None)
    if paths:
        return list(paths)
    return [os.path.dirname(module.__file__ or "")]


def own_file(package: str, path: str) -> str | None:
    """The file a package ships, ignoring any override."""
    parts = [p for p in path.split("/") if p]
    for root in _package_roots(package):
        candidate = os.path.join(root, *parts)
        if os.path.exists(candidate):
            return candidate
    return None


def resolve(registry: Registry, spec: str) -> Resolution:
    """Every override that applies to ``spec`` in precedence order, then the
    package's own file; a step whose source has no such file falls through
    to the next (that is how a directory override falls back file by file)."""
    if os.path.isabs(spec):
        return Resolution(spec, (Step(None, spec, spec if os.path.exists(spec) else None),))
    package, _, path = spec.partition(":")
    table = override_table(registry)
    steps: list[Step] = []
    for override, source_package, source_path in matches(registry, package, path):
        if source_package is not None:
            candidate = f"{source_package}:{source_path}"
            filename = own_file(source_package, source_path)
        else:
            candidate = source_path
            filename = candidate if os.path.exists(candidate) else None
        steps.append(Step(table.by_override.get(id(override)), candidate, filename))
    steps.append(Step(None, spec, own_file(package, path)))
    return Resolution(spec, tuple(steps))


def served_file(registry: Registry, spec: str) -> str | None:
    """The absolute file name served for ``spec``, or None."""
    return resolve(registry, spec).served
