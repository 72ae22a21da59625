"""Secure defaults: signed sessions, CSRF on unsafe requests, security headers."""

from pyramid.config import Configurator


def includeme(config: Configurator) -> None:
    config.include(".sessions")
    config.include(".csrf")
    config.include(".headers")
    config.include(".forbidden")  # 401 for nobody, 403 for a user without the permission
