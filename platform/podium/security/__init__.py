"""Secure defaults: signed sessions and CSRF on every unsafe method."""

from pyramid.config import Configurator


def includeme(config: Configurator) -> None:
    config.include(".sessions")
    config.include(".csrf")
