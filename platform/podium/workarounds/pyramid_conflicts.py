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
  too, as if the host had included Podium from where it registered: the
  Podium actions that share a discriminator with a host action are dropped,
  as Pyramid drops the included actions an includer overrides.

  That needs the resolved discriminators, known only during the commit (a
  view's depends on predicates registered by earlier actions), so every
  pending discriminator is wrapped in a :class:`pyramid.registry.Deferred`
  (public) by an action that runs before any other; when Pyramid reaches an
  order, the first wrapper it resolves resolves the whole order's.  What is
  not public is that this works: Pyramid resolves the actions one ``order``
  at a time, lazily, on the very action dictionaries of the list
  ``config.action_state.actions`` held when the commit started, and computes
  every discriminator of an order before it compares them.

  A dropped action gets no discriminator and nothing to do, rather than being
  left to Pyramid's resolution; so does every action Pyramid's own rule
  overrides (one included by the function that registers the same thing):
  Pyramid keeps the actions it overrides among those still to run, and
  resolves them again, out of order, as soon as an action adds another during
  the commit ("Actions were added to order=0 after execution had moved on to
  order=1"), which Podium's navigation does.
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


def conflicts_of(error: ConfigurationConflictError) -> dict[Any, list[Any]]:
    """Discriminator -> the ``ActionInfo`` objects that registered it."""
    conflicts = getattr(error, "_conflicts", None)
    if not isinstance(conflicts, dict):
        raise TypeError(f"{DEPENDENCY} no longer keeps the conflicts on "
                        "ConfigurationConflictError._conflicts: see podium.workarounds")
    return {discriminator: list(infos) for discriminator, infos in conflicts.items()}


def let_outer_actions_win(config: Configurator, is_inner: Callable[[dict[str, Any]], bool]) -> None:
    """At the next commit, resolve every conflict between an *outer* action
    (``is_inner`` false) and inner ones in favour of the outer action, and
    drop beforehand what Pyramid's includer rule overrides.

    Conflicts among outer actions, and among inner ones, are Pyramid's as
    before.  Call it while the actions of the commit are pending."""
    pending = config.action_state.actions

    def wrap_every_discriminator() -> None:
        orders: dict[int, _Order] = {}
        for action in pending:
            discriminator = action.get("discriminator")
            order = action.get("order") or 0
            if discriminator is None or order <= FIRST_ORDER:
                continue
            group = orders.setdefault(order, _Order(is_inner))
            group.members.append((action, discriminator))
            action["discriminator"] = Deferred(partial(group.discriminator_of, action))

    config.action(None, wrap_every_discriminator, order=FIRST_ORDER)


class _Order:
    """The wrapped actions of one order, resolved together once Pyramid
    reaches it, when what their discriminators depend on has run."""

    def __init__(self, is_inner: Callable[[dict[str, Any]], bool]):
        self.is_inner = is_inner
        self.members: list[tuple[dict[str, Any], Any]] = []
        self.resolved: dict[int, Any] | None = None

    def discriminator_of(self, action: dict[str, Any]) -> Any:
        if self.resolved is None:
            self.resolved = self._resolve()
        return self.resolved[id(action)]

    def _resolve(self) -> dict[int, Any]:
        resolved: dict[int, Any] = {}
        sharing: dict[Any, list[dict[str, Any]]] = {}
        for action, discriminator in self.members:
            while isinstance(discriminator, Deferred):
                discriminator = discriminator.resolve()
            resolved[id(action)] = discriminator
            sharing.setdefault(discriminator, []).append(action)
        for actions in sharing.values():
            for loser in self._overridden(actions):
                _drop(loser)
                resolved[id(loser)] = None
        return resolved

    def _overridden(self, actions: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """The actions of one discriminator that lose without a conflict: the
        inner ones when an outer one is there, then, among the others,
        Pyramid's own rule (those whose include path has the shortest one as
        a strict prefix, the others being left to Pyramid to report)."""
        if len(actions) < 2:
            return []
        outer = [a for a in actions if not self.is_inner(a)]
        losers = [a for a in actions if self.is_inner(a)] if outer else []
        rest = outer or actions  # sorted() is stable: declaration order breaks ties
        ordered = sorted(rest, key=lambda a: tuple(a.get("includepath", ())))
        base = tuple(ordered[0].get("includepath", ()))
        for action in ordered[1:]:
            path = tuple(action.get("includepath", ()))
            if path[:len(base)] == base and path != base:
                losers.append(action)
        return losers


def _drop(action: dict[str, Any]) -> None:
    """What Pyramid does to an overridden action, done before it sees it."""
    action["callable"] = None
    action["introspectables"] = ()
