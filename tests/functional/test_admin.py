"""The admin console through the whole WSGI app: who may open it, CSRF on
every change, the audit log written with the change (and not without it),
secrets masked, and the pages plugins add with ``config.add_admin_page``."""

from __future__ import annotations

import re

import pytest
from pyramid.exceptions import ConfigurationError
from sqlalchemy import select, text

from podium.accounts.models import Membership, Role, User
from podium.plugins.errors import PluginConflictError
from podium.testing import PodiumTestApp, base_settings, build_app, migrate

pytestmark = pytest.mark.podium_plugins("notes")

ADMIN_ROUTES_ARGS = {"name": "notes", "login": "tester", "action": "disable"}


def admin_app(logged_in_app):
    return logged_in_app(roles=["admin"], login="boss")


def audit_rows(engine) -> list[tuple]:
    with engine.connect() as conn:
        return [tuple(r) for r in conn.execute(text(
            "SELECT login, action, target, address, user_agent FROM podium_audit_log "
            "ORDER BY id"))]


def admin_routes(registry) -> list[tuple[str, str]]:
    """Every console route, with a URL built for it, from the introspector."""
    found = []
    for entry in registry.introspector.get_category("routes"):
        route = entry["introspectable"]
        if route["name"].startswith("podium.admin"):
            pattern = route["pattern"]
            path = re.sub(r"\{(\w+)\}", lambda m: ADMIN_ROUTES_ARGS[m.group(1)], pattern)
            found.append((route["name"], path))
    return found


def test_anonymous_is_sent_to_the_login(testapp):
    res = testapp.get("/admin", status=303)
    assert "/login" in res.headers["Location"] and "next=" in res.headers["Location"]


def test_without_podium_admin_every_console_route_is_403(podium_app, logged_in_app):
    app = logged_in_app(permissions=["notes.view"])
    routes = admin_routes(podium_app.registry)
    assert len(routes) >= 9
    for name, path in routes:
        if name != "podium.admin.user_action":  # POST only: a GET is a 405 for anyone
            app.get(path, status=403)
        if name in ("podium.admin.user_action", "podium.admin.user_new"):
            app.post_form(path, {"role": "admin"}, status=403)
    assert audit_rows(podium_app.registry["podium.engine"]) == []


def test_podium_users_opens_users_and_roles_only(podium_app, logged_in_app):
    app = logged_in_app(permissions=["podium.users"], login="clerk")
    app.get("/admin/users", status=200)
    app.get("/admin/roles", status=200)
    app.get("/admin", status=403)
    page = app.get("/admin/users/clerk", status=200)
    nav = page.html.select("nav.podium-admin-nav a")
    assert [a.text for a in nav] == ["Users", "Roles"]


def test_the_overview_lists_versions_plugins_order_and_problems(logged_in_app):
    page = admin_app(logged_in_app).get("/admin", status=200)
    plugins = page.html.select("#podium-admin-plugins tbody tr")
    first = [td.text.strip() for td in plugins[0].select("td")]
    assert first[:2] == ["1", "notes"] and first[3] == "enabled"
    assert "listed 1st in podium.plugins" in first[4]
    assert page.html.select_one("#podium-admin-problems") is not None
    assert "current" in page.text
    nav = [a.text for a in page.html.select("nav.podium-admin-nav a")]
    assert nav[:5] == ["Overview", "Users", "Roles", "Audit log", "Health"]
    assert "Notes moderation" in nav


def test_the_overview_sees_the_recorded_revisions_change(podium_app, logged_in_app):
    """The schema's status is remembered per recorded revisions, not for the
    process: a revision the code does not know shows on the next page, and
    its removal too."""
    app = admin_app(logged_in_app)
    assert "Schema</th><td>current" in app.get("/admin").text
    engine = podium_app.registry["podium.engine"]
    with engine.begin() as conn:
        conn.execute(text("INSERT INTO alembic_version VALUES ('stranger_0001')"))
    try:
        schema = app.get("/admin").html.find("th", string="Schema").find_next("td").text
        assert schema.startswith("not current") and "stranger_0001" in schema
    finally:
        with engine.begin() as conn:
            conn.execute(text("DELETE FROM alembic_version "
                              "WHERE version_num = 'stranger_0001'"))
    assert "Schema</th><td>current" in app.get("/admin").text


