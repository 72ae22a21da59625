"""Renderers: Jinja2 for pages, JSON that knows Podium's column types, streaming CSV."""

from pyramid.config import Configurator


def includeme(config: Configurator) -> None:
    config.include(".jinja2")
    config.include(".json")
    config.include(".csv")
