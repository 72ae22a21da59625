"""Template overrides: by spec, through extends/include/import, ``| original``,
error pages and rendering outside a request (``bootstrap``)."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest
import webtest
from jinja2 import TemplateNotFound
from pyramid.config import Configurator
from pyramid_jinja2 import IJinja2Environment

from podium.assets.templates import OriginalOf
from podium.plugins.conflicts import commit_naming_plugins
from podium.testing import build_app
from podium.testing.apps import base_settings

PLUGIN = '''
def page(request):
    return {"name": "world"}

def includeme(config):
    config.add_route("themed.page", "/page")
    config.add_view(page, route_name="themed.page", renderer=__name__ + ":templates/page.jinja2")
'''

PAGE = '''{% extends "podium:templates/layout.jinja2" %}
{% import "PKG:templates/macros.jinja2" as m %}
{% block title %}Plugin page{% endblock %}
{% block content %}<h1 id="greeting">{{ m.greet(name) }}</h1>
<div id="part">{% include "PKG:templates/part.jinja2" %}</div>
<div id="relative">{% include "relative.jinja2" %}</div>{% endblock %}
'''
FILES = {
    "templates/page.jinja2": PAGE,
    "templates/macros.jinja2": '{% macro greet(name) %}Hello, {{ name }}{% endmacro %}',
    "templates/part.jinja2": "plugin part",
    "templates/relative.jinja2": "plugin relative",
}


def write(root: Path, files: dict[str, str], package: str = "") -> None:
    for relative, content in files.items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(content).replace("PKG", package))


@pytest.fixture
def themed(make_plugin, tmp_path):
    """The plugin's package name; its files are under tmp_path/site/<package>."""
    package = make_plugin("themed", PLUGIN)
    write(tmp_path / "site" / package, FILES, package)
    return package


@pytest.fixture
def settings(tmp_path):
    def make(**extra: str) -> dict:
        values = base_settings(f"sqlite:///{tmp_path / 'o.sqlite'}", "themed")
        values.update(extra)
        return values
    return make


def app_with_code_overrides(settings: dict, *pairs: tuple[str, str]) -> webtest.TestApp:
    """A downstream application: includes Podium, then overrides from code."""
    config = Configurator(settings=settings)
    config.include("podium")
    for target, source in pairs:
        config.override_asset(target, source)
    commit_naming_plugins(config)
    return webtest.TestApp(config.make_wsgi_app(), extra_environ={"HTTP_HOST": "localhost"})


def source(tmp_path: Path, name: str, content: str) -> str:
    path = tmp_path / "overrides" / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(content))
    return str(path)


def test_without_overrides_the_plugin_templates_render(themed, settings):
    res = webtest.TestApp(build_app(settings())).get("/themed/page")
    assert res.html.select_one("#greeting").text == "Hello, world"
    assert res.html.select_one("#part").text == "plugin part"
    assert res.html.select_one("#relative").text == "plugin relative"


def test_app_code_overrides_the_template_a_view_renders(themed, settings, tmp_path):
    new = source(tmp_path, "page.jinja2", "<p id='replaced'>replaced {{ name }}</p>")
    res = app_with_code_overrides(settings(), (f"{themed}:templates/page.jinja2", new)).get(
        "/themed/page")
    assert res.html.select_one("#replaced").text == "replaced world"


def test_an_included_template_is_overridden(themed, settings, tmp_path):
    new = source(tmp_path, "part.jinja2", "app part")
    res = app_with_code_overrides(settings(), (f"{themed}:templates/part.jinja2", new)).get(
        "/themed/page")
    assert res.html.select_one("#part").text == "app part"


def test_a_template_included_by_a_relative_name_is_overridden(themed, settings, tmp_path):
    new = source(tmp_path, "relative.jinja2", "app relative")
    res = app_with_code_overrides(settings(), (f"{themed}:templates/relative.jinja2", new)).get(
        "/themed/page")
    assert res.html.select_one("#relative").text == "app relative"


def test_imported_macros_are_overridden(themed, settings, tmp_path):
    new = source(tmp_path, "macros.jinja2",
                 "{% macro greet(name) %}Howdy, {{ name | upper }}{% endmacro %}")
    res = app_with_code_overrides(settings(), (f"{themed}:templates/macros.jinja2", new)).get(
        "/themed/page")
    assert res.html.select_one("#greeting").text == "Howdy, WORLD"