def test_the_plugin_page_shows_views_permissions_and_branch(logged_in_app):
    page = admin_app(logged_in_app).get("/admin/plugins/notes", status=200)
    views = {(tr.select("td")[0].text, tr.select("td")[2].text): tr.select("td")[3].text
             for tr in page.html.select("#podium-admin-plugin-views tbody tr")}
    assert views[("notes.list", "GET")] == "notes.view"
    assert views[("notes.moderation", "GET")] == "podium.admin"
    assert "notes.edit_any" in page.text
    branch = page.html.select_one("#podium-admin-plugin-branch").text
    assert "notes_note" in branch
    settings = {tr.select("td")[0].text: [td.text for td in tr.select("td")]
                for tr in page.html.select("#podium-admin-plugin-settings tbody tr")}
    assert settings["notes.page_size"][2] == "default"
    # podium.slots (another branch) records contributions by category name: none here.
    assert page.html.select_one("#podium-admin-plugin-slots").text.strip() == "none"


def test_an_unknown_plugin_is_404(logged_in_app):
    admin_app(logged_in_app).get("/admin/plugins/ghost", status=404)


@pytest.mark.podium_settings(**{"notes.page_size": "7"})
def test_a_setting_from_the_ini(logged_in_app):
    page = admin_app(logged_in_app).get("/admin/plugins/notes")
    row = next(tr for tr in page.html.select("#podium-admin-plugin-settings tbody tr")
           if tr.select("td")[0].text == "notes.page_size")
    assert [td.text for td in row.select("td")][1:3] == ["7", "ini"]


def test_core_secret_is_masked(logged_in_app, podium_app):
    page = admin_app(logged_in_app).get("/admin")
    secret = podium_app.registry.settings["podium.secret"]
    assert secret not in page.text
    row = next(tr for tr in page.html.select("#podium-admin-core-settings tbody tr")
           if tr.select("td")[0].text == "podium.secret")
    assert row.select("td")[1].text == "••••••••"


def test_a_plugins_secret_setting_is_masked(make_plugin, tmp_path, monkeypatch):
    monkeypatch.setenv("PODIUM_VAULT_TOKEN", "env-token-value-42")
    make_plugin("vault", """
        from podium.api import Plugin, Setting
        def includeme(config):
            pass
        plugin = Plugin(includeme=includeme, settings=[
            Setting("password", secret=True, description="the vault's password"),
            Setting("token", secret=True), Setting("colour", default="blue")])
    """, target="PKG:plugin")
    url = f"sqlite:///{tmp_path / 'p.sqlite'}"
    migrate(url)
    app = build_app({**base_settings(url, "vault"), "vault.password": "hunter2-very-secret",
                     "podium.read_environment": "true"})
    from podium.testing.accounts import make_user

    make_user(app.registry, "boss", roles=["admin"])
    client = PodiumTestApp(app, extra_environ={"HTTP_HOST": "localhost"})
    client.login("boss")
    page = client.get("/admin/plugins/vault")
    assert "hunter2-very-secret" not in page.text and "env-token-value-42" not in page.text
    rows = {tr.select("td")[0].text: [td.text for td in tr.select("td")]
            for tr in page.html.select("#podium-admin-plugin-settings tbody tr")}
    assert rows["vault.password"][1:3] == ["••••••••", "ini"]
    assert rows["vault.token"][1:3] == ["••••••••", "environment"]
    assert rows["vault.colour"][1:3] == ["blue", "default"]
    app.registry["podium.engine"].dispose()


def test_granting_a_role_is_audited_in_the_same_transaction(podium_app, logged_in_app,
                                                            podium_user):
    app = admin_app(logged_in_app)
    podium_user("ed")
    res = app.post_form("/admin/users/ed/grant", {"role": "editor"},
                        headers={"User-Agent": "TestBrowser/1.0 " + "x" * 300},
                        extra_environ={"REMOTE_ADDR": "203.0.113.9"}, status=302)
    assert res.headers["Location"].endswith("/admin/users/ed")
    assert "now has the role editor" in res.follow().text
    engine = podium_app.registry["podium.engine"]
    [entry] = audit_rows(engine)
    assert entry[:4] == ("boss", "user.grant", "ed", "203.0.113.9")
    assert entry[4].startswith("TestBrowser/1.0 ") and len(entry[4]) == 200  # trimmed
    audit = app.get("/admin/audit")
    assert "user.grant" in audit.text and "role=editor" in audit.text


