"""The layout API: navigation entries and per-page CSS/JS from plugins."""

from __future__ import annotations

import pytest
import webtest
from pyramid.config import Configurator

from podium.plugins.conflicts import commit_naming_plugins
from podium.plugins.errors import PluginConflictError
from podium.testing import build_app
from podium.testing.apps import base_settings

SHOP = '''
title = "Shop"
front_page = "shop.home"

def includeme(config):
    config.add_route("shop.home", "/")
    config.add_route("shop.cart", "/cart")
    for route in ("shop.home", "shop.cart"):
        config.add_view(lambda request: {}, route_name=route,
                        renderer="podium:templates/home.jinja2")
    config.add_static_view("static", __name__ + ":static")
    config.add_podium_nav("shop.cart", "Cart", route_name="shop.cart")
    config.add_podium_nav("shop.help", "Help", url="https://help.example.com/", weight=200)
    config.add_page_asset(__name__ + ":static/shop.css")
    config.add_page_asset(__name__ + ":static/shop.js")
    config.add_page_asset(__name__ + ":static/cart.css", routes="shop.cart")
    config.add_page_asset(__name__ + ":static/everywhere.css", routes="*")
'''

BLOG = '''
title = "Blog"

def includeme(config):
    config.add_route("blog.home", "/")
    config.add_view(lambda request: {}, route_name="blog.home",
                    renderer="podium:templates/home.jinja2")
    config.add_podium_nav("blog.archive", "Archive", url="/blog/archive", weight=50)
'''


@pytest.fixture
def app(make_plugin, tmp_path):
    package = make_plugin("shop", SHOP)
    static = tmp_path / "site" / package / "static"
    static.mkdir()
    for name in ("shop.css", "shop.js", "cart.css", "everywhere.css"):
        (static / name).write_text(f"/* {name} */")
    make_plugin("blog", BLOG)
    settings = base_settings(f"sqlite:///{tmp_path / 'l.sqlite'}", "shop blog")
    return webtest.TestApp(build_app(settings), extra_environ={"HTTP_HOST": "localhost"})


def nav(res) -> list[tuple[str, str]]:
    return [(a["data-plugin"], a.text) for a in res.html.select("nav.podium-nav a")]


def test_navigation_lists_front_pages_then_contributed_entries_by_weight(app):
    assert nav(app.get("/")) == [
        ("shop", "Shop"), ("blog", "Blog"),            # front pages, in plugin order
        ("blog.archive", "Archive"),                    # weight 50
        ("shop.cart", "Cart"),                          # weight 100 (the default)
        ("shop.help", "Help"),                          # weight 200
    ]
    links = {a["data-plugin"]: a["href"] for a in app.get("/").html.select("nav a")}
    assert links["shop.cart"] == "/shop/cart"  # root-relative, as route_path gives
    assert links["shop.help"] == "https://help.example.com/"
    assert links["blog.archive"] == "/blog/archive"


def test_the_current_entry_is_marked(app):
    res = app.get("/shop/cart")
    current = res.html.select('nav a[aria-current="page"]')
    assert [a["data-plugin"] for a in current] == ["shop.cart"]
    assert [a["data-plugin"] for a in app.get("/shop/").html.select(
        'nav a[aria-current="page"]')] == ["shop"]
    assert not app.get("/").html.select('nav a[aria-current="page"]')


def assets(res, tag: str, attribute: str) -> list[str]:
    return [el[attribute].split("?")[0].rsplit("/", 1)[-1] for el in res.html.select(tag)
            if el.get("data-asset")]


def test_page_assets_go_to_the_plugin_pages_they_were_declared_for(app):
    cart = app.get("/shop/cart")
    assert assets(cart, "link", "href") == ["shop.css", "cart.css", "everywhere.css"]
    assert assets(cart, "script", "src") == ["shop.js"]
    assert cart.html.select_one("script[data-asset]").has_attr("defer")
    assert assets(app.get("/shop/"), "link", "href") == ["shop.css", "everywhere.css"]
    assert assets(app.get("/blog/"), "link", "href") == ["everywhere.css"]
    assert assets(app.get("/blog/"), "script", "src") == []
    # error pages match no route: only the assets meant for every page
    assert assets(app.get("/nowhere", status=404), "link", "href") == ["everywhere.css"]


