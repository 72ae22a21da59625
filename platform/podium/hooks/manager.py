"""One pluggy ``PluginManager`` per application, built from the enabled plugins.

Everything is checked here, at start-up: a hook declared twice, a plugin
declaring a name of the core's (``podium_``), an implementation whose
signature differs from its spec or that supports other versions of it, a
cycle of ``before``/``after`` hints.  The core's own specs
(:mod:`podium.hooks.core_specs`) are declared first, by the owner ``podium``.
Implementations of a hook no enabled plugin declares are dormant: kept aside
(``podium hooks`` lists them), never called.

Order.  pluggy calls a hook's implementations last registered first (LIFO);
each hook's are registered in the reverse of the order Podium computes: the
plugin order, then ``before``/``after`` hints.  Where that is the plugin order
(plain implementations, one per plugin), a plugin's implementations of all such
hooks are one registration, the plugins registered in reverse; the others are
registered one by one.  pluggy's own partitions still apply on top: wrappers
around everything, ``tryfirst`` before and ``trylast`` after the rest.
"""

from __future__ import annotations

import functools
import heapq
import importlib
import inspect
import itertools
import logging
import os
import types
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import pluggy

from ..plugins.errors import PluginError
from ..plugins.loader import LoadedPlugin
from .markers import (
    FAULT_ATTRIBUTE,
    ORDER_ATTRIBUTE,
    PROJECT,
    VERSION_ATTRIBUTE,
    VERSIONS_ATTRIBUTE,
)
from .markers import hookimpl as impl_marker
from .markers import hookspec as spec_marker

log = logging.getLogger("podium.hooks")

#: The owner of the core's specs, and the prefix only the core's hooks have.
CORE_OWNER = "podium"
CORE_PREFIX = "podium_"


class HookError(PluginError):
    """A hook problem found at start-up: it names the plugins and the hook."""


@dataclass(frozen=True)
class Spec:
    name: str
    owner: str
    function: Callable[..., Any]
    firstresult: bool
    fault: str
    version: int = 1
    #: The names of its arguments, read once for all its implementations.
    parameters: tuple[str, ...] = ()

    @property
    def where(self) -> str:
        return where(self.function)


@dataclass(frozen=True)
class Impl:
    hook: str
    plugin: str
    attribute: str
    function: Callable[..., Any]
    wrapper: bool
    tryfirst: bool
    trylast: bool
    before: tuple[str, ...]
    after: tuple[str, ...]
    reason: str = ""
    #: The spec versions it supports; None: not stated (any).
    versions: tuple[int, ...] | None = None

    @property
    def where(self) -> str:
        return where(self.function)

    @property
    def registered_name(self) -> str:
        return f"{self.plugin}:{self.attribute}"

    def placed(self, reason: str) -> Impl:
        """This implementation with the reason for its position; built field by
        field, as ``dataclasses.replace`` costs twice as much."""
        return Impl(self.hook, self.plugin, self.attribute, self.function, self.wrapper,
                    self.tryfirst, self.trylast, self.before, self.after, reason,
                    self.versions)


@dataclass
class Hooks:
    """The application's hooks: pluggy's manager and what Podium knows about it."""

    manager: pluggy.PluginManager
    specs: dict[str, Spec] = field(default_factory=dict)
    #: Each hook's implementations in the order pluggy calls them.
    impls: dict[str, list[Impl]] = field(default_factory=dict)
    dormant: list[Impl] = field(default_factory=list)
    #: pluggy's name of each registration -> the plugin whose implementations it holds.
    registered: dict[str, str] = field(default_factory=dict)

    @property
    def relay(self) -> pluggy.HookRelay:
        return self.manager.hook


def where(function: Callable[..., Any]) -> str:
    function = inspect.unwrap(function)
    try:
        path = inspect.getsourcefile(function) or "?"
        line = inspect.getsourcelines(function)[1]
    except (OSError, TypeError):
        return "?"
    return f"{os.path.relpath(path)}:{line}"


