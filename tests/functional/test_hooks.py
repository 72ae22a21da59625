"""Hooks between real plugin distributions: order, pluggy's semantics, the
start-up checks and the fault policy, through the whole app."""

from __future__ import annotations

import logging

import pytest
import webtest

from podium.api import HookError, hook_results, hooks
from podium.hooks import hooks_of
from podium.testing import build_app

SPECS = '''
from podium.api import hookspec


@hookspec{options}
def collect(value):
    """Each plugin's contribution."""
'''

PLUGIN = '''
from pyramid.response import Response
from podium.api import Plugin, PUBLIC


def page(request):
    return Response(",".join(map(str, request.hooks.collect(value=1))))


def includeme(config):
    {routes}


plugin = Plugin(includeme=includeme, {fields})
'''


def add_owner(make_plugin, options: str = "", name: str = "owner") -> None:
    routes = (f'config.add_route("{name}.page", "/page")\n'
              f'    config.add_view(page, route_name="{name}.page", permission=PUBLIC)')
    make_plugin(name, PLUGIN.format(routes=routes, fields="hookspecs='PKG.specs'"),
                target="PKG:plugin", files={"specs.py": SPECS.format(options=options)})


def add_impl(make_plugin, name: str, body: str = "", marker: str = "@hookimpl",
             signature: str = "value", hook: str = "collect") -> None:
    body = body or f"return {name!r}"
    code = (f"from podium.api import hookimpl\n\n\n{marker}\n"
            f"def {hook}({signature}):\n    {body}\n")
    make_plugin(name, PLUGIN.format(routes="pass", fields="hookimpls='PKG.impls'"),
                target="PKG:plugin", files={"impls.py": code})


def collect(app) -> list:
    return hooks(app.registry).collect(value=1)


def test_implementations_run_in_the_plugin_order(make_plugin, settings):
    add_owner(make_plugin)
    for name in ("gamma", "alpha", "beta"):
        add_impl(make_plugin, name)
    app = build_app(settings("owner gamma alpha beta"))
    assert collect(app) == ["gamma", "alpha", "beta"]
    app = build_app(settings("owner beta gamma alpha"))
    assert collect(app) == ["beta", "gamma", "alpha"]


def test_views_call_hooks_through_the_request(make_plugin, settings):
    add_owner(make_plugin)
    add_impl(make_plugin, "alpha", "return value + 1")
    add_impl(make_plugin, "beta", "return value + 2")
    app = webtest.TestApp(build_app(settings("owner alpha beta")))
    assert app.get("/owner/page").text == "2,3"


def test_tryfirst_and_trylast_win_over_the_plugin_order(make_plugin, settings):
    add_owner(make_plugin)
    add_impl(make_plugin, "alpha", marker="@hookimpl(trylast=True)")
    add_impl(make_plugin, "beta")
    add_impl(make_plugin, "gamma", marker="@hookimpl(tryfirst=True)")
    assert collect(build_app(settings("owner alpha beta gamma"))) == ["gamma", "beta", "alpha"]


def test_firstresult_returns_the_first_value_that_is_not_none(make_plugin, settings):
    add_owner(make_plugin, "(firstresult=True)")
    add_impl(make_plugin, "alpha", "return None")
    add_impl(make_plugin, "beta")
    add_impl(make_plugin, "gamma")
    assert collect(build_app(settings("owner alpha beta gamma"))) == "beta"


def test_a_wrapper_runs_around_the_others(make_plugin, settings):
    add_owner(make_plugin)
    add_impl(make_plugin, "alpha", "result = yield\n    return ['before'] + result + ['after']",
             marker="@hookimpl(wrapper=True)")
    add_impl(make_plugin, "beta")
    assert collect(build_app(settings("owner alpha beta"))) == ["before", "beta", "after"]


