"""The markers a plugin puts on its hook specifications and implementations.

They are pluggy's own markers for the project name ``podium``; Podium adds
two attributes pluggy does not know: a spec's fault policy and an
implementation's ``before``/``after`` hints, read when the manager is built.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, TypeVar

import pluggy

PROJECT = "podium"
FAULTS = ("propagate", "isolate")
#: The attributes the two decorators leave on a function.
FAULT_ATTRIBUTE = "podium_hook_fault"
ORDER_ATTRIBUTE = "podium_hook_order"

F = TypeVar("F", bound=Callable[..., Any])

_spec_marker = pluggy.HookspecMarker(PROJECT)
_impl_marker = pluggy.HookimplMarker(PROJECT)


def hookspec(function: F | None = None, *, firstresult: bool = False,
             fault: str = "propagate") -> Any:
    """Mark a function of a plugin's ``hookspecs`` module as a hook specification.

    ``firstresult``: the call stops at the first implementation that returns
    something other than None, and returns that value. ``fault``:
    ``"propagate"`` (an implementation's exception ends the call) or
    ``"isolate"`` (it is logged with the plugin's name and the call goes on)."""
    if fault not in FAULTS:
        raise ValueError(f"fault={fault!r}: a hook's fault policy is one of {', '.join(FAULTS)}")

    def mark(func: F) -> F:
        marked: F = _spec_marker(func, firstresult=firstresult)
        setattr(marked, FAULT_ATTRIBUTE, fault)
        return marked

    return mark(function) if function is not None else mark


def hookimpl(function: F | None = None, *, wrapper: bool = False, tryfirst: bool = False,
             trylast: bool = False, specname: str | None = None,
             before: Sequence[str] = (), after: Sequence[str] = ()) -> Any:
    """Mark a function of a plugin's ``hookimpls`` module as a hook implementation.

    ``wrapper``, ``tryfirst``, ``trylast`` and ``specname`` are pluggy's;
    ``before``/``after`` name plugins whose implementations of the same hook
    this one runs before or after (ignored for a plugin that is not enabled)."""
    for value, name in ((before, "before"), (after, "after")):
        if isinstance(value, str) or not all(isinstance(v, str) for v in value):
            raise TypeError(f"{name}= is a list of plugin names")

    def mark(func: F) -> F:
        marked: F = _impl_marker(func, wrapper=wrapper, tryfirst=tryfirst, trylast=trylast,
                                 specname=specname)
        setattr(marked, ORDER_ATTRIBUTE, (tuple(before), tuple(after)))
        return marked

    return mark(function) if function is not None else mark