def _import(plugin: LoadedPlugin, what: str, dotted: str) -> types.ModuleType:
    if not isinstance(dotted, str):
        raise HookError(f"plugin {plugin.name!r}: {what} must be a module's dotted name")
    try:
        return importlib.import_module(dotted)
    except Exception as exc:
        raise HookError(f"plugin {plugin.name!r}: its {what} module {dotted!r} failed to "
                        f"import: {type(exc).__name__}: {exc}") from exc


def build(plugins: Sequence[LoadedPlugin],
          core_specs: types.ModuleType | None = None) -> Hooks:
    """The manager for ``plugins``, given in the plugin order, with the specs of
    ``core_specs`` (the core's own hooks) declared by ``podium``."""
    hooks = Hooks(pluggy.PluginManager(PROJECT))
    manager = hooks.manager
    if core_specs is not None:
        _add_specs(hooks, CORE_OWNER, core_specs)
    for plugin in plugins:
        dotted = plugin.definition.hookspecs
        if dotted:
            _add_specs(hooks, plugin.name, _import(plugin, "hookspecs", dotted))
    _declare(hooks)
    rank = {plugin.name: i for i, plugin in enumerate(plugins)}
    found: dict[str, list[Impl]] = {name: [] for name in hooks.specs}
    for plugin in plugins:
        dotted = plugin.definition.hookimpls
        if not dotted:
            continue
        module = _import(plugin, "hookimpls", dotted)
        candidates = Namespace(_candidates(module))
        for attribute, function in vars(candidates).items():
            # From the namespace, as pluggy's register will: without the
            # inspect.getattr_static it does on a module.
            opts = manager.parse_hookimpl_opts(candidates, attribute)
            if opts is None:
                continue
            before, after = getattr(function, ORDER_ATTRIBUTE, ((), ()))
            hook = opts.get("specname") or attribute
            wrapper = bool(opts.get("wrapper") or opts.get("hookwrapper"))
            tryfirst, trylast = bool(opts.get("tryfirst")), bool(opts.get("trylast"))
            # The reason without hints, which is the whole reason unless a hint
            # makes an edge (see _order): one Impl per implementation.
            reason = (_placement(plugin.name, wrapper, tryfirst, trylast, rank)
                      if hook in hooks.specs else DORMANT)
            impl = Impl(hook, plugin.name, attribute, function, wrapper, tryfirst, trylast,
                        tuple(before), tuple(after), reason,
                        getattr(function, VERSIONS_ATTRIBUTE, None))
            if impl.hook not in hooks.specs:
                hooks.dormant.append(impl)
                continue
            _check_arguments(hooks.specs[impl.hook], impl)
            found[impl.hook].append(impl)
    ordered = {name: _order(name, impls, rank) for name, impls in found.items()}
    try:
        _register_by_plugin(hooks, plugins, ordered, rank)
    except _Refused:
        # The rare case (pluggy refused something, or ordered otherwise): every
        # implementation on its own again, so the order and errors are the
        # ones that always were.
        hooks.manager = pluggy.PluginManager(PROJECT)
        hooks.registered.clear()
        _declare(hooks)
        for impls in ordered.values():
            for impl in reversed(impls):
                _register(hooks, impl, impl.registered_name)
        _read_back(hooks, ordered, check=set())
    return hooks


class _Refused(Exception):
    """The registration by plugin cannot give the order or error required."""


def _declare(hooks: Hooks) -> None:
    """Every spec of ``hooks`` to its manager, in one module (what pluggy's
    ``add_hookspecs`` takes, with classes): pluggy examines every name
    ``dir()`` lists, a module's own dunders included, once rather than once
    per plugin."""
    if hooks.specs:
        only = types.ModuleType("podium.hooks.specs")
        vars(only).update({name: spec.function for name, spec in hooks.specs.items()})
        hooks.manager.add_hookspecs(only)


def _in_plugin_order(impls: list[Impl], rank: dict[str, int]) -> bool:
    """Whether pluggy gives ``impls`` (in the computed order) this order when
    registered with their plugins in reverse plugin order: plain ones (no
    wrapper, tryfirst or trylast), at most one per plugin, in the plugin order."""
    ranks = [rank[impl.plugin] for impl in impls]
    return (all(a < b for a, b in itertools.pairwise(ranks))
            and not any(impl.wrapper or impl.tryfirst or impl.trylast for impl in impls))


