"""Two places where Podium reads or steers Pyramid's conflict detection.

* :func:`conflicts_of`: Pyramid detects two actions with one discriminator
  but exposes what conflicted only as formatted text; Podium names the plugin
  behind each registration, so it reads the mapping the exception keeps
  (``_conflicts``: discriminator -> the ``ActionInfo`` of each registration).

* :func:`let_outer_actions_win`: Pyramid resolves a conflict in favour of an
  action whose include path is a strict prefix of the others' (the includer
  wins over what it includes).  A host application includes Podium, which
  includes the plugins; but a host registration made in another of its own
  includes (``config.include(".views")``, its ``includeme`` next to
  ``config.include("podium")``) is a *sibling* of Podium's include, not an
  ancestor, and conflicts with the plugin's.  Podium makes the host win there
  too, with Pyramid's own rule: when a host action and a Podium action turn
  out to have one discriminator, the Podium action's include path is put
  under the host's, exactly as if the host had included Podium from there.

  That needs the resolved discriminators, known only during the commit (a
  view's depends on predicates registered by earlier actions), so every
  pending discriminator is wrapped in a :class:`pyramid.registry.Deferred`
  (public) by an action that runs before any other.  What is not public is
  that it works: Pyramid resolves the actions one ``order`` at a time,
  lazily, on the very action dictionaries of ``config.action_state.actions``
  and of the list object it held when the commit started, computing every
  discriminator of an order before it compares their include paths.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Any

from pyramid.config import PHASE0_CONFIG, Configurator
from pyramid.exceptions import ConfigurationConflictError
from pyramid.registry import Deferred

DEPENDENCY = "pyramid"
SUPPORTED = ">=2.0,<2.2"

#: Before every action of Pyramid's phases, so that no discriminator of a
#: later order has been compared yet when the wrapping is done.
FIRST_ORDER = PHASE0_CONFIG - 1

#: Where the include path an action was declared with is kept when it is changed.
DECLARED_PATH = "podium.declared_includepath"


def conflicts_of(error: ConfigurationConflictError) -> dict[Any, list[Any]]:
    """Discriminator -> the ``ActionInfo`` objects that registered it."""
    conflicts = getattr(error, "_conflicts", None)
    if not isinstance(conflicts, dict):
        raise TypeError(f"{DEPENDENCY} no longer keeps the conflicts on "
                        "ConfigurationConflictError._conflicts: see podium.workarounds")
    return {discriminator: list(infos) for discriminator, infos in conflicts.items()}


def declared_includepath(action: dict[str, Any]) -> tuple[str, ...]:
    """The include path an action was declared with, before any change below."""
    path: tuple[str, ...] = action.get(DECLARED_PATH, action.get("includepath", ()))
    return path


def let_outer_actions_win(config: Configurator, is_inner: Callable[[dict[str, Any]], bool]) -> None:
    """At the next commit, resolve every conflict between an *outer* action
    (``is_inner`` false) and inner ones in favour of the outer action.

    Conflicts among outer actions, and among inner ones, are Pyramid's as
    before.  Call it while the actions of the commit are pending."""
    pending = config.action_state.actions

    def wrap_every_discriminator() -> None:
        table: dict[Any, tuple[list[dict[str, Any]], list[dict[str, Any]]]] = {}
        for action in pending:
            discriminator = action.get("discriminator")
            if discriminator is None or (action.get("order") or 0) <= FIRST_ORDER:
                continue
            action["discriminator"] = Deferred(
                partial(_record, table, action, discriminator, is_inner(action)))

    config.action(None, wrap_every_discriminator, order=FIRST_ORDER)


def _record(table: dict[Any, tuple[list[dict[str, Any]], list[dict[str, Any]]]],
            action: dict[str, Any], discriminator: Any, inner: bool) -> Any:
    """Resolve the action's discriminator, and put every inner action that
    shares it under the shortest include path of the outer ones."""
    while isinstance(discriminator, Deferred):
        discriminator = discriminator.resolve()
    outer, inners = table.setdefault(discriminator, ([], []))
    (inners if inner else outer).append(action)
    if outer:
        base = min(declared_includepath(a) for a in outer)
        for loser in inners:
            declared = declared_includepath(loser)
            loser[DECLARED_PATH] = declared
            loser["includepath"] = base + declared
    return discriminator
