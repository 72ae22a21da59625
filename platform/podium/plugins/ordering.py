"""Requirements between plugins and the order they are included in.

The order is computed, not taken from the ini: a plugin comes after the
plugins it requires and after those its ``after``/``before`` hints name;
wherever that leaves a choice, the ``podium.plugins`` listing order decides,
and nothing else, so the same settings always give the same order.
"""

from __future__ import annotations

import heapq
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from packaging.requirements import InvalidRequirement, Requirement

from .discovery import InstalledPlugin
from .loader import LoadedPlugin


@dataclass(frozen=True)
class Edge:
    before: str
    after: str
    why: str  # "requires", "after", "before"

    def sentence(self) -> str:
        if self.why == "requires":
            return f"{self.after} requires {self.before}"
        if self.why == "after":
            return f"{self.after} asks to come after {self.before}"
        return f"{self.before} asks to come before {self.after}"


def requirement_problems(
    plugins: Mapping[str, LoadedPlugin],
    installed: Mapping[str, InstalledPlugin],
    broken: Mapping[str, str],
) -> dict[str, str]:
    """Plugins whose requirements are not met, with the whole chain of why.

    ``broken`` holds the plugins already refused (failed imports...): a
    plugin requiring one of them is refused too, its reason naming the chain.
    """
    problems: dict[str, str] = {}
    changed = True
    while changed:
        changed = False
        for name, plugin in plugins.items():
            if name in problems:
                continue
            reason = _first_unmet(plugin, plugins, installed, {**broken, **problems})
            if reason:
                problems[name] = reason
                changed = True
    return problems


def _first_unmet(plugin: LoadedPlugin, plugins: Mapping[str, LoadedPlugin],
                 installed: Mapping[str, InstalledPlugin],
                 refused: Mapping[str, str]) -> str | None:
    for text in plugin.definition.requires:
        try:
            requirement = Requirement(text)
        except InvalidRequirement as exc:
            return f"{plugin.name} declares an invalid requirement {text!r}: {exc}"
        dep = requirement.name
        if dep not in installed:
            return f"{plugin.name} requires {text}, which is not installed"
        if dep in refused:
            return f"{plugin.name} requires {dep}; {refused[dep]}"
        if dep not in plugins:
            return (f"{plugin.name} requires {dep}, which is installed but not enabled: "
                    f"add {dep} to podium.plugins")
        have = installed[dep].version
        if requirement.specifier and (
            have is None or not requirement.specifier.contains(have, prereleases=True)
        ):
            return f"{plugin.name} requires {text}, installed {dep} is {have}"
    return None


def edges_between(plugins: Mapping[str, LoadedPlugin]) -> list[Edge]:
    edges = []
    for name, plugin in plugins.items():
        for text in plugin.definition.requires:
            dep = Requirement(text).name
            if dep in plugins:
                edges.append(Edge(dep, name, "requires"))
        for other in plugin.definition.after:
            if other in plugins:
                edges.append(Edge(other, name, "after"))
        for other in plugin.definition.before:
            if other in plugins:
                edges.append(Edge(name, other, "before"))
    return edges


@dataclass(frozen=True)
class Ordering:
    order: list[str]
    reasons: dict[str, str]
    cycles: dict[str, str]  # plugins left out, with the cycle they are in


def compute_order(listing: Sequence[str], plugins: Mapping[str, LoadedPlugin], *,
                  every_installed: bool = False) -> Ordering:
    """Kahn's topological sort, always taking the ready plugin listed first.

    ``every_installed``: the listing is ``podium.plugins = *``, every
    installed plugin by name, which the reasons say rather than a position
    in a list nobody wrote."""
    rank = {name: i for i, name in enumerate(n for n in listing if n in plugins)}
    edges = edges_between(plugins)
    incoming: dict[str, list[Edge]] = {name: [] for name in plugins}
    outgoing: dict[str, list[Edge]] = {name: [] for name in plugins}
    for edge in edges:
        incoming[edge.after].append(edge)
        outgoing[edge.before].append(edge)
    waiting = {name: len(incoming[name]) for name in plugins}
    ready = [(rank[name], name) for name, count in waiting.items() if count == 0]
    heapq.heapify(ready)
    order: list[str] = []
    reasons: dict[str, str] = {}
    while ready:
        _, name = heapq.heappop(ready)
        order.append(name)
        reasons[name] = _reason(rank[name], incoming[name], every_installed)
        for edge in outgoing[name]:
            waiting[edge.after] -= 1
            if waiting[edge.after] == 0:
                heapq.heappush(ready, (rank[edge.after], edge.after))
    left = [name for name in plugins if name not in reasons]
    cycles = {name: _describe_cycle(name, incoming, set(left)) for name in left}
    return Ordering(order, reasons, cycles)


def _reason(rank: int, incoming: list[Edge], every_installed: bool) -> str:
    if every_installed:
        parts = [f"enabled by * ({_ordinal(rank + 1)} by name)"]
    else:
        parts = [f"listed {_ordinal(rank + 1)} in podium.plugins"]
    for edge in incoming:
        parts.append(f"after {edge.before} ({edge.sentence()})")
    return "; ".join(parts)


def _ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def _describe_cycle(start: str, incoming: dict[str, list[Edge]], left: set[str]) -> str:
    """Follow unmet edges backwards from ``start`` until a plugin repeats."""
    path: list[Edge] = []
    seen = {start: 0}
    current = start
    while True:
        edge = next(e for e in incoming[current] if e.before in left)
        path.append(edge)
        current = edge.before
        if current in seen:
            cycle = path[seen[current]:]
            break
        seen[current] = len(path)
    cycle.reverse()
    return "a cycle of requirements and ordering hints: " + ", ".join(
        e.sentence() for e in cycle
    )
