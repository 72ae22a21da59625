"""podium.api: what it exports, and its deprecated names."""

from __future__ import annotations

import pytest
from pyramid.config import Configurator

import podium.api


def test_every_exported_name_exists() -> None:
    missing = [name for name in podium.api.__all__ if not hasattr(podium.api, name)]
    assert missing == []


def test_commit_config_commits_the_configuration() -> None:
    config = Configurator()
    config.add_route("a", "/a")
    podium.api.commit_config(config)
    assert config.get_routes_mapper().get_route("a") is not None


def test_commit_is_the_deprecated_name_of_commit_config() -> None:
    config = Configurator()
    config.add_route("a", "/a")
    with pytest.warns(DeprecationWarning, match="commit_config"):
        podium.api.commit(config)
    assert config.get_routes_mapper().get_route("a") is not None
