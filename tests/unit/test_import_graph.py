"""The core's modules import each other without a cycle.

Imports inside functions count too: a cycle held apart by a late import is
still a cycle, and makes the order modules are loaded in matter.  Imports
under ``if TYPE_CHECKING:`` are for the type checker alone and do not."""

from __future__ import annotations

import ast
from pathlib import Path

import podium

ROOT = Path(podium.__file__).parent


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _runtime_nodes(tree: ast.AST) -> list[ast.AST]:
    """Every node but those under ``if TYPE_CHECKING:``."""
    found: list[ast.AST] = []
    todo = [tree]
    while todo:
        node = todo.pop()
        found.append(node)
        if isinstance(node, ast.If) and ast.unparse(node.test).endswith("TYPE_CHECKING"):
            todo.extend(node.orelse)
            continue
        todo.extend(ast.iter_child_nodes(node))
    return found


def imports_of(path: Path, name: str, known: set[str]) -> set[str]:
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: set[str] = set()
    for node in _runtime_nodes(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
                target = f"{base}.{node.module}" if node.module else base
            else:
                target = node.module or ""
            candidates = [target] + [f"{target}.{alias.name}" for alias in node.names]
        elif isinstance(node, ast.Import):
            candidates = [alias.name for alias in node.names]
        else:
            continue
        found.update(c for c in candidates if c in known)
    return found - {name}


def graph() -> dict[str, set[str]]:
    paths = {module_name(p): p for p in ROOT.rglob("*.py") if "scaffold" not in p.parts}
    known = set(paths)
    edges = {name: imports_of(path, name, known) for name, path in paths.items()}
    # Importing a module imports its packages first.
    for name in list(edges):
        parent = name.rpartition(".")[0]
        if parent in edges and name != parent:
            edges[name].add(parent)
    return edges


def find_cycle(edges: dict[str, set[str]]) -> list[str] | None:
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        stack.append(node)
        for nxt in sorted(edges[node]):
            if state.get(nxt) == 1:
                return [*stack[stack.index(nxt):], nxt]
            if nxt not in state and (cycle := visit(nxt)):
                return cycle
        stack.pop()
        state[node] = 2
        return None

    for node in sorted(edges):
        if node not in state and (cycle := visit(node)):
            return cycle
    return None


def test_the_graph_is_read() -> None:
    edges = graph()
    assert "podium.settings.types" in edges["podium.plugins.definition"]
    # An import inside a function (the CLI reads the migrations late) is an edge too.
    assert "podium.store.migrations" in edges["podium.cli.check"]
    # One under TYPE_CHECKING is not.
    assert "podium.plugins.discovery" not in edges["podium.plugins.errors"]


def test_no_cycle_between_core_modules() -> None:
    edges = graph()
    # A package importing its own submodules is how packages work, not a cycle.
    for name in edges:
        edges[name] = {t for t in edges[name] if not t.startswith(name + ".")}
    cycle = find_cycle(edges)
    assert cycle is None, "import cycle: " + " -> ".join(cycle or [])


def test_the_cycle_finder_finds_one() -> None:
    assert find_cycle({"a": {"b"}, "b": {"a"}}) == ["a", "b", "a"]