def test_before_and_after_name_other_plugins(make_plugin, settings):
    add_owner(make_plugin)
    add_impl(make_plugin, "alpha", marker='@hookimpl(after=["gamma"])')
    add_impl(make_plugin, "beta")
    add_impl(make_plugin, "gamma", marker='@hookimpl(before=["beta"], after=["absent"])')
    app = build_app(settings("owner alpha beta gamma"))
    assert collect(app) == ["gamma", "alpha", "beta"]
    reasons = [impl.reason for impl in hooks_of(app.registry).impls["collect"]]
    assert "gamma asks to come after" not in reasons[0]
    assert "after gamma (alpha asks to come after gamma)" in reasons[1]
    assert "after gamma (gamma asks to come before beta)" in reasons[2]


def test_a_hint_naming_a_plugin_that_is_not_enabled_is_ignored(make_plugin, settings):
    add_owner(make_plugin)
    add_impl(make_plugin, "alpha", marker='@hookimpl(after=["beta"])')
    add_impl(make_plugin, "beta")
    assert collect(build_app(settings("owner alpha"))) == ["alpha"]


def test_a_cycle_of_hints_is_a_start_up_error_naming_the_plugins(make_plugin, settings):
    add_owner(make_plugin)
    add_impl(make_plugin, "alpha", marker='@hookimpl(after=["beta"])')
    add_impl(make_plugin, "beta", marker='@hookimpl(after=["alpha"])')
    add_impl(make_plugin, "gamma")
    with pytest.raises(HookError) as caught:
        build_app(settings("owner alpha beta gamma"))
    message = str(caught.value)
    assert "hook 'collect': a cycle" in message
    assert "plugins alpha, beta:" in message and "gamma" not in message
    assert "alpha asks to come after beta" in message


@pytest.mark.parametrize("signature, differs", [
    ("value, extra", "extra"),             # pluggy refuses it too
    ("value, extra=None", "extra"),        # pluggy would never pass it
    ("value, *, extra", "extra"),
])
def test_an_implementation_with_an_unknown_argument_names_both_plugins(
        make_plugin, settings, signature, differs):
    add_owner(make_plugin)
    add_impl(make_plugin, "alpha", signature=signature)
    with pytest.raises(HookError) as caught:
        build_app(settings("owner alpha"))
    message = str(caught.value)
    assert "plugin 'alpha' implements hook 'collect' of plugin 'owner'" in message
    assert f"argument(s) {differs} that the spec does not have" in message
    assert "the spec takes (value)" in message and "specs.py:5" in message


def test_a_wrapper_that_is_not_a_generator_is_refused_by_pluggy(make_plugin, settings):
    add_owner(make_plugin)
    add_impl(make_plugin, "alpha", marker="@hookimpl(wrapper=True)")
    with pytest.raises(HookError, match=r"plugin 'alpha' implements hook 'collect' of plugin "
                                        r"'owner' in a way its spec refuses: .*generator"):
        build_app(settings("owner alpha"))


def test_an_implementation_may_take_fewer_arguments(make_plugin, settings):
    add_owner(make_plugin)
    add_impl(make_plugin, "alpha", signature="")
    assert collect(build_app(settings("owner alpha"))) == ["alpha"]


def test_a_spec_of_a_plugin_not_enabled_leaves_its_implementations_dormant(
        make_plugin, settings):
    add_owner(make_plugin)
    add_impl(make_plugin, "alpha")
    app = build_app(settings("alpha"))
    found = hooks_of(app.registry)
    assert not hasattr(hooks(app.registry), "collect")
    assert [(impl.hook, impl.plugin) for impl in found.dormant] == [("collect", "alpha")]
    # Enabled, the owner's spec wakes them.
    assert collect(build_app(settings("owner alpha"))) == ["alpha"]


def test_a_hook_declared_by_two_plugins_is_an_error(make_plugin, settings):
    add_owner(make_plugin)
    add_owner(make_plugin, name="other")
    with pytest.raises(HookError, match=r"hook 'collect' is declared by two plugins: "
                                        r"'owner' .* and 'other'"):
        build_app(settings("owner other"))