def _register_by_plugin(hooks: Hooks, plugins: Sequence[LoadedPlugin],
                        ordered: dict[str, list[Impl]], rank: dict[str, int]) -> None:
    """One pluggy registration per plugin holding its implementations of the
    hooks whose computed order is the plugin order (pluggy calls the last
    registered first, so the plugins go in reverse); the others' one by one,
    in the reverse of their computed order, as :func:`_register` always did.
    ``register`` is most of the cost of building, and this makes it once per
    plugin instead of once per implementation.  Raises :class:`_Refused` if
    pluggy refuses one or the order read back is not the computed one."""
    together: dict[str, dict[str, Callable[..., Any]]] = {}
    check: set[str] = set()
    try:
        for name, impls in ordered.items():
            if _in_plugin_order(impls, rank):
                check.add(name)
                for impl in impls:
                    functions = together.setdefault(impl.plugin, {})
                    functions[impl.attribute] = _callable(hooks, impl)
            else:
                for impl in reversed(impls):
                    _register(hooks, impl, impl.registered_name)
        for plugin in reversed(plugins):
            if plugin.name in together:
                hooks.manager.register(Namespace(together[plugin.name]), name=plugin.name)
                hooks.registered[plugin.name] = plugin.name
    except (HookError, pluggy.PluginValidationError, ValueError):
        raise _Refused() from None  # the error comes again, in the order it always came
    _read_back(hooks, ordered, check)


def _read_back(hooks: Hooks, ordered: dict[str, list[Impl]], check: set[str]) -> None:
    """Each hook's implementations in the order pluggy calls them; for the hooks
    in ``check`` (registered with their plugins), it must be the computed order."""
    for name, impls in ordered.items():
        by_name = {(impl.plugin if name in check else impl.registered_name): impl
                   for impl in impls}
        called = reversed(getattr(hooks.manager.hook, name).get_hookimpls())
        hooks.impls[name] = [by_name[hookimpl.plugin_name] for hookimpl in called]
        if name in check and hooks.impls[name] != impls:
            raise _Refused()


def _add_specs(hooks: Hooks, owner: str, module: types.ModuleType) -> None:
    manager = hooks.manager
    declared = 0
    for name, function in _candidates(module).items():
        opts = manager.parse_hookspec_opts(module, name)
        if opts is None:
            continue
        if owner != CORE_OWNER and name.startswith(CORE_PREFIX):
            raise HookError(f"plugin {owner!r} declares hook {name!r} ({where(function)}): "
                            f"names starting with {CORE_PREFIX!r} are the core's hooks; "
                            f"prefix a plugin's hooks with its own name")
        if name in hooks.specs:
            first = hooks.specs[name]
            raise HookError(f"hook {name!r} is declared by two plugins: {first.owner!r} "
                            f"({first.where}) and {owner!r} ({where(function)})")
        hooks.specs[name] = Spec(name, owner, function, bool(opts.get("firstresult")),
                                 getattr(function, FAULT_ATTRIBUTE, "propagate"),
                                 getattr(function, VERSION_ATTRIBUTE, 1),
                                 tuple(_parameters(function)))
        declared += 1
    if not declared:
        raise HookError(f"{'the core' if owner == CORE_OWNER else f'plugin {owner!r}'}: its "
                        f"hookspecs module {module.__name__!r} declares no hook (no function "
                        f"marked with podium.api.hookspec)")


#: ``from podium.api import hookspec``: in every hooks module, never a hook.
_MARKERS = (spec_marker, impl_marker)


def _candidates(module: types.ModuleType) -> dict[str, Callable[..., Any]]:
    """The functions of a module that may be hooks, by name (pluggy takes
    nothing else), not its dunders, classes and other imports (asking pluggy
    about each name is what costs)."""
    found = {name: value for name, value in vars(module).items()
             if not name.startswith("__") and inspect.isroutine(value)
             and value not in _MARKERS}
    return dict(sorted(found.items()))  # sorting the few left, not the module


