"""Default deny, checked: every view of the core and of the bundled plugins
has a permission or is declared public, asserted over the introspector's
whole list of views (the one ``podium check`` reads), not a hand-kept list."""

from __future__ import annotations

from pathlib import Path

import pytest

from podium.plugins.permissions import unprotected_views

BUNDLED = sorted(p.name.removeprefix("podium_") for p in
                 (Path(__file__).resolve().parents[2] / "plugins").iterdir()
                 if (p / "pyproject.toml").exists() or (p / "setup.cfg").exists())


def listed(app) -> list[str]:
    return [str(view) for view in unprotected_views(app.registry)]


@pytest.mark.podium_plugins("notes")
def test_the_notes_plugin_and_the_core_outside_web_have_no_unprotected_view(podium_app):
    views = listed(podium_app)
    assert [v for v in views if "podium/web/" not in v] == []


def test_no_view_of_the_core_or_the_bundled_plugins_is_unprotected(podium_settings):
    from podium.testing import build_app

    app = build_app({**podium_settings, "podium.plugins": " ".join(BUNDLED)})
    try:
        assert listed(app) == []
    finally:
        app.registry["podium.engine"].dispose()


OPEN = '''
from pyramid.httpexceptions import HTTPNotFound
from pyramid.security import NO_PERMISSION_REQUIRED

from podium.api import PUBLIC, Permission, Plugin


def page(request):
    return request.response


def includeme(config):
    config.add_route("open.page", "/page")
    config.add_view(page, route_name="open.page")
    config.add_route("open.free", "/free")
    config.add_view(page, route_name="open.free", permission=PUBLIC)
    config.add_view(page, route_name="open.free", request_method="POST",
                    permission=NO_PERMISSION_REQUIRED)
    config.add_route("open.kept", "/kept")
    config.add_view(page, route_name="open.kept", permission="open.see")
    config.add_exception_view(page, context=HTTPNotFound, route_name="open.kept")
    config.add_notfound_view(page, route_name="open.page")
    config.add_static_view("files", "PKG:files")


plugin = Plugin(includeme=includeme, permissions=[Permission("open.see", "See")])
'''


def test_the_rule_lists_only_views_without_a_permission_or_public(make_plugin,
                                                                  production_like_apps):
    make_plugin("open", OPEN, target="PKG:plugin", files={"files/a.txt": "a"})
    app = production_like_apps("open").app
    views = [v for v in unprotected_views(app.registry) if v.owner != "the core"]
    assert [(v.route_name, v.owner, Path(v.file).name, v.line) for v in views] == [
        ("open.page", "plugin 'open'", "__init__.py", 14)]
    # Pyramid enforces what the check reads: the open page is served to anyone.
    from webtest import TestApp

    client = TestApp(app, extra_environ={"HTTP_HOST": "localhost"})
    client.get("/open/free", status=200)
    assert client.get("/open/kept", expect_errors=True).status_int in (303, 401, 403)