def test_propagate_is_the_default_fault_policy(make_plugin, settings):
    add_owner(make_plugin)
    add_impl(make_plugin, "alpha", "raise RuntimeError('alpha broke')")
    add_impl(make_plugin, "beta")
    app = build_app(settings("owner alpha beta"))
    with pytest.raises(RuntimeError, match="alpha broke"):
        collect(app)
    assert webtest.TestApp(app).get("/owner/page", status=500)


def test_isolate_logs_the_plugin_and_goes_on_without_it(make_plugin, settings, caplog):
    add_owner(make_plugin, '(fault="isolate")')
    add_impl(make_plugin, "alpha", "raise RuntimeError('alpha broke')")
    add_impl(make_plugin, "beta")
    app = build_app(settings("owner alpha beta"))
    with caplog.at_level(logging.ERROR, logger="podium.hooks"):
        assert collect(app) == ["beta"]
    record = next(r for r in caplog.records if r.name == "podium.hooks")
    assert "implementation of plugin 'alpha' raised" in record.getMessage()
    assert "alpha broke" in record.exc_text
    assert webtest.TestApp(app).get("/owner/page").text == "beta"


def test_a_bad_fault_policy_is_refused_when_the_spec_is_written() -> None:
    from podium.api import hookspec

    with pytest.raises(ValueError, match="one of propagate, isolate"):
        hookspec(fault="ignore")


# -- versions -------------------------------------------------------------------------


def test_an_implementation_for_other_versions_of_the_spec_is_refused(make_plugin, settings):
    add_owner(make_plugin, "(version=2)")
    add_impl(make_plugin, "alpha", marker="@hookimpl(versions=[1])",
             signature="value, extra=None")
    with pytest.raises(HookError) as caught:
        build_app(settings("owner alpha"))
    message = str(caught.value)
    assert ("plugin 'alpha' implements hook 'collect' of plugin 'owner' for version(s) 1 "
            "of its spec, but the spec is version 2") in message
    # What differs, and where each is.
    assert "the spec takes (value) at " in message and "specs.py:5" in message
    assert "the implementation (value, extra) at " in message and "impls.py:4" in message


@pytest.mark.parametrize("options, marker", [
    ("(version=2)", "@hookimpl(versions=[1, 2])"),
    ("(version=2)", "@hookimpl"),                     # not stated: accepted
    ("", "@hookimpl(versions=(1,))"),                 # the default version is 1
])
def test_an_implementation_supporting_the_spec_version_is_called(
        make_plugin, settings, options, marker):
    add_owner(make_plugin, options)
    add_impl(make_plugin, "alpha", marker=marker)
    app = build_app(settings("owner alpha"))
    assert collect(app) == ["alpha"]
    [impl] = hooks_of(app.registry).impls["collect"]
    assert hooks_of(app.registry).specs["collect"].version == (2 if options else 1)
    assert impl.versions == (None if marker == "@hookimpl" else tuple(eval(marker[19:-1])))


@pytest.mark.parametrize("call, error", [
    ("hookspec(version=0)", ValueError),
    ("hookspec(version='2')", ValueError),
    ("hookimpl(versions=[])", TypeError),
    ("hookimpl(versions=['1'])", TypeError),
])
def test_bad_versions_are_refused_when_the_marker_is_written(call, error) -> None:
    from podium.api import hookimpl, hookspec  # noqa: F401 (used by eval)

    with pytest.raises(error, match="version"):
        eval(call)


def test_a_plugin_may_not_declare_a_hook_named_like_the_cores(make_plugin, settings):
    specs = ("from podium.api import hookspec\n\n\n@hookspec\n"
             "def podium_x(value):\n    pass\n")
    make_plugin("owner", PLUGIN.format(routes="pass", fields="hookspecs='PKG.specs'"),
                target="PKG:plugin", files={"specs.py": specs})
    with pytest.raises(HookError) as caught:
        build_app(settings("owner"))
    message = str(caught.value)
    assert "plugin 'owner' declares hook 'podium_x' (" in message and "specs.py:4" in message
    assert "names starting with 'podium_' are the core's hooks" in message


