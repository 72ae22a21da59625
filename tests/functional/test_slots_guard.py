"""The slot guard through the whole app (issue 17): a page renders exactly
what it did when every ``slot()`` was called, filled or not, with values,
with a contribution its permission skips; computed names, ``slot()`` in an
expression and a host's own ``jinja2.extensions`` keep working."""

from __future__ import annotations

from jinja2 import nodes
from pyramid_jinja2 import IJinja2Environment

#: A plugin whose page shows each case twice: ``{{ slot(...) }}`` (guarded)
#: and ``{{ (slot(...)) }}`` (parenthesized: left as written, always called).
OWNER = '''
from podium.api import PUBLIC, Permission, Plugin


def page(request):
    return {{"word": "<b>bold</b>", "name": request.params.get("name", "alpha.box")}}


def includeme(config):
    config.add_route("alpha.page", "/page")
    config.add_view(page, route_name="alpha.page", renderer="PKG:templates/page.jinja2",
                    permission=PUBLIC)
    {body}


plugin = Plugin(includeme=includeme,
                permissions=[Permission("alpha.open"), Permission("alpha.secret")],
                default_grants={{"everyone": ["alpha.open"]}})
'''

PAGE = """{% extends "podium:templates/layout.jinja2" %}
{% block content %}
<div id="g-box">{{ slot("alpha.box", word=word) }}</div>
<div id="p-box">{{ (slot("alpha.box", word=word)) }}</div>
<div id="g-empty">{{ slot("alpha.empty", word=word) }}</div>
<div id="p-empty">{{ (slot("alpha.empty", word=word)) }}</div>
<div id="g-secret">{{- slot("alpha.secret", word=word) -}}</div>
<div id="p-secret">{{- (slot("alpha.secret", word=word)) -}}</div>
<ul>{% for w in ["x", "<y>"] %}<li class="g">{{ slot("alpha.item", word=w) }}</li>
<li class="p">{{ (slot("alpha.item", word=w)) }}</li>{% endfor %}</ul>
<div id="computed">{{ slot(name, word=word) }}</div>
<div id="concat">{{ slot("alpha.box", word=word) ~ "!" }}</div>
<div id="filter">{{ slot("alpha.box", word=word)|length }}</div>
<div id="test">{% if slot("alpha.box", word=word) %}yes{% else %}no{% endif %}</div>
<div id="set">{% set got = slot("alpha.item", word="s") %}[{{ got }}]</div>
{% endblock %}
"""

CONTRIBUTIONS = '''config.add_slot_content("alpha.box", lambda request, word: word)
    config.add_slot_content("alpha.item", "PKG:templates/item.jinja2")
    config.add_slot_content("alpha.secret", lambda request, **v: "hidden", name="hidden",
                            permission="alpha.secret")
    config.add_slot_content("alpha.secret", lambda request, **v: "shown", name="shown",
                            permission="alpha.open")'''


def owner(make_plugin, body: str = "pass") -> str:
    return make_plugin("alpha", OWNER.format(body=body), target="PKG:plugin",
                       files={"templates/page.jinja2": PAGE,
                              "templates/item.jinja2": "<i>{{ word }}</i>"})


def inner(res, selector: str) -> str:
    return res.html.select_one(selector).decode_contents()


def guarded_and_plain_agree(res) -> None:
    for case in ("box", "empty", "secret"):
        assert inner(res, f"#g-{case}") == inner(res, f"#p-{case}")
    assert [i.decode_contents() for i in res.html.select("li.g")] == [
        i.decode_contents() for i in res.html.select("li.p")]


def test_with_contributions_the_guarded_slots_render_what_the_calls_do(make_plugin,
                                                                        production_like_apps):
    owner(make_plugin, CONTRIBUTIONS)
    res = production_like_apps("alpha").get("/alpha/page")
    guarded_and_plain_agree(res)
    assert inner(res, "#g-box") == "&lt;b&gt;bold&lt;/b&gt;"
    assert inner(res, "#g-secret") == "shown"  # the permission skipped "hidden"
    assert inner(res, "#g-empty") == ""
    assert [i.decode_contents() for i in res.html.select("li.g")] == [
        "<i>x</i>", "<i>&lt;y&gt;</i>"]