def test_a_change_without_csrf_is_403_and_changes_nothing(podium_app, logged_in_app,
                                                         podium_user):
    app = admin_app(logged_in_app)
    podium_user("ed")
    app.post("/admin/users/ed/grant", {"role": "editor"}, status=403)
    app.post("/admin/users/ed/disable", {"csrf_token": "forged"}, status=403)
    engine = podium_app.registry["podium.engine"]
    with engine.connect() as conn:
        assert conn.execute(select(Role).where(Role.name == "editor")).first() is None
        assert conn.execute(select(User.active).where(User.login == "ed")).scalar() is True
    assert audit_rows(engine) == []


def test_a_refused_change_is_400_and_leaves_no_audit_entry(podium_app, logged_in_app,
                                                          podium_user):
    app = admin_app(logged_in_app)
    podium_user("ed")
    page = app.post_form("/admin/users/ed/revoke", {"role": "editor"}, status=400)
    assert "does not have the role" in page.html.select_one("[role=alert]").text
    page = app.post_form("/admin/users/new", {"login": "newbie", "password": "short",
                                              "password_again": "short"}, status=400)
    assert "password refused" in page.text and 'value="newbie"' in page.text
    app.post_form("/admin/users/ed/password", {"password": "a long pass phrase 9",
                                               "password_again": "another one"}, status=400)
    engine = podium_app.registry["podium.engine"]
    assert audit_rows(engine) == []
    with engine.connect() as conn:
        assert conn.execute(select(User).where(User.login == "newbie")).first() is None


def test_an_audited_change_rolled_back_leaves_no_entry(podium_app, logged_in_app,
                                                      podium_user):
    """The entry is on the change's session: a transaction that fails at commit
    (a concurrent change took the role name) loses both."""
    app = admin_app(logged_in_app)
    podium_user("ed")
    engine = podium_app.registry["podium.engine"]
    with engine.begin() as conn:  # a trigger stands for the failure at commit
        if engine.dialect.name != "sqlite":
            pytest.skip("the failing trigger is written for SQLite")
        conn.execute(text("CREATE TRIGGER refuse_editor BEFORE INSERT ON podium_membership "
                          "BEGIN SELECT RAISE(ABORT, 'refused by a test trigger'); END"))
    try:
        app.post_form("/admin/users/ed/grant", {"role": "editor"}, status=500,
                      expect_errors=True)
    finally:
        with engine.begin() as conn:
            conn.execute(text("DROP TRIGGER refuse_editor"))
    assert audit_rows(engine) == []


def test_create_disable_enable_reset_and_revoke_token(podium_app, logged_in_app, api_token):
    app = admin_app(logged_in_app)
    app.post_form("/admin/users/new", {"login": "Newbie", "display_name": "New Bie",
                                       "password": "a long pass phrase 9",
                                       "password_again": "a long pass phrase 9",
                                       "role": "editor"}, status=302)
    app.post_form("/admin/users/newbie/disable", status=302)
    app.post_form("/admin/users/newbie/enable", status=302)
    app.post_form("/admin/users/newbie/password", {"password": "another pass phrase 8",
                                                   "password_again": "another pass phrase 8"},
                  status=302)
    api_token("newbie")
    page = app.get("/admin/users/newbie")
    token_id = page.html.select_one("#podium-admin-user-tokens input[name=token]")["value"]
    app.post_form("/admin/users/newbie/revoke-token", {"token": token_id}, status=302)
    app.post_form("/admin/users/newbie/revoke-token", {"token": token_id}, status=400)
    actions = [row[1] for row in audit_rows(podium_app.registry["podium.engine"])]
    assert actions == ["user.add", "user.disable", "user.enable", "user.password",
                       "token.revoke"]
    app.post_form("/admin/users/boss/disable", status=400)  # not oneself


def test_user_search_and_pages(logged_in_app, podium_user):
    app = admin_app(logged_in_app)
    podium_user("alice")
    podium_user("bob")
    page = app.get("/admin/users", {"q": "ALI"})
    assert [a.text for a in page.html.select("#podium-admin-users tbody a")] == ["alice"]
    app.get("/admin/users", {"page": "0"}, status=400)
    app.get("/admin/users", {"page": "x"}, status=400)
    app.get("/admin/audit", {"page": "-1"}, status=400)


def test_the_user_list_is_paginated(logged_in_app, podium_user):
    app = admin_app(logged_in_app)
    for number in range(55):
        podium_user(f"user{number:02d}")
    first = app.get("/admin/users")
    assert len(first.html.select("#podium-admin-users tbody tr")) == 50
    second = first.click("Next")
    logins = [a.text for a in second.html.select("#podium-admin-users tbody a")]
    assert logins == ["user49", "user50", "user51", "user52", "user53", "user54"]
    assert "Page 2 of 2" in second.text


