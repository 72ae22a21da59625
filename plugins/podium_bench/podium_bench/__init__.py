"""The benchmark plugin: TechEmpower's scenarios written as a Podium plugin.

``python -m bench`` measures Podium through this plugin, next to the same
scenarios hand-written for bare Pyramid, a cookiecutter-style app and Flask
(``bench/peers/``).  It is written the way a plugin author would write it, so
that what the harness measures is what a plugin pays.

It is enabled wherever ``podium.plugins = *``, so it stays harmless: importing
it imports nothing but this module, including it touches no database, and its
database pages answer 503 with an explanation when the benchmark tables
(``world`` and ``fortune``, created and seeded by the harness) are missing.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pyramid.config import Configurator

title = "Benchmarks"
description = "The TechEmpower scenarios that python -m bench measures Podium with"
front_page = "bench.json"

#: Route name suffix -> pattern, below the plugin's prefix (``/bench``).
ROUTES = {
    "plaintext": "/plaintext",
    "json": "/json",
    "db": "/db",
    "queries": "/queries",
    "fortunes": "/fortunes",
    "updates": "/updates",
    "form": "/form",
}


def includeme(config: Configurator) -> None:
    """Routes and views; the views module (and its models) load only here, so
    that discovering the plugin, e.g. for ``podium db upgrade``, adds no
    tables to the shared metadata."""
    from podium.api import PUBLIC

    from . import views

    for name, pattern in ROUTES.items():
        config.add_route(f"bench.{name}", pattern)
    config.add_view(views.plaintext, route_name="bench.plaintext", permission=PUBLIC)
    config.add_view(views.hello_json, route_name="bench.json", permission=PUBLIC, renderer="json")
    config.add_view(views.single_query, route_name="bench.db", permission=PUBLIC, renderer="json")
    config.add_view(views.queries, route_name="bench.queries", permission=PUBLIC, renderer="json")
    config.add_view(
        views.fortunes, route_name="bench.fortunes", permission=PUBLIC,
        renderer="podium_bench:templates/fortunes.jinja2",
    )
    config.add_view(views.updates, route_name="bench.updates", permission=PUBLIC, renderer="json")
    config.add_view(
        views.form_page, route_name="bench.form", permission=PUBLIC, request_method="GET",
        renderer="podium_bench:templates/form.jinja2",
    )
    config.add_view(views.form_post, route_name="bench.form", permission=PUBLIC,
                    request_method="POST")
    config.add_static_view("static", "podium_bench:static", cache_max_age=3600)
