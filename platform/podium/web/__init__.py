"""The core's own pages: layout, home, error pages, core static files."""

from pyramid.config import Configurator


def includeme(config: Configurator) -> None:
    config.include(".layout")
    config.include(".home")
    config.include(".errors")
    config.include(".health")  # GET /health for load balancers
    config.include(".body_limit")  # 413 for bodies over podium.max_body_size, before they are read
    config.include(".unreadable")  # 400 for paths, query strings and forms WebOb cannot read
    # One tween for the checks of the request: the Host (podium.allowed_hosts)
    # before anything else, then the two above.
    config.include(".checks")
