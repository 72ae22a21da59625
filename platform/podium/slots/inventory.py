"""Which templates in effect render which slot, and the contributions no
template renders (slot loss: an override that drops a slot drops every
contribution to it, without a sound).

Templates are read, never rendered: each template of the core's and every
enabled plugin's ``templates`` directory is resolved through the asset
overrides and parsed with Jinja2's ``Environment.parse``; a slot is a call
``slot("a.name", ...)`` with a constant first argument (a computed name
cannot be known before a request, and is counted apart).  An override that
extends what it replaces (``"SPEC" | original``) keeps the slots of the
blocks it does not replace, or replaces with a call to ``super()``.
"""

from __future__ import annotations

import importlib
import os
from collections.abc import Iterator
from dataclasses import dataclass, field

from jinja2 import Environment, nodes
from pyramid.registry import Registry
from pyramid_jinja2 import IJinja2Environment

from ..assets.chain import Resolution, own_file, resolve
from ..assets.overrides import Declaration
from ..plugins.plugin_set import REGISTRY_KEY as PLUGINS_KEY
from ..plugins.plugin_set import PluginSet
from .registry import SlotContent, slot_table

TEMPLATE_SUFFIXES = (".jinja2", ".jinja", ".html")


@dataclass(frozen=True)
class SlotCall:
    """A ``slot()`` call in a file: its name (None when computed), its line,
    and the blocks around it, outermost first."""

    name: str | None
    line: int
    blocks: tuple[str, ...]


@dataclass(frozen=True)
class Rendering:
    """A template in effect that renders a slot."""

    spec: str
    #: The file it was found in: the served one, or one it extends.
    file: str
    line: int

    @property
    def where(self) -> str:
        return f"{os.path.relpath(self.file)}:{self.line}"


@dataclass(frozen=True)
class Replaced:
    """A template whose own file renders a slot and whose override does not."""

    spec: str
    declaration: Declaration | None
    served: str


@dataclass(frozen=True)
class Lost:
    """A contribution to a slot that no template in effect renders."""

    content: SlotContent
    replaced: tuple[Replaced, ...]

    def describe(self) -> str:
        c = self.content
        said = (f"slot {c.slot}: plugin {c.plugin}'s contribution ({c.where}) is never "
                "rendered: no template in effect renders the slot")
        for r in self.replaced:
            override = r.declaration.describe() if r.declaration else r.served
            said += f"; override {override} replaced {r.spec}, which did"
        return said


@dataclass
class Inventory:
    #: Slot name to the templates in effect that render it, by spec.
    rendered: dict[str, list[Rendering]] = field(default_factory=dict)
    #: Slot calls whose name is computed: (spec, file:line).
    computed: list[tuple[str, str]] = field(default_factory=list)
    #: Every contribution, by slot, in render order.
    contents: dict[str, tuple[SlotContent, ...]] = field(default_factory=dict)
    lost: list[Lost] = field(default_factory=list)


def slot_calls(environment: Environment, source: str, filename: str) -> list[SlotCall]:
    """Every ``slot()`` call of a template's source."""
    found: list[SlotCall] = []

    def walk(node: nodes.Node, blocks: tuple[str, ...]) -> None:
        if isinstance(node, nodes.Block):
            blocks = (*blocks, node.name)
        if (isinstance(node, nodes.Call) and isinstance(node.node, nodes.Name)
                and node.node.name == "slot"):
            first = node.args[0] if node.args else None
            name = first.value if (isinstance(first, nodes.Const)
                                   and isinstance(first.value, str)) else None
            found.append(SlotCall(name, node.lineno, blocks))
        for child in node.iter_child_nodes():
            walk(child, blocks)

    walk(environment.parse(source, filename=filename), ())
    return found


def _read(path: str) -> str:
    with open(path, encoding="utf-8") as f:
        return f.read()


def _extends_original(tree: nodes.Template, spec: str) -> bool:
    for extends in tree.find_all(nodes.Extends):
        template = extends.template
        if (isinstance(template, nodes.Filter) and template.name == "original"
                and isinstance(template.node, nodes.Const) and template.node.value == spec):
            return True
    return False


