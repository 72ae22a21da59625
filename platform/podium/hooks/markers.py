"""The markers a plugin puts on its hook specifications and implementations.

They are pluggy's own markers for the project name ``podium``; Podium adds
attributes pluggy does not know: a spec's fault policy and version, an
implementation's ``before``/``after`` hints and the spec versions it
supports, read when the manager is built.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import Any, TypeVar

import pluggy

PROJECT = "podium"
FAULTS = ("propagate", "isolate")
#: The attributes the two decorators leave on a function.
FAULT_ATTRIBUTE = "podium_hook_fault"
ORDER_ATTRIBUTE = "podium_hook_order"
VERSION_ATTRIBUTE = "podium_hook_version"
VERSIONS_ATTRIBUTE = "podium_hook_versions"

F = TypeVar("F", bound=Callable[..., Any])

_spec_marker = pluggy.HookspecMarker(PROJECT)
_impl_marker = pluggy.HookimplMarker(PROJECT)


def hookspec(function: F | None = None, *, firstresult: bool = False,
             fault: str = "propagate", version: int = 1) -> Any:
    """Mark a function of a plugin's ``hookspecs`` module as a hook specification.

    ``firstresult``: the call stops at the first implementation that returns
    something other than None, and returns that value. ``fault``:
    ``"propagate"`` (an implementation's exception ends the call) or
    ``"isolate"`` (it is logged with the plugin's name and the call goes on).
    ``version``: bumped when the contract changes incompatibly, so that an
    implementation written for another version is refused at start-up."""
    if fault not in FAULTS:
        raise ValueError(f"fault={fault!r}: a hook's fault policy is one of {', '.join(FAULTS)}")
    if isinstance(version, bool) or not isinstance(version, int) or version < 1:
        raise ValueError(f"version={version!r}: a hook's version is a whole number, 1 or more")

    def mark(func: F) -> F:
        marked: F = _spec_marker(func, firstresult=firstresult)
        setattr(marked, FAULT_ATTRIBUTE, fault)
        setattr(marked, VERSION_ATTRIBUTE, version)
        return marked

    return mark(function) if function is not None else mark


def hookimpl(function: F | None = None, *, wrapper: bool = False, tryfirst: bool = False,
             trylast: bool = False, specname: str | None = None,
             before: Sequence[str] = (), after: Sequence[str] = (),
             versions: Iterable[int] | None = None) -> Any:
    """Mark a function of a plugin's ``hookimpls`` module as a hook implementation.

    ``wrapper``, ``tryfirst``, ``trylast`` and ``specname`` are pluggy's;
    ``before``/``after`` name plugins whose implementations of the same hook
    this one runs before or after (ignored for a plugin that is not enabled);
    ``versions``: the versions of the spec this implementation supports (None:
    not stated, any version is accepted)."""
    for value, name in ((before, "before"), (after, "after")):
        if isinstance(value, str) or not all(isinstance(v, str) for v in value):
            raise TypeError(f"{name}= is a list of plugin names")
    supported = None if versions is None else tuple(versions)
    if supported is not None and (not supported or not all(
            isinstance(v, int) and not isinstance(v, bool) and v >= 1 for v in supported)):
        raise TypeError(f"versions={versions!r}: a list of spec versions (whole numbers, "
                        "1 or more), or None")

    def mark(func: F) -> F:
        marked: F = _impl_marker(func, wrapper=wrapper, tryfirst=tryfirst, trylast=trylast,
                                 specname=specname)
        setattr(marked, ORDER_ATTRIBUTE, (tuple(before), tuple(after)))
        setattr(marked, VERSIONS_ATTRIBUTE, supported)
        return marked

    return mark(function) if function is not None else mark