def test_without_contributions_the_guarded_slots_render_nothing_as_the_calls(
        make_plugin, production_like_apps):
    owner(make_plugin)
    res = production_like_apps("alpha").get("/alpha/page")
    guarded_and_plain_agree(res)
    assert inner(res, "#g-box") == inner(res, "#g-secret") == inner(res, "#computed") == ""
    assert inner(res, "#concat") == "!" and inner(res, "#filter") == "0"
    assert inner(res, "#test") == "no" and inner(res, "#set") == "[]"


def test_a_computed_name_and_slot_in_an_expression_still_call_slot(make_plugin,
                                                                     production_like_apps):
    owner(make_plugin, CONTRIBUTIONS)
    app = production_like_apps("alpha")
    res = app.get("/alpha/page")
    assert inner(res, "#computed") == "&lt;b&gt;bold&lt;/b&gt;"
    assert inner(res, "#concat") == "&lt;b&gt;bold&lt;/b&gt;!"
    assert inner(res, "#filter") == str(len("&lt;b&gt;bold&lt;/b&gt;"))  # escaped Markup
    assert inner(res, "#test") == "yes" and inner(res, "#set") == "[<i>s</i>]"
    assert inner(app.get("/alpha/page", {"name": "alpha.item"}), "#computed") == (
        "<i>&lt;b&gt;bold&lt;/b&gt;</i>")


def guards(environment) -> list[str]:
    """The slot names whose output a parse of PAGE wraps in an ``if``."""
    tree = environment.parse(PAGE)
    return [call.args[0].value for if_ in tree.find_all(nodes.If)
            for output in if_.body if isinstance(output, nodes.Output)
            for call in output.find_all(nodes.Call)
            if isinstance(call.node, nodes.Name) and call.node.name == "slot"]


def test_every_environment_guards_the_plain_calls_only(make_plugin, production_like_apps):
    owner(make_plugin, 'config.add_jinja2_renderer(".html")')
    app = production_like_apps("alpha")
    environments = dict(app.app.registry.getUtilitiesFor(IJinja2Environment))
    assert set(environments) >= {".jinja2", ".html"}
    for environment in environments.values():
        assert guards(environment) == ["alpha.box", "alpha.empty", "alpha.secret",
                                       "alpha.item"]


def test_a_hosts_own_jinja2_extensions_still_load(make_plugin, production_like_apps):
    owner(make_plugin, CONTRIBUTIONS)
    app = production_like_apps("alpha", **{"jinja2.extensions": "jinja2.ext.loopcontrols"})
    environment = app.app.registry.getUtility(IJinja2Environment, name=".jinja2")
    assert environment.from_string(
        "{% for i in [1, 2, 3] %}{{ i }}{% if i == 2 %}{% break %}{% endif %}{% endfor %}"
    ).render() == "12"
    assert guards(environment) == ["alpha.box", "alpha.empty", "alpha.secret", "alpha.item"]
    guarded_and_plain_agree(app.get("/alpha/page"))


def test_a_bytecode_cache_holds_no_decision(make_plugin, production_like_apps, tmp_path):
    """Compiled once without contributions, the cached code still renders
    them for an app that has some."""
    (tmp_path / "bytecode").mkdir()
    cache = {"jinja2.bytecode_caching": "true",
             "jinja2.bytecode_caching_directory": str(tmp_path / "bytecode")}
    owner(make_plugin, CONTRIBUTIONS)
    make_plugin("beta", 'def includeme(config):\n    pass\n')
    first = production_like_apps("beta", **cache)
    first.get("/nothing-here", status=404)  # the 404 page: the layout is compiled, cached
    cached = set((tmp_path / "bytecode").iterdir())
    assert cached
    layout_slot = ('config.add_slot_content("podium.content.after", lambda request: '
                   '"after", name="after")')
    make_plugin("gamma", f'def includeme(config):\n    {layout_slot}\n')
    second = production_like_apps("alpha gamma", **cache)
    res = second.get("/alpha/page")
    assert cached <= set((tmp_path / "bytecode").iterdir())
    assert "after" in str(res.html.select_one("main"))
    assert inner(res, "#g-box") == "&lt;b&gt;bold&lt;/b&gt;"
