"""Secure defaults: signed sessions, CSRF on unsafe requests, security headers."""

from pyramid.config import Configurator


def includeme(config: Configurator) -> None:
    config.include(".sessions")
    config.include(".csrf")
    config.include(".headers")
