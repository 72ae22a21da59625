"""Where navigation entries go relative to the plugins' front pages, and
replacing a front-page entry (docs/overrides.md, "Contributing to it")."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import webtest
from pyramid.config import Configurator

from podium.api import PluginError, commit_config
from podium.testing.apps import base_settings

BLOG = '''
title = "Blog"
front_page = "blog.home"

def includeme(config):
    config.add_route("blog.home", "/")
    config.add_view(lambda request: {}, route_name="blog.home",
                    renderer="podium:templates/home.jinja2")
{extra}
'''


def blog(make_plugin: Callable[..., str], name: str = "blog", extra: str = "") -> None:
    code = BLOG.replace("{extra}", extra).replace("blog.", f"{name}.").replace('"Blog"',
                                                                          f'"{name.title()}"')
    make_plugin(name, code)


def host_app(tmp_path: Path, plugins: str, *entries: tuple[Any, ...]) -> webtest.TestApp:
    """A host application including Podium and adding ``entries`` itself."""
    config = Configurator(settings=base_settings(f"sqlite:///{tmp_path / 'n.sqlite'}", plugins))
    config.include("podium")
    for name, title, kwargs in entries:
        config.add_podium_nav(name, title, **kwargs)
    commit_config(config)
    return webtest.TestApp(config.make_wsgi_app(), extra_environ={"HTTP_HOST": "localhost"})


def nav(app: webtest.TestApp) -> list[tuple[str, str, str]]:
    return [(a["data-plugin"], a.text, a["href"])
            for a in app.get("/").html.select("nav.podium-nav a")]


def test_a_host_entry_with_a_negative_weight_comes_before_the_front_pages(
        make_plugin, tmp_path) -> None:
    blog(make_plugin)
    app = host_app(tmp_path, "blog",
                   ("site.home", "Home", {"url": "/", "weight": -1}),
                   ("site.zero", "Zero", {"url": "/zero", "weight": 0}),
                   ("site.about", "About", {"url": "/about"}))
    assert [name for name, _, _ in nav(app)] == ["site.home", "blog", "site.zero", "site.about"]


def test_a_plugin_entry_with_a_negative_weight_comes_first_too(make_plugin, tmp_path) -> None:
    blog(make_plugin, extra='    config.add_podium_nav("blog.start", "Start", url="/s", weight=-5)')
    blog(make_plugin, "news")
    app = host_app(tmp_path, "blog news")
    assert [name for name, _, _ in nav(app)] == ["blog.start", "blog", "news"]


def test_the_introspection_category_lists_the_front_page_entries(make_plugin, tmp_path) -> None:
    blog(make_plugin, extra='    config.add_podium_nav("blog.feed", "Feed", url="/feed")')
    app = host_app(tmp_path, "blog")
    introspector = app.app.registry.introspector
    entries = {e["introspectable"]["name"]: e["introspectable"]
               for e in introspector.get_category("podium navigation")}
    assert set(entries) == {"blog", "blog.feed"}
    front = entries["blog"]
    assert (front["automatic"], front["plugin"], front["route_name"], front["weight"]) == (
        True, "blog", "blog.home", 0)
    assert (entries["blog.feed"]["automatic"], entries["blog.feed"]["weight"]) == (False, 100)
    related = introspector.related(front)
    assert [r.discriminator for r in related if r.category_name == "routes"] == ["blog.home"]


def test_the_host_replaces_a_front_page_entry_in_its_place(make_plugin, tmp_path) -> None:
    blog(make_plugin)
    blog(make_plugin, "news")
    app = host_app(tmp_path, "blog news",
                   ("blog", "Journal", {"url": "https://journal.example/"}))
    assert nav(app) == [("blog", "Journal", "https://journal.example/"),
                        ("news", "News", "/news/")]
    entries = [e["introspectable"] for e in
               app.app.registry.introspector.get_category("podium navigation")]
    (replacement,) = [e for e in entries if e["name"] == "blog"]
    assert (replacement["automatic"], replacement["replaces"], replacement["plugin"]) == (
        False, "blog", None)


def test_a_replacement_with_a_weight_moves(make_plugin, tmp_path) -> None:
    blog(make_plugin)
    blog(make_plugin, "news")
    app = host_app(tmp_path, "blog news", ("blog", "Blog", {"route_name": "blog.home",
                                                            "weight": 500}))
    assert nav(app) == [("news", "News", "/news/"), ("blog", "Blog", "/blog/")]


def test_a_plugin_may_replace_its_own_front_page_entry(make_plugin, tmp_path) -> None:
    own = '    config.add_podium_nav("blog", "Latest posts", route_name="blog.home")'
    blog(make_plugin, extra=own)
    assert nav(host_app(tmp_path, "blog")) == [("blog", "Latest posts", "/blog/")]


def test_another_plugin_may_not_replace_it(make_plugin, tmp_path) -> None:
    blog(make_plugin)
    blog(make_plugin, "news", extra='    config.add_podium_nav("blog", "Mine", url="/x")')
    with pytest.raises(PluginError, match=r"front-page entry of plugin 'blog'.*not plugin 'news'"):
        host_app(tmp_path, "blog news")