def _parameters(function: Callable[..., Any]) -> list[str]:
    """Its arguments but ``*args`` and ``**kwargs``.  A plain function's are read
    off its code object (its positional, then keyword-only, names), which
    costs a tenth of ``inspect.signature``; anything else (a decorated
    function, a callable object) goes through ``inspect.signature``."""
    if isinstance(function, types.FunctionType) and not hasattr(function, "__wrapped__"):
        code = function.__code__
        return list(code.co_varnames[:code.co_argcount + code.co_kwonlyargcount])
    return [p.name for p in inspect.signature(function).parameters.values()
            if p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD)]


def _owner(spec: Spec) -> str:
    return "the core" if spec.owner == CORE_OWNER else f"plugin {spec.owner!r}"


def _check_arguments(spec: Spec, impl: Impl) -> None:
    """The versions first: an implementation written for another version of the
    spec is refused even when its arguments still fit, as the meaning changed.
    Then the arguments: pluggy refuses a positional argument the spec lacks;
    one with a default, or keyword-only, it would silently never pass:
    refused too (pluggy passes only the arguments an implementation names, so
    taking fewer is fine)."""
    known = spec.parameters
    taken = _parameters(impl.function)
    if (impl.versions is None or spec.version in impl.versions) and all(
            name in known for name in taken):
        return  # the common case, without building the messages' helper

    def arguments() -> str:  # only for an error: reading the source lines is slow
        return (f"the spec takes ({', '.join(known)}) at {spec.where}, the implementation "
                f"({', '.join(taken)}) at {impl.where}")

    if impl.versions is not None and spec.version not in impl.versions:
        supported = ", ".join(map(str, impl.versions))
        raise HookError(
            f"plugin {impl.plugin!r} implements hook {impl.hook!r} of {_owner(spec)} for "
            f"version(s) {supported} of its spec, but the spec is version {spec.version}: "
            f"{arguments()}; update the implementation (and its versions=) or the plugins")
    unknown = [name for name in taken if name not in known]
    if unknown:
        raise HookError(
            f"plugin {impl.plugin!r} implements hook {impl.hook!r} of {_owner(spec)} "
            f"with argument(s) {', '.join(unknown)} that the spec does not have: "
            f"{arguments()}")


def calls_by_plugin(hooks: Hooks, name: str, /,
                    **kwargs: Any) -> list[tuple[str, Callable[[], Any]]]:
    """Each implementation of ``name`` as a call to make, with its plugin's name,
    in calling order: for a caller that must say which plugin returned (or
    raised) what.  Wrappers are left out: they wrap a whole call, and here
    there is none."""
    if name not in hooks.specs:
        return []
    caller = getattr(hooks.manager.hook, name)
    calls: list[tuple[str, Callable[[], Any]]] = []
    for hookimpl in reversed(caller.get_hookimpls()):
        if hookimpl.opts.get("wrapper") or hookimpl.opts.get("hookwrapper"):
            continue
        arguments = [kwargs[arg] for arg in hookimpl.argnames]
        # A name not among the plugins': a test's temporary implementation.
        calls.append((hooks.registered.get(hookimpl.plugin_name, hookimpl.plugin_name),
                      functools.partial(hookimpl.function, *arguments)))
    return calls


def results_by_plugin(hooks: Hooks, name: str, /, **kwargs: Any) -> list[tuple[str, Any]]:
    """Each implementation's result (None included) with its plugin's name, in
    calling order (see :func:`calls_by_plugin`)."""
    return [(plugin, call()) for plugin, call in calls_by_plugin(hooks, name, **kwargs)]


def _callable(hooks: Hooks, impl: Impl) -> Callable[..., Any]:
    """What pluggy is given for ``impl``: under the fault policy ``isolate``
    (not a wrapper, which wraps the whole call), one that logs and goes on."""
    if hooks.specs[impl.hook].fault == "isolate" and not impl.wrapper:
        return _isolated(impl.function, impl.plugin, impl.hook)
    return impl.function


