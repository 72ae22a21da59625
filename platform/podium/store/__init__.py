"""The transactional store: engine, session factory, ``request.dbsession``."""

from pyramid.config import Configurator


def includeme(config: Configurator) -> None:
    config.include(".engine")
    config.include(".sessions")
