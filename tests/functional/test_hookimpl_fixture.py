"""The test kit's ``podium_hookimpl``: a hook implemented for one test, without a
plugin distribution, and gone afterwards."""

from __future__ import annotations

import pytest
from markupsafe import Markup

from podium.api import HomeSection, hookimpl, hooks
from podium.hooks.manager import HookError


@pytest.mark.podium_plugins("notes")
def test_a_temporary_home_section_is_shown(testapp, podium_hookimpl):
    def podium_home_sections(request):
        return [HomeSection("From a test", Markup("<p id=from-test>hello</p>"))]

    podium_hookimpl(podium_home_sections)
    res = testapp.get("/")
    assert res.html.select_one("#from-test").text == "hello"


@pytest.mark.podium_plugins("notes")
def test_it_runs_first_and_may_be_marked(podium_app, podium_hookimpl):
    seen = []

    @hookimpl(trylast=True)
    def later(registry):
        seen.append("trylast")

    def first(registry):
        seen.append("first")

    podium_hookimpl(later, hook="podium_configured")
    podium_hookimpl(first, hook="podium_configured")
    hooks(podium_app.registry).podium_configured(registry=podium_app.registry)
    assert seen == ["first", "trylast"]


@pytest.mark.podium_plugins("notes")
def test_an_undeclared_hook_or_a_foreign_argument_is_refused(podium_app, podium_hookimpl):
    with pytest.raises(HookError, match="no enabled plugin declares hook 'notes_typo'"):
        podium_hookimpl(lambda request: None, hook="notes_typo")
    with pytest.raises(Exception, match="can not be found in the hookspec"):
        podium_hookimpl(lambda registry, extra: None, hook="podium_configured")


@pytest.mark.podium_plugins("notes")
def test_what_it_returns_removes_it(podium_app):
    from podium.hooks.temporary import add_temporary_impl

    calls = []
    remove = add_temporary_impl(podium_app.registry, lambda registry: calls.append(1),
                                hook="podium_configured")
    hooks(podium_app.registry).podium_configured(registry=podium_app.registry)
    remove()
    hooks(podium_app.registry).podium_configured(registry=podium_app.registry)
    assert calls == [1]


@pytest.mark.podium_plugins("notes")
def test_it_is_registered_as_its_one_function(podium_app, podium_hookimpl):
    """As a plugin's implementations are: an object whose ``dir()`` is the hook's
    name alone (pluggy examines every name it lists), its function under it."""
    from podium.hooks import hooks_of

    def elsewhere(registry):
        return None

    podium_hookimpl(elsewhere, hook="podium_configured")
    manager = hooks_of(podium_app.registry).manager
    temporary = [plugin for name, plugin in manager.list_name_plugin()
                 if name.startswith("test:")]
    assert [dir(plugin) for plugin in temporary] == [["podium_configured"]]
    assert vars(temporary[0]) == {"podium_configured": elsewhere}
