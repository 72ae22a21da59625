"""A host application embedding Podium: its own registrations win over the
plugins' and the core's wherever in its package it makes them, and a conflict
between two of its own modules names them (issue 15)."""

from __future__ import annotations

import sys
import textwrap
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import webtest
from pyramid.config import Configurator
from pyramid.exceptions import ConfigurationConflictError

from podium.api import commit_config
from podium.plugins.errors import PluginConflictError

PLUGIN = '''
from pyramid.response import Response


def hello(request):
    return Response("hello from the plugin at " + request.route_path("alpha.hello"))


def shout(request):
    return "plugin shout"


def includeme(config):
    config.add_route("alpha.hello", "/hello")
    config.add_view(hello, route_name="alpha.hello")
    config.add_request_method(shout, "shout", reify=True)
'''

#: A module of the host that replaces the plugin's view and request method.
HOST_VIEWS = '''
from pyramid.response import Response


def hello(request):
    return Response("hello from the host, shouting " + request.shout)


def shout(request):
    return "host shout"


def includeme(config):
    config.add_view(hello, route_name="alpha.hello")
    config.add_request_method(shout, "shout", reify=True)
'''

#: The same, from a decorator found by config.scan().
HOST_SCANNED = '''
from pyramid.response import Response
from pyramid.view import view_config


@view_config(route_name="alpha.hello")
def hello(request):
    return Response("hello from the host's scanned view")
'''


@pytest.fixture
def host(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Callable[..., str]]:
    """``host({"views.py": code, ...})`` writes a package of the host
    application (not a plugin: no entry point) and returns its name."""
    root = tmp_path / "host"
    root.mkdir()
    monkeypatch.syspath_prepend(str(root))
    names: list[str] = []

    def make(files: dict[str, str]) -> str:
        name = f"host_{uuid.uuid4().hex[:8]}"
        package = root / name
        package.mkdir()
        (package / "__init__.py").write_text(textwrap.dedent(files.pop("__init__.py", "")))
        for relative, code in files.items():
            (package / relative).write_text(textwrap.dedent(code))
        names.append(name)
        return name

    yield make
    for module in list(sys.modules):
        if module.split(".")[0] in names:
            del sys.modules[module]


@pytest.fixture
def alpha(make_plugin) -> str:
    return make_plugin("alpha", PLUGIN, distribution="alpha-dist")


def served(app) -> str:
    return webtest.TestApp(app, extra_environ={"HTTP_HOST": "localhost"}).get("/alpha/hello").text


def test_the_hosts_includeme_beside_podiums_overrides_the_plugin(alpha, host, settings):
    package = host({"views.py": HOST_VIEWS})
    config = Configurator(settings=settings("alpha"))
    config.include("podium")
    config.include(f"{package}.views")  # a sibling of Podium's include, not its includer
    commit_config(config)
    assert served(config.make_wsgi_app()) == "hello from the host, shouting host shout"


def test_it_holds_with_a_plain_pyramid_commit(alpha, host, settings):
    package = host({"views.py": HOST_VIEWS})
    with Configurator(settings=settings("alpha")) as config:
        config.include("podium")
        config.include(f"{package}.views")
    assert served(config.make_wsgi_app()) == "hello from the host, shouting host shout"


def test_it_holds_for_registrations_made_before_including_podium(alpha, host, settings):
    package = host({"views.py": HOST_VIEWS})
    config = Configurator(settings=settings("alpha"))
    config.include(f"{package}.views")
    config.include("podium")
    commit_config(config)
    assert served(config.make_wsgi_app()) == "hello from the host, shouting host shout"


def test_it_holds_for_a_scanned_module_deep_in_the_hosts_includes(alpha, host, settings):
    package = host({
        "__init__.py": '''
            def includeme(config):
                config.include("podium")
                config.include(".site")
        ''',
        "site.py": '''
            def includeme(config):
                config.scan(".scanned")
        ''',
        "scanned.py": HOST_SCANNED,
    })
    config = Configurator(settings=settings("alpha"))
    config.include(package)
    commit_config(config)
    assert served(config.make_wsgi_app()) == "hello from the host's scanned view"


def test_it_holds_for_the_core_and_for_routes(alpha, host, settings):
    package = host({"__init__.py": '''
        from pyramid.response import Response


        def home(request):
            return Response("the host's home page")


        def includeme(config):
            config.add_view(home, route_name="podium.home")
            config.add_route("alpha.hello", "/greeting")  # the plugin's view follows it
    '''})
    config = Configurator(settings=settings("alpha"))
    config.include("podium")
    config.include(package)
    commit_config(config)
    app = webtest.TestApp(config.make_wsgi_app(), extra_environ={"HTTP_HOST": "localhost"})
    assert app.get("/").text == "the host's home page"
    assert app.get("/greeting").text == "hello from the plugin at /greeting"
    app.get("/alpha/hello", status=404)


