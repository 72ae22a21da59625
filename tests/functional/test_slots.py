"""Template slots through the whole app (issue 17): real plugin distributions
contribute with ``config.add_slot_content``, pages render the contributions
in order, escaped, only where their permission and route say."""

from __future__ import annotations

import logging

import pytest
from notes_data import add_notes

from podium.plugins.errors import BrokenPluginError
from podium.testing.accounts import make_user

#: A plugin with one page, at two routes, offering the slot ``alpha.box``;
#: ``{body}`` is the rest of its includeme (its contributions).
OWNER = '''
from markupsafe import Markup
from podium.api import PUBLIC, Permission, Plugin


def page(request):
    return {{"word": request.params.get("word", "<b>bold</b>")}}


def includeme(config):
    config.add_route("alpha.page", "/page")
    config.add_route("alpha.other", "/other")
    for route in ("alpha.page", "alpha.other"):
        config.add_view(page, route_name=route, renderer="PKG:templates/page.jinja2",
                        permission=PUBLIC)
    {body}


plugin = Plugin(includeme=includeme,
                permissions=[Permission("alpha.open"), Permission("alpha.secret")],
                default_grants={{"everyone": ["alpha.open"]}})
'''

PAGE = """{% extends "podium:templates/layout.jinja2" %}
{% block content %}<div id="box">{{ slot("alpha.box", word=word) }}</div>
<div id="unknown">{{ slot("nobody.nothing", word=word) }}</div>{% endblock %}
"""

#: A plugin contributing to the owner's slot; ``{body}`` is its includeme's.
CONTRIBUTOR = '''
from markupsafe import Markup


def includeme(config):
    {body}
'''


def owner(make_plugin, body: str = "pass", files: dict[str, str] | None = None) -> str:
    return make_plugin("alpha", OWNER.format(body=body), target="PKG:plugin",
                       files={"templates/page.jinja2": PAGE, **(files or {})})


def contributor(make_plugin, name: str, body: str,
                files: dict[str, str] | None = None) -> str:
    return make_plugin(name, CONTRIBUTOR.format(body=body), files=files)


def box(res) -> str:
    return res.html.select_one("#box").decode_contents()


def test_contributions_render_by_weight_then_plugin_order_then_registration(
        make_plugin, production_like_apps):
    owner(make_plugin, 'config.add_slot_content("alpha.box", lambda request, **v: "a1")\n'
                       '    config.add_slot_content("alpha.box", lambda request, **v: "a2", '
                       'name="second")')
    contributor(make_plugin, "beta",
                'config.add_slot_content("alpha.box", lambda request, **v: "b-heavy", '
                'weight=5)\n'
                '    config.add_slot_content("alpha.box", lambda request, **v: "b")')
    contributor(make_plugin, "gamma",
                'config.add_slot_content("alpha.box", lambda request, **v: "g-light", '
                'weight=-1)\n'
                '    config.add_slot_content("alpha.box", lambda request, **v: "g")')
    app = production_like_apps("alpha gamma beta")
    assert box(app.get("/alpha/page")) == "g-lighta1a2gbb-heavy"
    app = production_like_apps("alpha beta gamma")
    assert box(app.get("/alpha/page")) == "g-lighta1a2bgb-heavy"


def test_a_callable_gets_the_request_and_the_slots_values(make_plugin, production_like_apps):
    owner(make_plugin, 'config.add_slot_content("alpha.box", lambda request, word: '
                       'Markup("<i>%s</i>") % (request.matched_route.name + " " + word))')
    res = production_like_apps("alpha").get("/alpha/page", {"word": "<x>"})
    assert box(res) == "<i>alpha.page &lt;x&gt;</i>"


def test_a_callables_str_is_escaped_and_markup_passes_through(make_plugin,
                                                               production_like_apps):
    owner(make_plugin, 'config.add_slot_content("alpha.box", lambda request, word: word)\n'
                       '    config.add_slot_content("alpha.box", '
                       'lambda request, word: Markup("<em>safe</em>"), name="markup")\n'
                       '    config.add_slot_content("alpha.box", lambda request, word: None, '
                       'name="nothing")')
    res = production_like_apps("alpha").get("/alpha/page")
    assert box(res) == "&lt;b&gt;bold&lt;/b&gt;<em>safe</em>"


def test_template_content_is_autoescaped_and_sees_values_and_request(
        make_plugin, production_like_apps):
    owner(make_plugin, 'config.add_slot_content("alpha.box", "PKG:templates/part.jinja2")',
          files={"templates/part.jinja2":
                 '<span class="part">{{ word }} on {{ request.matched_route.name }}</span>'})
    res = production_like_apps("alpha").get("/alpha/page")
    assert box(res) == '<span class="part">&lt;b&gt;bold&lt;/b&gt; on alpha.page</span>'


def test_permission_and_route_skip_a_contribution(make_plugin, production_like_apps):
    owner(make_plugin, '''config.add_slot_content("alpha.box", lambda request, **v: "open",
                              permission="alpha.open")
    config.add_slot_content("alpha.box", lambda request, **v: "secret", name="secret",
                            permission="alpha.secret")
    config.add_slot_content("alpha.box", lambda request, **v: "page only", name="page",
                            route="alpha.page")
    config.add_slot_content("alpha.box", lambda request, **v: "both", name="both",
                            route=["alpha.page", "alpha.other"])''')
    app = production_like_apps("alpha")
    assert box(app.get("/alpha/page")) == "openpage onlyboth"
    assert box(app.get("/alpha/other")) == "openboth"


