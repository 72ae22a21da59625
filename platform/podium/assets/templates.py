"""Templates that follow overrides, and ``| original`` to extend what you override.

pyramid_jinja2's loader already reads templates by asset spec through
``pkg_resources`` (and so through Pyramid's overrides) but only while a
registry is pushed on Pyramid's thread locals.  Podium's loader resolves
specs with :func:`podium.assets.chain.resolve` against the registry of the
application it belongs to, so ``render()`` under ``bootstrap``, in a CLI
command or in a thread of one's own picks the same file as a request.

**Extend what you override.**  An override usually wants to change one block
of the template it replaces, not copy it whole::

    {# mysite:templates/notes_list.jinja2, overriding podium_notes:templates/list.jinja2 #}
    {% extends "podium_notes:templates/list.jinja2" | original %}
    {% block title %}Memos{% endblock %}

``"SPEC" | original`` names the template that SPEC would be without the
template that says it: the next file down SPEC's override chain (another
override of a lower level, or finally the package's own file).  So an
application can extend a theme plugin's override, which extends the core
file, each changing only its blocks.  Used in a template that is not an
override of SPEC, it names the package's own file.  It works with
``extends``, ``include``, ``import`` and ``from ... import``.

Internally the filter returns a marker that :meth:`join_path` turns into the
name ``original[N]:SPEC`` (the N-th existing file of the chain), which the
loader reads; the name shows in error messages.
"""

from __future__ import annotations

import os
import re
import types
from typing import Any

from jinja2 import Environment, TemplateNotFound
from pyramid.config import Configurator
from pyramid.registry import Registry
from pyramid_jinja2 import EXTRAS_CONFIG_PHASE, PARENT_RELATIVE_DELIM

from ..workarounds.pyramid_jinja2_loader import ServedFileLoader, read_source
from .chain import resolve

_ORIGINAL = re.compile(r"^original\[(\d+)\]:(.+)$")


class OriginalOf(str):
    """What ``"SPEC" | original`` evaluates to: SPEC, marked."""


def original(spec: str) -> OriginalOf:
    """The ``original`` Jinja2 filter (see the module documentation)."""
    if ":" not in spec or os.path.isabs(spec):
        raise TemplateNotFound(
            spec, f"{spec!r} | original: give the asset spec of the template you override "
                  "(package:path), e.g. \"podium:templates/layout.jinja2\" | original")
    return OriginalOf(spec)


def original_name(spec: str, parent: str | None, registry: Registry) -> str:
    """The loader name of the file below ``parent`` in ``spec``'s chain."""
    parent = (parent or "").split(PARENT_RELATIVE_DELIM)[0]
    match = _ORIGINAL.match(parent)
    if parent == spec:
        index = 1
    elif match and match.group(2) == spec:
        index = int(match.group(1)) + 1
    else:
        index = max(len(resolve(registry, spec).files) - 1, 0)
    return f"original[{index}]:{spec}"


class PodiumTemplateLoader(ServedFileLoader):
    """pyramid_jinja2's loader, resolving specs against one registry, and
    reading ``original[N]:SPEC`` names."""

    def __init__(self, registry: Registry, searchpath: list[str], encoding: str = "utf-8",
                 debug: bool = False):
        super().__init__(self.served, searchpath, encoding, debug)
        self.registry = registry

    def served(self, spec: str) -> str | None:
        return resolve(self.registry, spec).served

    def get_source(self, environment: Environment, template: str) -> Any:
        name, *parents = template.split(PARENT_RELATIVE_DELIM)
        match = _ORIGINAL.match(name)
        if match:
            index, spec = int(match.group(1)), match.group(2)
            files = resolve(self.registry, spec).files
            if index >= len(files):
                raise TemplateNotFound(
                    template, f"{spec} | original: there is no template below "
                    f"{'the package' + chr(39) + 's own file' if files else 'it'}; "
                    f"| original is for a template that overrides {spec}")
            return read_source(files[index], self.encoding)
        if parents:
            # A name relative to an "original[N]:SPEC" template is relative to SPEC.
            cleaned = [(_ORIGINAL.sub(r"\2", p)) for p in parents]
            template = PARENT_RELATIVE_DELIM.join([name, *cleaned])
        return super().get_source(environment, template)


def install(environment: Environment, registry: Registry) -> None:
    """Put Podium's loader and the ``original`` filter into pyramid_jinja2's
    environment, keeping its search path and its relative-name handling."""
    old = environment.loader
    environment.loader = PodiumTemplateLoader(
        registry, list(getattr(old, "searchpath", [])), getattr(old, "encoding", "utf-8"),
        getattr(old, "debug", False))
    environment.filters["original"] = original
    base_join_path = environment.join_path

    def join_path(self: Environment, template: str, parent: str) -> str:
        if isinstance(template, OriginalOf):
            return original_name(str(template), parent, registry)
        return base_join_path(template, parent)

    # Per instance: this environment belongs to this application only.
    environment.join_path = types.MethodType(join_path, environment)  # type: ignore[method-assign]


def includeme(config: Configurator) -> None:
    def setup() -> None:
        environment = config.get_jinja2_environment()
        if environment is not None:
            install(environment, config.registry)

    # After pyramid_jinja2 built the environment and added its search paths.
    config.action(("podium", "template loader"), setup, order=EXTRAS_CONFIG_PHASE + 1)
