"""``podium slots CONFIG_URI [NAME]`` and ``podium check``'s warning about
slot loss: an override that drops a slot drops every contribution to it."""

from __future__ import annotations

import re
import textwrap
from pathlib import Path

import pytest

from podium.cli import main

CORE_SLOTS = ("podium.head", "podium.navigation", "podium.content.before",
              "podium.content.after")
NOTES_SLOTS = {"notes.note.actions": "view", "notes.note.after_body": "view",
               "notes.list.filters": "list", "notes.list.item": "list",
               "notes.form.fields": "form"}

CONTRIBUTOR = '''
def item(request, note, notes):
    return note.title


def includeme(config):
    config.add_slot_content("notes.list.item", item, weight=3, permission="notes.view")
    config.add_slot_content("notes.note.after_body", "PKG:templates/after.jinja2",
                            route="notes.view")
'''

#: Replaces the notes list without its slots.
MEMOS = """{% extends "podium:templates/layout.jinja2" %}
{% block content %}<h1>Memos</h1>{% endblock %}
"""
#: Extends the note page it replaces, changing only the title: the slots stay.
VIEW = """{% extends "podium_notes:templates/view.jinja2" | original %}
{% block title %}Memo{% endblock %}
"""
#: Replaces the content block of the note page: its two slots go.
VIEW_WITHOUT_CONTENT = """{% extends "podium_notes:templates/view.jinja2" | original %}
{% block content %}<h1>{{ note.title }}</h1>{% endblock %}
"""


def write_ini(tmp_path: Path, url: str, overrides: dict[str, str]) -> str:
    lines = []
    for target, text in overrides.items():
        path = tmp_path / target.split("/")[-1]
        path.write_text(text)
        lines.append(f"    podium_notes:templates/{target} = {path}")
    ini = tmp_path / "site.ini"
    ini.write_text(textwrap.dedent(f"""
        [app:main]
        use = egg:podium
        podium.plugins = notes beta
        podium.secret = {"s" * 40}
        sqlalchemy.url = {url}
        """) + ("podium.asset_overrides =\n" + "\n".join(lines) + "\n" if lines else ""))
    return str(ini)


@pytest.fixture
def site(make_plugin, tmp_path, podium_database_url):
    make_plugin("beta", CONTRIBUTOR, files={"templates/after.jinja2": "<p>{{ note.id }}</p>",
                                            "templates/computed.jinja2":
                                            '{{ slot("beta." ~ where) }}'})

    def make(**overrides: str) -> str:
        return write_ini(tmp_path, podium_database_url, overrides)

    return make


def run(capsys, *args: str) -> tuple[int, str, str]:
    try:
        code = main(list(args))
    except SystemExit as exc:
        code = int(exc.code or 0)
    out, err = capsys.readouterr()
    return code, out, err


def sections(out: str) -> dict[str, str]:
    """Each slot's lines, by slot name (a line starting at column 0)."""
    found: dict[str, str] = {}
    name = None
    for line in out.splitlines():
        if re.fullmatch(r"[a-z][\w.]*", line):
            name = line
            found[name] = ""
        elif not line.startswith((" ", "\t")):
            name = None
        elif name:
            found[name] += line + "\n"
    return found


def test_lists_the_layout_and_notes_slots_with_their_templates(site, capsys):
    code, out, _ = run(capsys, "slots", site())
    assert code == 0
    listed = sections(out)
    for slot in CORE_SLOTS:
        assert re.search(r"rendered by podium:templates/layout\.jinja2 \(.*layout\.jinja2:\d+\)",
                         listed[slot]), slot
        assert "no contribution" in listed[slot]
    for slot, template in NOTES_SLOTS.items():
        assert f"rendered by podium_notes:templates/{template}.jinja2" in listed[slot], slot
    item = listed["notes.list.item"]
    assert re.search(r"1\s+beta\s+3\s+notes\.view\s+-\s+\S+__init__\.py:7\s+\S+\.item", item)
    after = listed["notes.note.after_body"]
    assert re.search(r"beta\s+0\s+-\s+notes\.view\s+\S+:8\s+beta_\w+:templates/after", after)
    assert "Lost contributions" not in out
    computed = out.split("Slot calls with a computed name (not listed):\n")[1]
    assert re.match(r"  beta_\w+:templates/computed\.jinja2 \(\S+computed\.jinja2:1\)\n$",
                    computed)


def test_name_shows_one_slot(site, capsys):
    code, out, _ = run(capsys, "slots", site(), "notes.list.item")
    assert code == 0 and list(sections(out)) == ["notes.list.item"]
    code, _, err = run(capsys, "slots", site(), "notes.nothing")
    assert code == 1 and "no slot is named 'notes.nothing'" in err and "podium.head" in err


def test_an_override_without_the_slot_loses_its_contributions(site, capsys, tmp_path):
    ini = site(**{"list.jinja2": MEMOS, "view.jinja2": VIEW})
    code, out, _ = run(capsys, "slots", ini)
    assert code == 0
    listed = sections(out)
    assert "rendered by no template in effect" in listed["notes.list.item"]
    # The override of the note page extends the original: its slots render.
    assert re.search(r"rendered by podium_notes:templates/view\.jinja2 \(.*/podium_notes/"
                     r"templates/view\.jinja2:\d+\)", listed["notes.note.after_body"])
    lost = out.split("Lost contributions (no template in effect renders their slot):\n")[1]
    assert lost.count("\n- ") == 0 and lost.startswith("- slot notes.list.item: plugin beta's "
                                                       "contribution (")
    assert "__init__.py:7) is never rendered: no template in effect renders the slot; " \
           f"override podium_notes:templates/list.jinja2 -> {tmp_path / 'list.jinja2'} " \
           f"(setting: podium.asset_overrides entry 1 (podium_notes:templates/list.jinja2 = " \
           f"{tmp_path / 'list.jinja2'})) replaced " \
           "podium_notes:templates/list.jinja2, which did" in lost


def test_an_override_replacing_the_block_of_a_slot_loses_it(site, capsys):
    code, out, _ = run(capsys, "slots", site(**{"view.jinja2": VIEW_WITHOUT_CONTENT}))
    assert code == 0
    lost = out.split("Lost contributions")[1]
    assert "slot notes.note.after_body: plugin beta's contribution" in lost
    assert "replaced podium_notes:templates/view.jinja2, which did" in lost
    assert "notes.list.item" not in lost


def test_check_warns_of_a_lost_contribution_and_strict_fails(site, capsys):
    ini = site(**{"list.jinja2": MEMOS})
    code, _, err = run(capsys, "check", ini)
    assert code == 0, err
    assert "1 slot contribution(s) never rendered" in err
    assert re.search(r"- warning: slot notes\.list\.item: plugin beta's contribution \(\S+"
                     r"__init__\.py:7\) is never rendered: no template in effect renders the "
                     r"slot; override podium_notes:templates/list\.jinja2 -> .* replaced "
                     r"podium_notes:templates/list\.jinja2, which did", err)
    code, _, err = run(capsys, "check", "--strict", ini)
    assert code == 1 and "- slot notes.list.item: plugin beta's contribution" in err


def test_check_says_nothing_of_slots_when_none_is_lost(site, capsys):
    code, out, err = run(capsys, "check", site())
    assert code == 0 and "slot" not in err and "no problem found" in out