def test_what_the_host_does_not_override_is_the_plugins(alpha, host, settings):
    package = host({"__init__.py": '''
        def includeme(config):
            config.add_request_method(lambda request: "host shout", "shout", reify=True)
    '''})
    config = Configurator(settings=settings("alpha"))
    config.include("podium")
    config.include(package)
    commit_config(config)
    assert served(config.make_wsgi_app()) == "hello from the plugin at /alpha/hello"
    introspector = config.registry.introspector
    views = [i for i in introspector.get_category("views")
             if i["introspectable"]["route_name"] == "alpha.hello"]
    assert len(views) == 1 and views[0]["introspectable"]["callable"].__module__ == alpha


def test_two_modules_of_the_host_still_conflict_naming_both_modules(alpha, host, settings):
    package = host({"one.py": HOST_VIEWS, "two.py": HOST_VIEWS})
    config = Configurator(settings=settings("alpha"))
    config.include("podium")
    config.include(f"{package}.one")
    config.include(f"{package}.two")
    with pytest.raises(PluginConflictError) as info:
        commit_config(config)
    message = str(info.value)
    assert (f"view for route 'alpha.hello' is registered by application module "
            f"'{package}.one' and by application module '{package}.two'") in message
    assert f"request method 'shout' is registered by application module '{package}.one'" \
        in message
    assert "plugin 'alpha'" not in message and "the application" not in message
    assert f"{package}/one.py:14" in message and f"{package}/two.py:14" in message


def test_a_plain_commit_reports_the_hosts_own_conflict_as_pyramid_does(alpha, host, settings):
    package = host({"one.py": HOST_VIEWS, "two.py": HOST_VIEWS})
    config = Configurator(settings=settings("alpha"))
    config.include("podium")
    config.include(f"{package}.one")
    config.include(f"{package}.two")
    with pytest.raises(ConfigurationConflictError) as info:
        config.commit()
    assert "one.py" in str(info.value) and "two.py" in str(info.value)
    assert "alpha_" not in str(info.value)  # the plugin's registration lost, quietly


def test_a_conflict_with_the_core_names_the_core(make_plugin, settings):
    make_plugin("intruder", '''
def page(request):
    return {}

def includeme(config):
    config.add_view(page, route_name="podium.home", renderer="json")
''', distribution="intruder-dist")
    config = Configurator(settings=settings("intruder"))
    config.include("podium")
    with pytest.raises(PluginConflictError) as info:
        commit_config(config)
    message = str(info.value)
    assert "view for route 'podium.home' is registered by " in message
    assert "Podium's core (podium.web.home) at " in message
    assert "plugin 'intruder' (intruder-dist 1.0) at " in message
    assert "the application" not in message


def test_an_action_added_during_the_commit_does_not_revive_the_overridden_one(
        make_plugin, host, settings):
    """Pyramid keeps an overridden action among those to run and resolves it
    again, out of order, when an action adds another during the commit."""
    make_plugin("alpha", PLUGIN + '''

def add_more(config):
    def more():
        config.action(None, lambda: None, order=5)
    config.action(None, more, order=1)

_plain_includeme = includeme

def includeme(config):
    _plain_includeme(config)
    add_more(config)
''')
    package = host({"views.py": HOST_VIEWS})
    config = Configurator(settings=settings("alpha"))
    config.include("podium")
    config.include(f"{package}.views")
    config.add_view(lambda request: "main's own", route_name="podium.home", renderer="string")
    commit_config(config)
    app = webtest.TestApp(config.make_wsgi_app(), extra_environ={"HTTP_HOST": "localhost"})
    assert app.get("/alpha/hello").text == "hello from the host, shouting host shout"
    assert app.get("/").text == "main's own"


def test_pyramids_own_includer_rule_survives_an_action_added_during_the_commit(
        make_plugin, host, settings):
    """A plugin overriding what it includes, and a host module overriding
    what it includes: Pyramid's rule, which its re-resolution broke."""
    make_plugin("beta", '''
from pyramid.response import Response

def included(request):
    return Response("included")

def own(request):
    return Response("the plugin's own")

def sub(config):
    config.add_view(included, route_name="beta.page")

def includeme(config):
    config.add_route("beta.page", "/page")
    config.include(sub)
    config.add_view(own, route_name="beta.page")
    config.action(None, lambda: config.action(None, lambda: None, order=5), order=1)
''')
    package = host({"__init__.py": '''
        from pyramid.response import Response


        def included(request):
            return Response("included by the host")


        def own(request):
            return Response("the host's own")


        def sub(config):
            config.add_view(included, route_name="podium.home")


        def includeme(config):
            config.include(sub)
            config.add_view(own, route_name="podium.home")
    '''})
    config = Configurator(settings=settings("beta"))
    config.include("podium")
    config.include(package)
    commit_config(config)
    app = webtest.TestApp(config.make_wsgi_app(), extra_environ={"HTTP_HOST": "localhost"})
    assert app.get("/beta/page").text == "the plugin's own"
    assert app.get("/").text == "the host's own"