def _register(hooks: Hooks, impl: Impl, name: str) -> None:
    spec = hooks.specs[impl.hook]
    try:
        hooks.manager.register(Namespace({impl.attribute: _callable(hooks, impl)}), name=name)
    except pluggy.PluginValidationError as exc:
        said = "; ".join(line.strip() for line in str(exc).splitlines() if line.strip())
        raise HookError(f"plugin {impl.plugin!r} implements hook {impl.hook!r} of "
                        f"{_owner(spec)} in a way its spec refuses: {said} (spec at "
                        f"{spec.where}, implementation at {impl.where})") from None
    hooks.registered[name] = impl.plugin


class Namespace:
    """Functions as a pluggy plugin (or specs): the plugins' implementations and
    the test kit's temporary ones (:mod:`podium.hooks.temporary`).  ``dir()``
    lists only them: pluggy's ``register`` examines every name ``dir()`` gives,
    and an object's two dozen dunder names made that most of the start-up cost
    of 100 plugins' hooks.  They are the instance's own attributes, which pluggy
    reads from its ``__dict__`` without ``inspect.getattr_static``."""

    def __init__(self, functions: dict[str, Callable[..., Any]]) -> None:
        vars(self).update(functions)

    def __dir__(self) -> list[str]:
        return list(vars(self))


def _isolated(function: Callable[..., Any], plugin: str, hook: str) -> Callable[..., Any]:
    @functools.wraps(function)
    def isolated(*args: Any, **kwargs: Any) -> Any:
        try:
            return function(*args, **kwargs)
        except Exception:
            log.exception("hook %s: the implementation of plugin %r raised; the call goes "
                          "on without it (the hook's fault policy is isolate)", hook, plugin)
            return None

    return isolated


def _ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


DORMANT = "dormant: no enabled plugin declares this hook"


def _placement(plugin: str, wrapper: bool, tryfirst: bool, trylast: bool,
               rank: dict[str, int]) -> str:
    """Why an implementation is where it is, but for ``before``/``after`` hints."""
    parts = []
    if wrapper:
        parts.append("a wrapper: runs around the others")
    if tryfirst:
        parts.append("tryfirst")
    if trylast:
        parts.append("trylast")
    parts.append(f"{plugin} is {_ordinal(rank[plugin] + 1)} in the plugin order")
    return "; ".join(parts)


def _order(hook: str, impls: list[Impl], rank: dict[str, int]) -> list[Impl]:
    """Kahn's sort by plugin order, ``before``/``after`` as edges; each with
    the reason for its position.  ``impls`` come in the plugin order (and a
    plugin's by name), the order the sort gives when there is no edge."""
    plugins = {impl.plugin for impl in impls}
    edges: list[tuple[int, int, str]] = []  # (first, then, why)
    for i, impl in enumerate(impls):
        if not (impl.before or impl.after):
            continue  # no hint, no edge: the common case stays linear
        for j, other in enumerate(impls):
            if i == j:
                continue
            if other.plugin in impl.after and other.plugin in plugins:
                edges.append((j, i, f"{impl.plugin} asks to come after {other.plugin}"))
            if other.plugin in impl.before and other.plugin in plugins:
                edges.append((i, j, f"{impl.plugin} asks to come before {other.plugin}"))
    if not edges:
        return impls
    waiting = dict.fromkeys(range(len(impls)), 0)
    for _, then, _ in edges:
        waiting[then] += 1
    ready = [(rank[impls[i].plugin], i) for i, count in waiting.items() if count == 0]
    heapq.heapify(ready)
    order: list[Impl] = []
    while ready:
        _, i = heapq.heappop(ready)
        impl = impls[i]
        hints = [f"after {impls[first].plugin} ({why})"
                 for first, then, why in edges if then == i]
        order.append(impl.placed("; ".join([impl.reason, *hints])) if hints else impl)
        for first, then, _ in edges:
            if first == i:
                waiting[then] -= 1
                if waiting[then] == 0:
                    heapq.heappush(ready, (rank[impls[then].plugin], then))
    if len(order) < len(impls):
        placed = {impl.registered_name for impl in order}
        left = {i for i, impl in enumerate(impls) if impl.registered_name not in placed}
        names = sorted({impls[i].plugin for i in left})
        why = [why for first, then, why in edges if first in left and then in left]
        raise HookError(f"hook {hook!r}: a cycle of before/after hints between plugins "
                        f"{', '.join(names)}: {'; '.join(why)}")
    return order
