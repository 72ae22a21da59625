"""The core's own pages: layout, home, error pages, core static files."""

from pyramid.config import Configurator


def includeme(config: Configurator) -> None:
    config.include(".layout")
    config.include(".home")
    config.include(".errors")
    config.include(".health")  # GET /health for load balancers
    config.include(".hosts")  # 400 for a Host not in podium.allowed_hosts, before anything else
    config.include(".body_limit")  # 413 for bodies over podium.max_body_size, before they are read
    config.include(".unreadable")  # 400 for paths, query strings and forms WebOb cannot read