def test_page_asset_urls_are_fingerprinted_and_served(app):
    href = app.get("/shop/cart").html.select_one('link[data-asset$="cart.css"]')["href"]
    assert "?v=" in href
    assert app.get(href).text == "/* cart.css */"


def test_contributions_are_introspectable(app):
    introspector = app.app.registry.introspector
    entries = {e["introspectable"]["name"]: e["introspectable"]
               for e in introspector.get_category("podium navigation")}
    assert entries["shop.cart"]["plugin"] == "shop" and entries["blog.archive"]["plugin"] == "blog"
    page_assets = {e["introspectable"]["asset"].rsplit("/", 1)[-1]: e["introspectable"]
                   for e in introspector.get_category("podium page assets")}
    assert page_assets["shop.css"]["routes"] == ("shop.*",)
    assert page_assets["everywhere.css"]["routes"] == ("*",)


def test_two_plugins_adding_one_navigation_entry_conflict_naming_both(make_plugin, tmp_path):
    code = 'def includeme(config):\n    config.add_podium_nav("shared", "Shared", url="/x")\n'
    make_plugin("one", code, distribution="one-dist")
    make_plugin("two", code, distribution="two-dist")
    with pytest.raises(PluginConflictError) as info:
        build_app(base_settings(f"sqlite:///{tmp_path / 'c.sqlite'}", "one two"))
    assert "plugin 'one' (one-dist 1.0)" in str(info.value)
    assert "plugin 'two' (two-dist 1.0)" in str(info.value)


def test_the_application_adds_entries_and_assets_for_every_page(make_plugin, tmp_path):
    make_plugin("blog", BLOG)
    config = Configurator(settings=base_settings(f"sqlite:///{tmp_path / 'a.sqlite'}", "blog"))
    config.include("podium")
    config.add_podium_nav("site.about", "About", url="/about", weight=10)
    config.add_page_asset("https://cdn.example.com/site.css")
    commit_naming_plugins(config)
    app = webtest.TestApp(config.make_wsgi_app())
    res = app.get("/blog/")
    assert ("site.about", "About") in nav(res)
    assert res.html.select_one('link[data-asset="https://cdn.example.com/site.css"]')["href"] \
        == "https://cdn.example.com/site.css"


@pytest.mark.parametrize("script_name", ["/site", "/my site"])
def test_entries_are_root_relative_under_the_script_name(make_plugin, tmp_path, script_name):
    make_plugin("blog", BLOG)
    config = Configurator(settings=base_settings(f"sqlite:///{tmp_path / 'a.sqlite'}", "blog"))
    config.include("podium")
    config.add_podium_nav("site.faq", "FAQ", url="faq", weight=10)
    commit_naming_plugins(config)
    app = webtest.TestApp(config.make_wsgi_app())
    for host in ("example.org", "other.example"):
        for path in ("/blog/", "/blog/caf%C3%A9"):
            res = app.get(path, status="*", headers={"Accept": "text/html"},
                          extra_environ={"SCRIPT_NAME": script_name, "HTTP_HOST": host})
            links = {a["data-plugin"]: a["href"] for a in res.html.select("nav a")}
            # SCRIPT_NAME as Pyramid's route_path puts it
            assert links == {"blog": f"{script_name}/blog/", "site.faq": f"{script_name}/faq",
                             "blog.archive": "/blog/archive"}
            current = res.html.select('nav a[aria-current="page"]')
            assert [a["data-plugin"] for a in current] == ["blog"], path


def test_bad_page_assets_are_refused_when_declared(tmp_path):
    config = Configurator(settings=base_settings(f"sqlite:///{tmp_path / 'b.sqlite'}", ""))
    config.include("podium")
    with pytest.raises(Exception, match="kind must be one of"):
        config.add_page_asset("podium:static/logo.svg")
    with pytest.raises(Exception, match="give an asset spec"):
        config.add_page_asset("static/site.css")
