"""A hook implementation added to a running app for a while: the test kit's
``podium_hookimpl`` fixture, so that a test needs no plugin distribution to
see what a hook's callers do with a result."""

from __future__ import annotations

import itertools
from collections.abc import Callable
from typing import Any

from pyramid.registry import Registry

from . import hooks_of
from .manager import HookError, Namespace
from .markers import hookimpl

_numbers = itertools.count(1)


def add_temporary_impl(registry: Registry, function: Callable[..., Any], *,
                       hook: str | None = None) -> Callable[[], None]:
    """Make ``function`` an implementation of ``hook`` (default: the function's
    name) in ``registry``'s app, called before the plugins' implementations
    (pluggy calls the last registered first), and return what removes it.

    ``function`` may carry :func:`podium.api.hookimpl`'s options; unmarked, it is
    marked with none. Its arguments are checked against the spec by pluggy."""
    hooks = hooks_of(registry)
    name = hook or function.__name__
    spec = hooks.specs.get(name)
    if spec is None:
        raise HookError(f"no enabled plugin declares hook {name!r}; declared: "
                        f"{', '.join(sorted(hooks.specs)) or 'none'}")
    if hooks.manager.parse_hookimpl_opts(Namespace({name: function}), name) is None:
        function = hookimpl(function)
    registered = f"test:{name}:{next(_numbers)}"
    hooks.manager.register(Namespace({name: function}), name=registered)

    def remove() -> None:
        hooks.manager.unregister(name=registered)

    return remove

