"""Settings: their types and errors (:mod:`.types`, a leaf) and the core's
own settings with their validation (:mod:`.core`)."""

from pyramid.config import Configurator


def includeme(config: Configurator) -> None:
    config.include(".core")
