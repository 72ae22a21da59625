"""The layout's account area ("Log in", or the user's name and "Log out") and
navigation entries hidden by permission, through the whole app."""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import parse_qs, urlsplit

import pytest
from security_kit import CHEAP, add_user, engine_of, log_in

from podium.testing import PodiumTestApp

SHELF = '''
from pyramid.httpexceptions import HTTPServiceUnavailable
from pyramid.security import NO_PERMISSION_REQUIRED

try:
    from podium.api import Permission
except ImportError:  # a core before plugins declared their permissions
    permissions = []
else:
    permissions = [Permission("shelf.view", "See the shelf"),
                   Permission("shelf.edit", "Change the shelf")]

title = "Shelf"
front_page = "shelf.home"
PAGE = "PKG:page.jinja2"


def page(request):
    return {}


def down(request):
    raise HTTPServiceUnavailable("down for a moment")


def includeme(config):
    public = NO_PERMISSION_REQUIRED
    config.add_route("shelf.home", "/")
    config.add_view(page, route_name="shelf.home", renderer=PAGE, permission=public)
    config.add_route("shelf.books", "/books")
    config.add_view(page, route_name="shelf.books", renderer=PAGE, permission="shelf.view")
    config.add_route("shelf.edit", "/edit")
    config.add_view(page, route_name="shelf.edit", renderer=PAGE, permission="shelf.edit")
    config.add_route("shelf.down", "/down")
    config.add_view(down, route_name="shelf.down", permission=public)
    config.add_podium_nav("shelf.books", "Books", route_name="shelf.books",
                          permission="shelf.view")
    config.add_podium_nav("shelf.edit", "Edit", route_name="shelf.edit",
                          permission="shelf.edit")
    config.add_podium_nav("shelf.help", "Help", url="/shelf/help")
'''

#: A plugin template reading request.identity itself.
PAGE = """{% extends "podium:templates/layout.jinja2" %}
{% block content %}<p id="who">{{ request.identity.login if request.identity else "nobody" }}</p>
<p id="entries">{% for e in podium_navigation(request) %}{{ e.name }} {% endfor %}</p>
{% endblock %}
"""

ROLES = {"podium.roles.reader": "shelf.view",
         "podium.roles.editor": "shelf.view shelf.edit"}


@pytest.fixture
def site(make_plugin: Callable[..., str],
         production_like_apps: Callable[..., PodiumTestApp]) -> Callable[..., PodiumTestApp]:
    make_plugin("shelf", SHELF, files={"page.jinja2": PAGE})

    def build(**settings: str) -> PodiumTestApp:
        return production_like_apps("shelf", **{**CHEAP, **ROLES, **settings})

    return build


def nav(res) -> list[str]:
    return [a["data-plugin"] for a in res.html.select("nav.podium-nav a")]


def account(res):
    return res.html.select_one("header.podium-header div.podium-account")


# -- the account area -------------------------------------------------------------------------

def test_nobody_sees_log_in_leading_back_to_the_page(site):
    app = site()
    res = app.get("/shelf/?page=2")
    assert res.html.select_one("#who").text == "nobody"
    area = account(res)
    link = area.select_one("a#podium-account-login")
    assert link.text == "Log in"
    parts = urlsplit(link["href"])
    assert parts.path == "/login" and parse_qs(parts.query) == {"next": ["/shelf/?page=2"]}
    assert area.select_one("form") is None
    assert "podium_session" not in app.cookies  # showing "Log in" made no session
    # The login page's own link does not send one back to the login page.
    login_page = app.get("/login")
    assert account(login_page).select_one("a")["href"] == "/login"


def test_a_user_sees_their_name_and_logs_out_with_the_button(site):
    app = site()
    add_user(engine_of(app), "ed", "reader")
    log_in(app, "ed", status=302)
    res = app.get("/shelf/")
    assert res.html.select_one("#who").text == "ed"  # templates see request.identity
    area = account(res)
    assert area.select_one(".podium-account-name").text == "ed"
    assert area.select_one("a#podium-account-login") is None
    form = res.forms["podium-account-logout"]
    assert form.method.upper() == "POST" and form.action == "/logout"
    assert form["csrf_token"].value == app.csrf_token()
    form.submit(status=302)
    res = app.get("/shelf/")
    assert res.html.select_one("#who").text == "nobody"
    assert account(res).select_one("a#podium-account-login").text == "Log in"


def test_the_logout_button_without_its_token_logs_nobody_out(site):
    app = site()
    add_user(engine_of(app), "ed", "reader")
    log_in(app, "ed", status=302)
    app.post("/logout", {"csrf_token": "forged"}, status=403)
    assert app.get("/shelf/").html.select_one("#who").text == "ed"


def test_error_pages_of_failures_look_nobody_up(site):
    app = site()
    add_user(engine_of(app), "ed", "reader")
    log_in(app, "ed", status=302)
    assert account(app.get("/nowhere", status=404)).select_one(".podium-account-name")
    res = app.get("/shelf/down", status=503)
    assert account(res) is None
    assert nav(res) == ["shelf", "shelf.help"]  # entries needing a permission left out


# -- entries hidden by permission ---------------------------------------------------------

@pytest.mark.parametrize(("roles", "expected"), [
    ((), ["shelf", "shelf.help"]),
    (("reader",), ["shelf", "shelf.books", "shelf.help"]),
    (("editor",), ["shelf", "shelf.books", "shelf.edit", "shelf.help"]),
    (("admin",), ["shelf", "shelf.books", "shelf.edit", "shelf.help"]),
])
def test_entries_show_only_with_their_permission(site, roles, expected):
    app = site()
    add_user(engine_of(app), "ed", *roles)
    log_in(app, "ed", status=302)
    assert nav(app.get("/shelf/")) == expected


def test_nobody_sees_no_guarded_entry_and_the_markup_is_not_shared(site):
    """The rendered <nav> is kept per set of hidden entries: a user's is never
    served to nobody, nor nobody's to the user."""
    app = site()
    add_user(engine_of(app), "ed", "editor")
    anonymous = site()
    assert nav(anonymous.get("/shelf/")) == ["shelf", "shelf.help"]
    log_in(app, "ed", status=302)
    assert nav(app.get("/shelf/")) == ["shelf", "shelf.books", "shelf.edit", "shelf.help"]
    assert nav(anonymous.get("/shelf/")) == ["shelf", "shelf.help"]
    # One app, both visitors in turn.
    res = app.get("/shelf/books")
    assert res.html.select_one('nav a[aria-current="page"]')["data-plugin"] == "shelf.books"
    app.get("/logout").forms["podium-logout-form"].submit(status=302)
    assert nav(app.get("/shelf/")) == ["shelf", "shelf.help"]
    assert nav(app.get("/shelf/")) == ["shelf", "shelf.help"]


def test_podium_navigation_gives_the_same_entries(site):
    app = site()
    add_user(engine_of(app), "ed", "reader")
    assert app.get("/shelf/").html.select_one("#entries").text.split() == [
        "shelf", "shelf.help"]
    log_in(app, "ed", status=302)
    assert app.get("/shelf/").html.select_one("#entries").text.split() == [
        "shelf", "shelf.books", "shelf.help"]


def test_a_permission_that_is_not_a_name_stops_start_up(make_plugin, production_like_apps):
    from podium.api import PluginError

    make_plugin("bad", 'def includeme(config):\n'
                       '    config.add_podium_nav("bad.x", "X", url="/x", permission="")\n')
    with pytest.raises(PluginError, match="permission must be a permission name"):
        production_like_apps("bad")
