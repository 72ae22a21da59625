"""Permissions declared by plugins, the roles' defaults from settings and
plugins, grants in the store and the pseudo-roles, through the whole app."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from podium.accounts import grants, service
from podium.api import Permission
from podium.plugins.errors import PluginConflictError, PluginDefinitionError
from podium.plugins.permissions import build_catalog, catalog_of
from podium.settings.types import SettingsError
from podium.store.sessions import tm_session
from podium.testing import PodiumTestApp, build_app

DECLARING = '''
from podium.api import EVERYONE, Permission, Plugin


def includeme(config):
    pass


plugin = Plugin(includeme=includeme, permissions=[PERMISSIONS], default_grants=GRANTS)
'''


def declaring(make_plugin, name="tasks", permissions='Permission("tasks.view", "View")',
              grants="{}"):
    make_plugin(name, DECLARING.replace("PERMISSIONS", permissions).replace("GRANTS", grants),
                target="PKG:plugin")


def notes_count(engine) -> int:
    with engine.connect() as conn:
        return conn.execute(text("SELECT count(*) FROM notes_note")).scalar_one()


def grant_in_store(app: PodiumTestApp, role: str, permission: str) -> None:
    with tm_session(app.app.registry["podium.engine"]) as session:
        grants.grant_permission(session, role, permission)


# -- declarations ------------------------------------------------------------------------


def test_the_core_and_the_notes_plugin_declare_their_permissions(podium_app):
    catalog = catalog_of(podium_app.registry)
    assert {"podium.admin", "podium.users"} <= set(catalog.declared)
    assert {n for n, d in catalog.declared.items() if d.owner == "notes"} == {
        "notes.view", "notes.create", "notes.edit", "notes.delete", "notes.edit_any",
        "notes.export"}
    # What an operator expects of a fresh site: read by all, written by users,
    # anyone's notes changed and exported by editors; the account page is every user's.
    defaults = catalog.defaults()
    assert defaults["everyone"] == {"notes.view"}
    assert defaults["authenticated"] == {"podium.account", "notes.view", "notes.create",
                                         "notes.edit", "notes.delete"}
    assert defaults["editor"] == {"notes.edit_any", "notes.export"}


@pytest.mark.parametrize("permissions, grants, problem", [
    ('Permission("view", "View")', "{}", "permission 'view' must be named 'tasks.<word>'"),
    ('Permission("notes.view", "View")', "{}",
     "permission 'notes.view' must be named 'tasks.<word>'"),
    ('"tasks.view"', "{}", "permissions must be a list of podium.api.Permission"),
    ('Permission("tasks.view"), Permission("tasks.view")', "{}", "declared twice"),
    ('Permission("tasks.view")', '{"editor": ["notes.view"]}',
     "default_grants['editor'] names 'notes.view', which it does not declare"),
    ('Permission("tasks.view")', '{"admin": ["tasks.view"]}', "admin role has every"),
    ('Permission("tasks.view")', '{"editor": "tasks.view"}', "not one string"),
])
def test_a_bad_declaration_stops_start_up_naming_the_plugin(make_plugin, podium_settings,
                                                             permissions, grants, problem):
    declaring(make_plugin, permissions=permissions, grants=grants)
    with pytest.raises(PluginDefinitionError, match="plugin 'tasks'") as info:
        build_app({**podium_settings, "podium.plugins": "notes tasks"})
    assert problem in str(info.value)


def test_a_role_setting_naming_an_undeclared_permission_stops_start_up(podium_settings):
    with pytest.raises(SettingsError) as info:
        build_app({**podium_settings, "podium.roles.editor": "notes.view notes.fly"})
    message = str(info.value)
    assert "podium.roles.editor" in message and "'notes.fly'" in message
    assert "notes.view" in message.split("declared permissions are:")[1]


def test_a_permission_of_a_plugin_that_is_not_enabled_is_undeclared(podium_settings):
    with pytest.raises(SettingsError, match=r"podium\.roles\.reader"):
        build_app({**podium_settings, "podium.plugins": "", "podium.roles.reader":
                   "notes.view"})


def test_two_owners_of_one_permission_are_refused_naming_both():
    with pytest.raises(PluginConflictError, match="declared by both 'notes' and 'other'"):
        build_catalog([("notes", [Permission("notes.view")], {}),
                       ("other", [Permission("notes.view")], {})], {})
    with pytest.raises(PluginConflictError, match="both 'podium' and 'rogue'"):
        build_catalog([("rogue", [Permission("podium.admin")], {})], {})


# -- defaults, the store, the pseudo-roles -----------------------------------------------


def test_the_notes_plugins_defaults(testapp, podium_engine, logged_in_app):
    testapp.get("/notes/api/notes", status=200)  # anyone reads
    testapp.post_json("/notes/api/notes", {"title": "anonymous"}, status=401)
    assert testapp.get("/notes/export.csv", status=303).location.startswith(
        "http://localhost/login")
    user = logged_in_app(login="user")
    user.post_json("/notes/api/notes", {"title": "a user's"},
                   headers={"X-CSRF-Token": user.csrf_token()}, status=201)
    user.get("/notes/export.csv", status=403)
    logged_in_app(login="ed", roles=["editor"]).get("/notes/export.csv", status=200)
    assert notes_count(podium_engine) == 1


@pytest.mark.podium_settings(**{"podium.roles.everyone": "notes.view notes.create"})
def test_a_setting_for_everyone_replaces_the_plugins_proposal(testapp, podium_engine,
                                                              logged_in_app):
    """How an operator opens a site to anonymous writers (the README)."""
    testapp.get("/notes/", status=200)
    testapp.post_json("/notes/api/notes", {"title": "anonymous"}, status=201)
    # Only what the setting names: not the export, nor changing the ownerless note.
    assert testapp.get("/notes/export.csv", expect_errors=True).status_int in (303, 401, 403)
    [note] = testapp.get("/notes/api/notes").json["items"]
    testapp.delete(note["url"], status=401)
    # Users keep the defaults proposed for them.
    writer = logged_in_app(login="writer")
    writer.post_json("/notes/api/notes", {"title": "mine"},
                     headers={"X-CSRF-Token": writer.csrf_token()}, status=201)
    assert notes_count(podium_engine) == 2


@pytest.mark.podium_settings(**{"podium.roles.everyone": "",
                                "podium.roles.authenticated": "notes.view"})
def test_authenticated_is_every_logged_in_user_and_nobody_else(testapp, logged_in_app,
                                                               podium_user, api_token):
    assert testapp.get("/notes/api/notes", expect_errors=True).status_int in (401, 403)
    logged_in_app().get("/notes/api/notes", status=200)
    podium_user("bot")
    token = api_token("bot")
    testapp.get("/notes/api/notes", headers={"Authorization": f"Bearer {token}"}, status=200)


@pytest.mark.podium_settings(**{"podium.roles.everyone": "", "podium.roles.authenticated": ""})
def test_store_grants_add_to_the_defaults_for_roles_and_pseudo_roles(testapp, podium_user,
                                                                     podium_engine):
    assert testapp.get("/notes/api/notes", expect_errors=True).status_int in (401, 403)
    grant_in_store(testapp, "everyone", "notes.view")
    testapp.get("/notes/api/notes", status=200)  # anonymous, from the store's grant
    podium_user("ed", roles=["editor"])
    testapp.login("ed")
    token = testapp.csrf_token()
    testapp.post_json("/notes/api/notes", {"title": "no"}, headers={"X-CSRF-Token": token},
                      status=403)
    grant_in_store(testapp, "editor", "notes.create")
    testapp.post_json("/notes/api/notes", {"title": "yes"}, headers={"X-CSRF-Token": token},
                      status=201)
    with tm_session(podium_engine) as session:
        grants.revoke_permission(session, "editor", "notes.create")
    testapp.post_json("/notes/api/notes", {"title": "again"}, headers={"X-CSRF-Token": token},
                      status=403)
    assert notes_count(podium_engine) == 1


def test_the_pseudo_roles_are_never_given_to_a_user(podium_user, podium_engine):
    podium_user("ann")
    with tm_session(podium_engine) as session:
        for role in ("everyone", "authenticated", "Everyone"):
            with pytest.raises(service.AccountError, match="pseudo-role"):
                service.grant(session, "ann", role)


def test_the_kit_refuses_a_permission_nobody_declares(podium_user):
    with pytest.raises(ValueError, match=r"no enabled plugin declares notes\.fly"):
        podium_user("ann", permissions=["notes.fly"])


def test_the_kit_grants_a_users_permissions_in_the_store(logged_in_app, podium_app):
    app = logged_in_app(["podium.users"], login="una")
    assert app.user.permissions == ("podium.users",)
    with tm_session(podium_app.registry["podium.engine"]) as session:
        assert grants.stored_permissions(session, app.user.roles) == {"podium.users"}