def test_other_methods_are_405(logged_in_app):
    app = admin_app(logged_in_app)
    app.get("/admin/users/boss/grant", status=405)
    app.put("/admin", status=405)


def test_health_details(logged_in_app):
    app = admin_app(logged_in_app)
    found = app.get("/admin/health", headers={"Accept": "*/*"}).json
    assert found["status"] == "ok" and found["schema"]["current"] is True
    assert found["database"]["latency_ms"] >= 0 and "class" in found["pool"]
    assert {"name": "notes", "state": "enabled", "position": 1,
            "detail": "listed 1st in podium.plugins"} in found["plugins"]
    page = app.get("/admin/health", headers={"Accept": "text/html"})
    assert page.content_type == "text/html" and "Health: ok" in page.text


def test_notes_moderation_deletes_any_note(podium_app, logged_in_app):
    writer = logged_in_app(permissions=["notes.create", "notes.view"], login="writer")
    writer.post_form("/notes/new", {"title": "Spam", "body": "buy"}, status=302)
    app = admin_app(logged_in_app)
    page = app.get("/notes/moderation")
    assert "Spam" in page.text and "writer" in page.text
    form = page.html.select_one("#notes-moderation form")
    writer.post_form(form["action"], status=403)
    app.post_form(form["action"], status=302)
    after = app.get("/notes/moderation")
    assert "deleted" in after.text
    assert "Spam" not in after.html.select_one("#notes-moderation").text
    audit = app.get("/admin/audit")  # the deletion is in the audit log, by the admin
    assert "notes.delete" in audit.text and "Spam" in audit.text


def test_add_admin_page_needs_a_route_and_a_declared_permission(make_plugin, tmp_path):
    url = f"sqlite:///{tmp_path / 'p.sqlite'}"
    make_plugin("gadget", """
        def includeme(config):
            config.add_admin_page("gadget", "Gadget", "gadget.missing")
    """)
    with pytest.raises(ConfigurationError, match=r"route 'gadget\.missing' is not a route"):
        build_app(base_settings(url, "gadget"))
    make_plugin("widget", """
        def includeme(config):
            config.add_route("widget.admin", "/admin-page")
            config.add_admin_page("widget", "Widget", "widget.admin", permission="nope.x")
    """)
    with pytest.raises(ConfigurationError, match=r"permission 'nope\.x' is not declared"):
        build_app(base_settings(url, "widget"))


def test_two_admin_pages_of_one_name_conflict(make_plugin, tmp_path):
    make_plugin("twin", """
        def includeme(config):
            config.add_route("twin.a", "/a")
            config.add_admin_page("users", "Mine", "twin.a")
    """)
    with pytest.raises(PluginConflictError, match="'podium admin page', 'users'"):
        build_app(base_settings(f"sqlite:///{tmp_path / 'p.sqlite'}", "twin"))


def test_membership_rows_kept_in_step(podium_app, logged_in_app, podium_user):
    """Granting then revoking through the console leaves the user as it was."""
    app = admin_app(logged_in_app)
    podium_user("ed")
    app.post_form("/admin/users/ed/grant", {"role": "editor"}, status=302)
    app.post_form("/admin/users/ed/revoke", {"role": "editor"}, status=302)
    with podium_app.registry["podium.engine"].connect() as conn:
        assert conn.execute(select(Membership).join(User).where(User.login == "ed")).all() == []
    assert [r[1] for r in audit_rows(podium_app.registry["podium.engine"])] == [
        "user.grant", "user.revoke"]




STRAY = """from podium.api import Plugin


def includeme(config):
    config.add_slot_content("notes.nowhere", lambda request: "x")


plugin = Plugin(includeme=includeme, hookimpls="PKG.impls")
"""
MISSPELT = """from podium.api import hookimpl


@hookimpl
def notes_validte(request):
    return None
"""


def test_the_overview_problems_include_check_s_warnings(make_plugin, tmp_path):
    """A contribution to a slot no template renders, and an implementation of a hook
    nobody declares, are on the overview as ``podium check`` warns about them."""
    from podium.admin.overview import problems

    make_plugin("stray", STRAY, files={"impls.py": MISSPELT}, target="PKG:plugin")
    url = f"sqlite:///{tmp_path / 'p.sqlite'}"
    migrate(url)
    app = build_app(base_settings(url, "notes stray"))
    try:
        found = "\n".join(problems(app.registry, ""))
    finally:
        app.registry["podium.engine"].dispose()
    assert "notes.nowhere" in found
    assert "implements hook 'notes_validte'" in found