def test_the_extended_layout_is_overridden_from_the_setting(themed, settings, tmp_path):
    layout = source(tmp_path, "layout.jinja2", '''
        {% extends "podium:templates/layout.jinja2" | original %}
        {% block brand %}<a class="podium-brand" id="brand">Acme</a>{% endblock %}
    ''')
    app = webtest.TestApp(build_app(settings(**{
        "podium.asset_overrides": f"podium:templates/layout.jinja2 = {layout}"})))
    res = app.get("/themed/page")
    assert res.html.select_one("#brand").text == "Acme"
    assert res.html.select_one("#greeting").text == "Hello, world"  # the page is untouched
    assert res.html.select_one("nav.podium-nav") is not None  # the rest of the original layout
    assert app.get("/").html.select_one("#brand").text == "Acme"  # every page


def test_an_override_extends_the_template_it_replaces(themed, settings, tmp_path):
    new = source(tmp_path, "page.jinja2", f'''
        {{% extends "{themed}:templates/page.jinja2" | original %}}
        {{% block title %}}Reworded{{% endblock %}}
    ''')
    res = app_with_code_overrides(settings(), (f"{themed}:templates/page.jinja2", new)).get(
        "/themed/page")
    assert res.html.title.text == "Reworded"
    assert res.html.select_one("#greeting").text == "Hello, world"
    assert res.html.select_one("#part").text == "plugin part"


def test_original_composes_down_a_chain_of_overrides(themed, make_plugin, settings, tmp_path):
    """A theme plugin overrides the layout; the site overrides it again: each
    extends the one below and changes its own block."""
    theme = make_plugin("theme", 'def includeme(config):\n'
                        '    config.override_asset("podium:templates/layout.jinja2",'
                        ' __name__ + ":layout.jinja2")\n')
    write(tmp_path / "site" / theme, {"layout.jinja2": '''
        {% extends "podium:templates/layout.jinja2" | original %}
        {% block footer %}<span id="footer">Theme footer</span>{% endblock %}
        {% block brand %}<span id="brand">Theme</span>{% endblock %}
    '''})
    site = source(tmp_path, "layout.jinja2", '''
        {% extends "podium:templates/layout.jinja2" | original %}
        {% block brand %}<span id="brand">Site</span>{% endblock %}
    ''')
    app = webtest.TestApp(build_app(settings(**{
        "podium.plugins": "themed theme",
        "podium.asset_overrides": f"podium:templates/layout.jinja2 = {site}"})))
    res = app.get("/themed/page")
    assert res.html.select_one("#brand").text == "Site"
    assert res.html.select_one("#footer").text == "Theme footer"
    assert res.html.select_one("#greeting").text == "Hello, world"


def test_original_of_a_template_nobody_overrides_says_so(themed, settings, tmp_path):
    app = build_app(settings())
    env = app.registry.queryUtility(IJinja2Environment, ".jinja2")
    template = env.from_string(f'{{% include "{themed}:templates/part.jinja2" | original %}}')
    # From a template that is not an override: the package's own file.
    assert template.render() == "plugin part"
    # From the template itself, when nothing overrides it: nothing is below.
    spec = f"{themed}:templates/part.jinja2"
    with pytest.raises(TemplateNotFound, match=r"there is no template below"):
        env.get_template(OriginalOf(spec), parent=spec)


def test_error_pages_are_overridable(themed, settings, tmp_path):
    error = source(tmp_path, "error.jinja2", '''
        {% extends "podium:templates/error.jinja2" | original %}
        {% block content %}<h1 id="oops">Oops: {{ status }}</h1>{% endblock %}
    ''')
    app = webtest.TestApp(build_app(settings(**{
        "podium.asset_overrides": f"podium:templates/error.jinja2 = {error}"})))
    res = app.get("/nowhere", status=404, headers={"Accept": "text/html"})
    assert res.html.select_one("#oops").text == "Oops: 404"


def test_rendering_under_bootstrap_uses_the_overrides(themed, tmp_path):
    from pyramid.paster import bootstrap
    from pyramid.renderers import render

    new = source(tmp_path, "part.jinja2", "bootstrap part")
    ini = tmp_path / "site.ini"
    ini.write_text(textwrap.dedent(f"""
        [app:main]
        use = egg:podium
        podium.plugins = themed
        podium.secret = {"s" * 40}
        sqlalchemy.url = sqlite:///{tmp_path / 'b.sqlite'}
        podium.asset_overrides = {themed}:templates/part.jinja2 = {new}
    """))
    env = bootstrap(str(ini))
    try:
        html = render(f"{themed}:templates/page.jinja2", {"name": "cli"}, request=env["request"])
    finally:
        env["closer"]()
    assert "bootstrap part" in html and "Hello, cli" in html