def test_a_hookspecs_module_without_a_spec_names_the_plugin(make_plugin, settings):
    make_plugin("owner", PLUGIN.format(routes="pass", fields="hookspecs='PKG.specs'"),
                target="PKG:plugin", files={"specs.py": "def collect(value):\n    pass\n"})
    with pytest.raises(HookError, match=r"plugin 'owner': its hookspecs module '.*specs' "
                                        r"declares no hook \(no function marked"):
        build_app(settings("owner"))


GATHER = SPECS.format(options="") + '''

@hookspec
def gather(value):
    """A second hook, which the same plugins implement without hints."""
'''


def add_both(make_plugin, name: str, collect_marker: str = "@hookimpl") -> None:
    code = (f"from podium.api import hookimpl\n\n\n{collect_marker}\n"
            f"def collect(value):\n    return {name!r}\n\n\n"
            f"@hookimpl\ndef gather(value):\n    return {name!r}\n")
    make_plugin(name, PLUGIN.format(routes="pass", fields="hookimpls='PKG.impls'"),
                target="PKG:plugin", files={"impls.py": code})


def test_a_hint_reorders_its_hook_only(make_plugin, settings):
    make_plugin("owner", PLUGIN.format(routes="pass", fields="hookspecs='PKG.specs'"),
                target="PKG:plugin", files={"specs.py": GATHER})
    add_both(make_plugin, "alpha", '@hookimpl(after=["gamma"])')
    add_both(make_plugin, "beta")
    add_both(make_plugin, "gamma")
    app = build_app(settings("owner alpha beta gamma"))
    assert collect(app) == ["beta", "gamma", "alpha"]
    assert hooks(app.registry).gather(value=1) == ["alpha", "beta", "gamma"]
    assert hook_results(app.registry, "collect", value=1) == [
        ("beta", "beta"), ("gamma", "gamma"), ("alpha", "alpha")]
    assert hook_results(app.registry, "gather", value=1) == [
        ("alpha", "alpha"), ("beta", "beta"), ("gamma", "gamma")]
    found = hooks_of(app.registry).impls
    assert [impl.plugin for impl in found["gather"]] == ["alpha", "beta", "gamma"]
    assert [impl.reason for impl in found["gather"]] == [
        "alpha is 2nd in the plugin order", "beta is 3rd in the plugin order",
        "gamma is 4th in the plugin order"]


def test_a_hint_the_plugin_order_already_meets_keeps_its_reason(make_plugin, settings):
    add_owner(make_plugin)
    add_impl(make_plugin, "alpha", marker='@hookimpl(before=["beta"])')
    add_impl(make_plugin, "beta")
    app = build_app(settings("owner alpha beta"))
    assert collect(app) == ["alpha", "beta"]
    assert [impl.reason for impl in hooks_of(app.registry).impls["collect"]] == [
        "alpha is 2nd in the plugin order",
        "beta is 3rd in the plugin order; after alpha (alpha asks to come before beta)"]


def test_a_plugin_may_implement_a_hook_twice(make_plugin, settings):
    add_owner(make_plugin)
    code = ("from podium.api import hookimpl\n\n\n@hookimpl\n"
            "def collect(value):\n    return 'alpha 1'\n\n\n"
            "@hookimpl(specname='collect')\ndef collect_again(value):\n"
            "    return 'alpha 2'\n")
    make_plugin("alpha", PLUGIN.format(routes="pass", fields="hookimpls='PKG.impls'"),
                target="PKG:plugin", files={"impls.py": code})
    add_impl(make_plugin, "beta")
    app = build_app(settings("owner beta alpha"))
    assert collect(app) == ["beta", "alpha 1", "alpha 2"]
    assert hook_results(app.registry, "collect", value=1) == [
        ("beta", "beta"), ("alpha", "alpha 1"), ("alpha", "alpha 2")]