def _replaced_blocks(tree: nodes.Template) -> set[str]:
    """The blocks a child template replaces without calling ``super()``."""
    replaced = set()
    for block in tree.find_all(nodes.Block):
        calls_super = any(isinstance(call.node, nodes.Name) and call.node.name == "super"
                          for call in block.find_all(nodes.Call))
        if not calls_super:
            replaced.add(block.name)
    return replaced


def effective_calls(environment: Environment, spec: str, files: list[str],
                    index: int = 0) -> list[tuple[str, SlotCall]]:
    """The calls ``files[index]`` renders, with the file each is in: an
    override extending ``spec | original`` adds what it keeps of the next file."""
    path = files[index]
    source = _read(path)
    calls = [(path, call) for call in slot_calls(environment, source, path)]
    if index + 1 < len(files):
        tree = environment.parse(source, filename=path)
        if _extends_original(tree, spec):
            replaced = _replaced_blocks(tree)
            kept = [(file, call) for file, call in effective_calls(environment, spec, files,
                                                                    index + 1)
                    if call.blocks and not replaced.intersection(call.blocks)]
            # Outside any block, an extending template's own calls never render.
            calls = [(file, call) for file, call in calls if call.blocks] + kept
    return calls


def _template_packages(registry: Registry) -> list[str]:
    """The core and each enabled plugin's package, in the plugin order."""
    packages = ["podium"]
    plugins: PluginSet | None = registry.get(PLUGINS_KEY)
    for plugin in plugins.enabled if plugins is not None else ():
        module_name = plugin.include_spec.split(":")[0]
        if not module_name:
            continue
        module = importlib.import_module(module_name)
        package = module_name if hasattr(module, "__path__") else module_name.rpartition(".")[0]
        if package and package not in packages:
            packages.append(package)
    return packages


def template_specs(registry: Registry) -> Iterator[str]:
    """The specs of the templates the core and the enabled plugins ship."""
    for package in _template_packages(registry):
        root = own_file(package, "templates")
        if root is None or not os.path.isdir(root):
            continue
        for directory, dirs, files in os.walk(root):
            dirs.sort()
            for name in sorted(files):
                if name.endswith(TEMPLATE_SUFFIXES):
                    relative = os.path.relpath(os.path.join(directory, name), root)
                    yield f"{package}:templates/{relative.replace(os.sep, '/')}"


def jinja2_environment(registry: Registry) -> Environment:
    found = registry.queryUtility(IJinja2Environment, name=".jinja2")
    return found if isinstance(found, Environment) else Environment()


def _served_declaration(resolution: Resolution) -> Declaration | None:
    served = resolution.served
    return next((s.declaration for s in resolution.steps if s.filename == served), None)


def inventory(registry: Registry) -> Inventory:
    """Every slot of the templates in effect, its contributions, and the
    contributions that are lost, from a committed application's registry."""
    environment = jinja2_environment(registry)
    found = Inventory(contents=dict(sorted(slot_table(registry).items())))
    #: slot -> the templates whose own file has it and whose override does not.
    dropped: dict[str, list[Replaced]] = {}
    for spec in template_specs(registry):
        resolution = resolve(registry, spec)
        files = resolution.files
        if not files:
            continue
        effective = effective_calls(environment, spec, files)
        names = set()
        for path, call in effective:
            if call.name is None:
                found.computed.append((spec, f"{os.path.relpath(path)}:{call.line}"))
                continue
            names.add(call.name)
            found.rendered.setdefault(call.name, []).append(Rendering(spec, path, call.line))
        own = resolution.steps[-1].filename  # the package's own file
        if own is not None and own != files[0]:
            for call in slot_calls(environment, _read(own), own):
                if call.name is not None and call.name not in names:
                    dropped.setdefault(call.name, []).append(
                        Replaced(spec, _served_declaration(resolution), files[0]))
    found.rendered = dict(sorted(found.rendered.items()))
    for slot, contents in found.contents.items():
        if slot in found.rendered:
            continue
        replaced = tuple(dict.fromkeys(dropped.get(slot, ())))
        found.lost.extend(Lost(content, replaced) for content in contents)
    return found


def lost_contributions(registry: Registry) -> list[str]:
    """One line per contribution no template in effect renders (``podium check``)."""
    return [lost.describe() for lost in inventory(registry).lost]