def test_an_error_in_a_contribution_fails_the_page(make_plugin, production_like_apps, caplog):
    owner(make_plugin, 'config.add_slot_content("alpha.box", lambda request, **v: 1 / 0)')
    app = production_like_apps("alpha")
    with caplog.at_level(logging.ERROR):
        app.get("/alpha/page", status=500)
    assert any(r.exc_info and r.exc_info[0] is ZeroDivisionError for r in caplog.records)


def test_a_slot_nobody_fills_renders_nothing(make_plugin, production_like_apps):
    owner(make_plugin)
    res = production_like_apps("alpha").get("/alpha/page")
    assert box(res) == "" and res.html.select_one("#unknown").decode_contents() == ""


def test_the_layouts_slots_render_their_contributions(make_plugin, production_like_apps):
    owner(make_plugin)
    contributor(make_plugin, "beta", "\n    ".join(
        f'config.add_slot_content("podium.{slot}", lambda request: '
        f'Markup(\'<meta name="{slot}">\'))'
        for slot in ("head", "navigation", "content.before", "content.after")))
    res = production_like_apps("alpha beta").get("/alpha/page")
    assert res.html.select_one('head meta[name="head"]') is not None
    assert res.html.select_one('header meta[name="navigation"]') is not None
    main = str(res.html.select_one("main"))
    assert main.index('name="content.before"') < main.index('id="box"') < main.index(
        'name="content.after"')


def test_the_notes_pages_render_their_slots(make_plugin, production_like_apps):
    contributor(make_plugin, "beta", "\n    ".join([
        'config.add_slot_content("notes.note.after_body", lambda request, note: '
        'Markup("<p id=after>after %s</p>") % note.title)',
        'config.add_slot_content("notes.note.actions", lambda request, note: '
        'Markup("<a id=extra>extra %s</a>") % note.id)',
        'config.add_slot_content("notes.list.filters", lambda request: '
        'Markup("<form id=filters></form>"))',
        'config.add_slot_content("notes.list.item", lambda request, note, notes: '
        'Markup("<i class=item>%s of %s</i>") % (note.title, len(notes)))',
        'config.add_slot_content("notes.form.fields", lambda request, note, values, errors: '
        'Markup("<input id=extra-field name=extra value=\'%s\'>") % values.get("title", ""))',
    ]))
    app = production_like_apps("notes beta")
    ids = add_notes(app.app.registry["podium.engine"], 2, title="N{}")
    res = app.get(f"/notes/{ids[0]}")
    assert res.html.select_one(".note #after").text == "after N0"
    assert res.html.select_one(".notes-actions #extra").text == f"extra {ids[0]}"
    res = app.get("/notes/")
    assert res.html.select_one("#filters") is not None
    assert [i.text for i in res.html.select("li.notes-item i.item")] == ["N1 of 2", "N0 of 2"]
    # The notes were written without an owner: only an editor may edit them.
    app.login(make_user(app.app.registry, "ed", roles=["editor"]).login)
    res = app.get(f"/notes/{ids[0]}/edit")
    form = res.html.select_one("#note-form")
    assert form.select_one("#extra-field")["value"] == "N0"
    assert str(form).index("note-body") < str(form).index("extra-field") < str(form).index(
        'type="submit"')


@pytest.mark.parametrize("slot", ["", "box", "Alpha.Box", "alpha..box", "alpha.box.", 3, None])
def test_a_bad_slot_name_stops_start_up_naming_the_plugin(make_plugin, settings, slot):
    contributor(make_plugin, "beta",
                f'config.add_slot_content({slot!r}, lambda request: "x")')
    from podium.testing import build_app

    with pytest.raises(BrokenPluginError) as caught:
        build_app(settings("beta"))
    message = str(caught.value)
    assert "plugin 'beta'" in message and f"the slot name {slot!r} is not a slot name" in message


def test_two_plugins_adding_the_same_named_content_conflict(make_plugin, settings):
    from podium.plugins.errors import PluginConflictError
    from podium.testing import build_app

    for name in ("beta", "gamma"):
        contributor(make_plugin, name, 'config.add_slot_content("alpha.box", '
                                       'lambda request: "x", name="tags")')
    with pytest.raises(PluginConflictError) as caught:
        build_app(settings("beta gamma"))
    assert "beta" in str(caught.value) and "gamma" in str(caught.value)


def test_each_contribution_is_introspectable_with_its_plugin_and_place(make_plugin, settings):
    from podium.testing import build_app

    contributor(make_plugin, "beta", 'config.add_slot_content("alpha.box", '
                                     '"PKG:templates/x.jinja2", weight=2, route="alpha.page")')
    app = build_app(settings("beta"))
    [entry] = app.registry.introspector.get_category("podium slot contents")
    intr = entry["introspectable"]
    assert (intr["slot"], intr["plugin"], intr["weight"], intr["routes"]) == (
        "alpha.box", "beta", 2, ["alpha.page"])
    assert intr["name"].endswith(":templates/x.jinja2")
    assert intr["where"].endswith("__init__.py:6")
    assert intr.action_info.line == 6


def test_a_jinja2_renderer_a_plugin_adds_has_slots_too(make_plugin, production_like_apps):
    make_plugin("beta", '''
from podium.api import PUBLIC


def includeme(config):
    config.add_jinja2_renderer(".html")
    config.add_route("beta.page", "/page")
    config.add_view(lambda request: {}, route_name="beta.page", renderer="PKG:page.html",
                    permission=PUBLIC)
    config.add_slot_content("beta.here", lambda request: "filled", name="fill")
''', files={"page.html": '<p id="here">{{ slot("beta.here") }}</p>'})
    res = production_like_apps("beta").get("/beta/page")
    assert res.html.select_one("#here").text == "filled"
