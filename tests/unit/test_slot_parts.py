"""The slots' pure parts: the render order, who owns a registration, and
which slot calls a template (and an override extending it) renders."""

from __future__ import annotations

from pathlib import Path

import jinja2
import pytest
from markupsafe import Markup
from pyramid.registry import Registry

from podium.slots.inventory import effective_calls, slot_calls
from podium.slots.registry import (
    APPLICATION,
    CORE,
    SlotContent,
    check_slot_name,
    order,
    owner_of,
)
from podium.slots.rendering import make_slot


def content(name: str, weight: int = 0, rank: int = 0, sequence: int = 0,
            slot: str = "a.b") -> SlotContent:
    return SlotContent(slot, name, lambda request: name, weight, None, None, "p", rank,
                       sequence, "?")


def test_order_is_weight_then_plugin_order_then_registration() -> None:
    contents = [content("late", rank=2, sequence=0), content("heavy", weight=1, rank=-1),
                content("second", rank=0, sequence=2), content("first", rank=0, sequence=1),
                content("core", rank=-1, sequence=9), content("light", weight=-5, rank=3),
                content("other slot", slot="c.d")]
    table = order(contents)
    assert [c.name for c in table["a.b"]] == ["light", "core", "first", "second", "late",
                                              "heavy"]
    assert [c.name for c in table["c.d"]] == ["other slot"]


@pytest.mark.parametrize("name", ["podium.head", "notes.note.after_body", "a.b2_c"])
def test_good_slot_names(name: str) -> None:
    assert check_slot_name(name) == name


def test_the_core_ranks_first_and_the_application_last() -> None:
    registry = Registry("test")
    assert owner_of(registry, ("podium.web:includeme",)) == (CORE, -1)
    assert owner_of(registry, ("podium:includeme", "acme_site.views:includeme")) == (
        APPLICATION, 0)
    assert owner_of(registry, ()) == (APPLICATION, 0)


def test_a_slot_without_contributions_is_the_same_empty_markup() -> None:
    env = jinja2.Environment(autoescape=True)
    env.globals["slot"] = make_slot({})
    assert env.from_string('[{{ slot("a.b", x=1) }}]').render() == "[]"
    rendered = env.from_string('{{ slot("a.b") }}').render()
    assert rendered == "" and isinstance(Markup(rendered), Markup)


def test_a_slot_outside_a_request_renders_what_needs_none() -> None:
    env = jinja2.Environment(autoescape=True)
    open_one = content("open")
    guarded = SlotContent("a.b", "guarded", lambda request: "no", 0, "x.y", None, "p", 0, 1,
                          "?")
    env.globals["slot"] = make_slot({"a.b": (open_one, guarded)})
    assert env.from_string('{{ slot("a.b") }}').render() == "open"


ENV = jinja2.Environment()


def test_slot_calls_name_their_blocks_and_count_computed_names() -> None:
    calls = slot_calls(ENV, '{{ slot("a.top") }}{% block outer %}{% block inner %}'
                            '{{ slot("a.in", x=1) }}{% endblock %}{% endblock %}'
                            '{{ slot(name) }}{{ other("a.no") }}', "t")
    assert [(c.name, c.blocks) for c in calls] == [
        ("a.top", ()), ("a.in", ("outer", "inner")), (None, ())]


def write(tmp_path: Path, name: str, text: str) -> str:
    path = tmp_path / name
    path.write_text(text)
    return str(path)


ORIGINAL = ('<html>{% block head %}{{ slot("a.head") }}{% endblock %}'
            '{% block content %}{% block body %}{{ slot("a.body") }}{% endblock %}'
            '{{ slot("a.after") }}{% endblock %}</html>')


@pytest.mark.parametrize("override, kept", [
    # Extending the original and replacing a block drops the slots inside it only.
    ('{% extends "p:t.jinja2" | original %}{% block body %}new{% endblock %}',
     {"a.head", "a.after"}),
    ('{% extends "p:t.jinja2" | original %}{% block content %}x{% endblock %}', {"a.head"}),
    # super() keeps what the block had; the override's own slot is added.
    ('{% extends "p:t.jinja2" | original %}{% block content %}{{ super() }}'
     '{{ slot("a.mine") }}{% endblock %}', {"a.head", "a.body", "a.after", "a.mine"}),
    # A file of its own: only its calls.
    ('<html>{{ slot("a.head") }}</html>', {"a.head"}),
])
def test_an_override_keeps_the_slots_of_the_blocks_it_leaves(tmp_path, override, kept) -> None:
    files = [write(tmp_path, "override.jinja2", override), write(tmp_path, "t.jinja2", ORIGINAL)]
    assert {call.name for _, call in effective_calls(ENV, "p:t.jinja2", files)} == kept
