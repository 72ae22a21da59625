"""The slot guard's pure parts: which output statements it wraps, and that a
template renders the same with and without it, whatever the table holds."""

from __future__ import annotations

from typing import Any

import jinja2
import pytest
from jinja2 import nodes
from markupsafe import Markup

from podium.slots.guard import FILLED, REAL_SLOT, SlotGuard
from podium.slots.inventory import slot_calls
from podium.slots.registry import SlotContent
from podium.slots.rendering import filled_slots, make_slot


def content(slot: str, result: Any, permission: str | None = None) -> SlotContent:
    return SlotContent(slot, repr(result), lambda request, **values: (
        result(values) if callable(result) else result), 0, permission, None, "p", 0, 0, "?")


def environments(table: dict[str, tuple[SlotContent, ...]]) -> tuple[jinja2.Environment,
                                                                       jinja2.Environment]:
    """The same globals, with the guard and without it."""
    slot = make_slot(table)
    guarded = jinja2.Environment(autoescape=True, extensions=[SlotGuard])
    plain = jinja2.Environment(autoescape=True)
    for env in (guarded, plain):
        env.globals.update({"slot": slot, REAL_SLOT: slot, FILLED: filled_slots(table)})
    return guarded, plain


def is_guarded(source: str) -> bool:
    """Whether the first node of the template's body is the guard's ``if``."""
    guarded, _ = environments({})
    first = guarded.parse(source).body[0]
    return isinstance(first, nodes.If) and any(
        name.name == FILLED for name in first.test.find_all(nodes.Name))


@pytest.mark.parametrize("source", [
    '{{ slot("a.b") }}', '{{ slot("a.b", x=1) }}', "{{ slot('a.b', x=f(1), y=[1, (2)]) }}",
    '{{- slot("a.b", note=note) -}}', '{{ slot("a.b", *args, **kw) }}',
])
def test_a_plain_call_with_a_constant_name_is_guarded(source: str) -> None:
    assert is_guarded(source)


@pytest.mark.parametrize("source", [
    "{{ slot(name) }}", '{{ slot("a" ~ x) }}', '{{ slot("a" "b") }}', '{{ slot("a.b")|upper }}',
    '{{ slot("a.b") ~ "!" }}', '{{ "!" ~ slot("a.b") }}', '{{ slot("a.b").x }}',
    '{{ slot("a.b")() }}', '{{ slot("a.b")[0] }}', '{{ (slot("a.b")) }}', '{{ other("a.b") }}',
    '{{ slot("a.b") if x }}', '{{ slot }}', '{{ slot() }}', '{{ slot(1) }}',
    '{% set x = slot("a.b") %}', '{% if slot("a.b") %}y{% endif %}',
])
def test_anything_else_is_left_as_written(source: str) -> None:
    assert not is_guarded(source)


TEMPLATES = [
    '[{{ slot("a.b") }}][{{ slot("a.empty", x=1) }}][{{ slot("c.d", x="<x>") }}]',
    '{% for n in ["1", "<2>"] %}<li>{{ slot("c.d", x=n) }}</li>{% endfor %}',
    '{% macro m(v) %}({{ slot("c.d", x=v) }}){% endmacro %}{{ m("in macro") }}',
    '{% block b %}{{ slot("a.b") }}{% endblock %}|{{ slot(name) }}|{{ slot("a.b")|length }}',
    # A template's own ``slot`` is called as written, filled name or not.
    '{% for slot in [mine] %}{{ slot("a.empty") }}{{ slot("a.b") }}{% endfor %}',
    '{% macro m(slot) %}{{ slot("a.empty") }}{% endmacro %}{{ m(mine) }}',
    '{% set slot = mine %}{{ slot("a.empty") }}',
    '{{ slot("a.b") }}\n  {{ slot("a.empty") }}\n{{- slot("c.d", x=1) }}',
]

TABLES = {
    "empty": {},
    "filled": {"a.b": (content("a.b", "<b>"), content("a.b", Markup("<i>m</i>"))),
               "c.d": (content("c.d", lambda v: v.get("x", "no x")),)},
    "permission-skipped": {"a.b": (content("a.b", "hidden", permission="x.y"),),
                           "a.empty": ()},
}


@pytest.mark.parametrize("table", TABLES)
@pytest.mark.parametrize("source", TEMPLATES)
def test_the_guarded_template_renders_what_the_calls_do(source: str, table: str) -> None:
    guarded, plain = environments(TABLES[table])
    values = {"name": "c.d", "mine": lambda name: f"mine:{name}"}
    expected = plain.from_string(source).render(values)
    assert guarded.from_string(source).render(values) == expected
    if "for slot" in source:
        assert expected == "mine:a.emptymine:a.b"


def test_guarded_code_without_the_guards_globals_calls_slot() -> None:
    """Bytecode compiled with the guard, rendered where its globals are missing."""
    env = jinja2.Environment(autoescape=True, extensions=[SlotGuard])
    env.globals["slot"] = make_slot({"a.b": (content("a.b", "called"),)})
    assert env.from_string('{{ slot("a.b") }}').render() == "called"


def test_filled_slots_are_those_with_contributions() -> None:
    assert filled_slots(TABLES["permission-skipped"]) == frozenset({"a.b"})


def test_the_inventory_finds_the_same_calls_in_a_guarded_environment() -> None:
    source = ('{{ slot("a.top") }}{% block outer %}{{ slot("a.in", x=1) }}{% endblock %}'
              '{{ slot(name) }}{{ slot("a.f")|e }}')
    guarded, plain = environments({})
    assert slot_calls(guarded, source, "t") == slot_calls(plain, source, "t")
    assert [c.name for c in slot_calls(guarded, source, "t")] == ["a.top", "a.in", None, "a.f"]
