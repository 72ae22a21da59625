"""The documentation says what the code has: the layout's blocks and markup
hooks, ``podium.api``'s names and their arguments.

Each list lives in one place (the layout's blocks in docs/plugins.md, the
classes in docs/overrides.md, the names in docs/api.md and the promise of
docs/plugins.md) and is compared here with the code: templates are parsed
with Jinja2's public API, names and signatures read with ``inspect``.
"""

from __future__ import annotations

import inspect
import re
from pathlib import Path

import jinja2
import jinja2.nodes
import pytest

import podium
import podium.api
from podium.admin.navigation import add_admin_page
from podium.security.headers import add_content_security_policy_source
from podium.web.layout import add_page_asset, add_podium_nav

ROOT = Path(__file__).resolve().parents[2]
DOCS = ROOT / "docs"
TEMPLATES = Path(podium.__file__).parent / "templates"
CODE = re.compile(r"`([^`]+)`")
#: A table's cell separator: a | outside `code`.
CELL = re.compile(r"\|(?=(?:[^`]*`[^`]*`)*[^`]*$)")


def section(path: Path, heading: str) -> str:
    """The text under ``heading`` (a whole line, ``## ...`` or ``### ...``) up
    to the next heading of the same or a higher level."""
    text = path.read_text()
    match = re.search(rf"^(#+) {re.escape(heading)}\n", text, re.MULTILINE)
    assert match, f"{path.name} has no heading {heading!r}"
    level = len(match.group(1))
    rest = text[match.end():]
    end = re.search(rf"^#{{1,{level}}} ", rest, re.MULTILINE)
    return rest[:end.start()] if end else rest


def table_rows(text: str) -> list[list[str]]:
    """The cells of each row of the Markdown tables in ``text``, headers and
    rules left out."""
    rows = []
    for block in re.findall(r"((?:^\|.*\|\n)+)", text, re.MULTILINE):
        lines = block.splitlines()[2:]  # the header and the |---| rule
        rows.extend([cell.strip() for cell in CELL.split(line.strip()[1:-1])] for line in lines)
    return rows


def first_code(cell: str) -> str:
    found = CODE.search(cell)
    assert found, f"no `name` in {cell!r}"
    return found.group(1)


def template_blocks(name: str) -> list[str]:
    source = (TEMPLATES / name).read_text()
    tree = jinja2.Environment().parse(source)
    return [block.name for block in tree.find_all(jinja2.nodes.Block)]


# -- the layout ------------------------------------------------------------------------


def test_the_guide_lists_every_block_of_the_layout_in_order() -> None:
    documented = [first_code(row[0]) for row in
                  table_rows(section(DOCS / "plugins.md", "The layout's blocks"))]
    assert documented == template_blocks("layout.jinja2")


def test_every_documented_block_says_what_it_holds_and_its_default() -> None:
    for row in table_rows(section(DOCS / "plugins.md", "The layout's blocks")):
        assert len(row) == 3 and all(row), row


@pytest.mark.parametrize("path", ["README.md", "docs/overrides.md", "docs/api.md"])
def test_the_other_pages_link_to_the_list_instead_of_repeating_it(path: str) -> None:
    text = (ROOT / path).read_text()
    assert "plugins.md#the-layouts-blocks" in text
    # A partial list, the way the README and overrides.md used to give one.
    assert not re.search(r"blocks? `title`, `(styles|head)`", text), path


def classes_of(name: str) -> set[str]:
    source = (TEMPLATES / name).read_text()
    found = set()
    for value in re.findall(r'class="([^"]*)"', source):
        # {% block body_class %}podium{% endblock %}: the block's default.
        value = re.sub(r"{%.*?%}", "", value)
        found.update(value.split())
    return found


def test_the_markup_hooks_are_the_classes_of_the_layout_and_the_navigation() -> None:
    rows = table_rows(section(DOCS / "overrides.md", "Markup hooks"))
    documented = {first_code(row[0]) for row in rows}
    assert documented == classes_of("layout.jinja2") | classes_of("navigation.jinja2")
    elements = {first_code(row[0]): first_code(row[1]) for row in rows}
    for name in ("layout.jinja2", "navigation.jinja2"):
        source = (TEMPLATES / name).read_text()
        for cls, element in elements.items():
            if cls in classes_of(name):
                tag = element.strip("<>")
                assert re.search(rf'<{tag}\b[^>]*class="[^"]*\b{cls}\b', source), (cls, tag)


# -- podium.api --------------------------------------------------------------------------

#: docs/api.md's sections that are not imports from podium.api.
NOT_IMPORTS = ("Request attributes", "Configurator directives and view options")


def api_rows() -> list[list[str]]:
    text = (DOCS / "api.md").read_text()
    headings = re.findall(r"^## (.+)$", text, re.MULTILINE)
    return [row for heading in headings if heading not in NOT_IMPORTS
            for row in table_rows(section(DOCS / "api.md", heading))]


def plain_signature(name: str, function: object, drop_first: bool = False) -> str:
    """``name(a, b=1, *args, c=None, **kwargs)``: the parameters as docs write them."""
    parameters = list(inspect.signature(function).parameters.values())  # type: ignore[arg-type]
    if drop_first:
        parameters = parameters[1:]
    parts: list[str] = []
    star_written = False
    for p in parameters:
        if p.kind is p.VAR_POSITIONAL:
            parts.append(f"*{p.name}")
            star_written = True
        elif p.kind is p.VAR_KEYWORD:
            parts.append(f"**{p.name}")
        else:
            if p.kind is p.KEYWORD_ONLY and not star_written:
                parts.append("*")
                star_written = True
            default = "" if p.default is p.empty else f"={p.default!r}"
            parts.append(p.name + default)
    return f"{name}({', '.join(parts)})"


def test_api_md_documents_exactly_the_names_of_dunder_all() -> None:
    documented = [first_code(row[0]).split("(")[0] for row in api_rows()]
    assert sorted(documented) == sorted(podium.api.__all__)
    assert len(documented) == len(set(documented)), "a name documented twice"


def test_each_name_has_one_line_of_what_it_is() -> None:
    for row in api_rows():
        assert len(row) == 2 and len(row[1].split()) >= 3, row


def test_a_function_is_documented_with_its_real_arguments() -> None:
    for row in api_rows():
        written = first_code(row[0])
        name = written.split("(")[0]
        target = getattr(podium.api, name)
        if inspect.isfunction(target):
            assert written == plain_signature(name, target), f"docs/api.md: {written}"
        else:
            assert "(" not in written, f"{name} is not a function: {written}"


@pytest.mark.parametrize("directive", [add_podium_nav, add_page_asset,
                                       add_content_security_policy_source, add_admin_page])
def test_the_directives_are_documented_with_their_arguments(directive: object) -> None:
    name = getattr(directive, "__name__", "")
    expected = "config." + plain_signature(name, directive, drop_first=True)
    rows = table_rows(section(DOCS / "api.md", "Configurator directives and view options"))
    assert expected in [first_code(row[0]) for row in rows]
    guide = (DOCS / "plugins.md").read_text()
    if directive is not add_content_security_policy_source:
        assert f"`{expected}`" in guide


def test_the_promise_lists_exactly_the_names_of_dunder_all() -> None:
    promise = section(DOCS / "plugins.md", "The compatibility promise")
    public = next(item for item in promise.split("\n- ") if "**Public API**" in item)
    names = public.split("documented\n")[0]  # before the other promised things
    listed = {name for name in CODE.findall(public.split("(`tests/")[0])
              if name.isidentifier() and name not in ("podium", "__all__")}
    assert listed == set(podium.api.__all__), names
