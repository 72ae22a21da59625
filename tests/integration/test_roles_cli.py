"""``podium roles`` and ``podium check``'s list of views without a permission,
run through ``podium.cli.main`` on a real ini and a real database (SQLite;
PostgreSQL too when PODIUM_TEST_DATABASE_URL is set)."""

from __future__ import annotations

from accounts_kit import site_fixture  # noqa: F401 (the fixture "site")
from sqlalchemy import text

OPEN = '''
from pyramid.security import NO_PERMISSION_REQUIRED

from podium.api import Permission, Plugin


def page(request):
    return request.response


def includeme(config):
    config.add_route("open.page", "/page")
    config.add_view(page, route_name="open.page")
    config.add_route("open.free", "/free")
    config.add_view(page, route_name="open.free", permission=NO_PERMISSION_REQUIRED)
    config.add_route("open.kept", "/kept")
    config.add_view(page, route_name="open.kept", permission="open.see")


plugin = Plugin(includeme=includeme, permissions=[Permission("open.see", "See")])
'''


def stored(site) -> set[tuple[str, str]]:
    with site.engine.connect() as conn:
        return {tuple(r) for r in conn.execute(
            text("SELECT role, permission FROM podium_role_permission"))}


def test_grant_list_and_revoke_a_permission(site):
    assert site.ok("roles", "grant", "Editor", "notes.create").out == \
        "role 'editor' granted 'notes.create'\n"
    assert "already granted" in site.ok("roles", "grant", "editor", "notes.create").out
    site.ok("roles", "grant", "everyone", "podium.users")
    assert stored(site) == {("editor", "notes.create"), ("everyone", "podium.users")}
    listing = [line.split(None, 2) for line in site.ok("roles", "list").out.splitlines()]
    assert ["editor", "notes.create", "store"] in listing
    assert ["everyone", "notes.view", "proposed by a plugin"] in listing
    site.ok("roles", "revoke", "editor", "notes.create")
    assert stored(site) == {("everyone", "podium.users")}
    refused = site.podium("roles", "revoke", "editor", "notes.create")
    assert refused.code == 1 and "does not grant 'notes.create'" in refused.err


def test_revoking_a_default_says_where_it_comes_from(site):
    site.ok("roles", "grant", "everyone", "notes.view")
    run = site.ok("roles", "revoke", "everyone", "notes.view")
    assert "still has it by default: set podium.roles.everyone" in run.err


def test_an_undeclared_permission_or_the_admin_role_is_refused_and_nothing_written(site):
    for args, message in [(("editor", "notes.fly"), "no enabled plugin declares 'notes.fly'"),
                          (("admin", "notes.view"), "admin role has every permission"),
                          (("Bad Role", "notes.view"), "role name 'Bad Role' is not valid")]:
        run = site.podium("roles", "grant", *args)
        assert run.code == 1 and message in run.err, run.err
    assert stored(site) == set()


def test_permissions_lists_the_core_and_the_plugins_declarations(site):
    lines = [line.split(None, 2) for line in site.ok("roles", "permissions").out.splitlines()]
    assert ["podium.users", "podium", "Manage users"] in lines
    assert ["notes.edit_any", "notes", "Edit anyone's notes"] in lines


def test_check_lists_the_views_without_a_permission(site, make_plugin, monkeypatch):
    make_plugin("open", OPEN, target="PKG:plugin")
    monkeypatch.setenv("PODIUM_PLUGINS", "notes open")
    run = site.podium("check")
    assert run.code == 0, run.err
    warnings = [line for line in run.err.splitlines() if "warning:" in line]
    ours = [line for line in warnings if "(plugin 'open')" in line]
    assert len(ours) == 1, warnings
    assert "route 'open.page'" in ours[0] and "__init__.py:13 has no permission" in ours[0]
    assert not [line for line in warnings if "plugin 'notes'" in line]
    strict = site.podium("check", "--strict")
    assert strict.code == 1 and "route 'open.page'" in strict.err and "problem(s)" in strict.err
