"""Every workaround of podium.workarounds is for the dependency versions it
was written for: an upgrade outside that range fails here first, naming the
module to check again."""

from __future__ import annotations

import importlib
import pkgutil
from importlib.metadata import version

import pytest
from packaging.specifiers import SpecifierSet
from pyramid.config import Configurator

import podium.workarounds
from podium.workarounds.pyramid_conflicts import conflicts_of

MODULES = sorted(info.name for info in pkgutil.iter_modules(podium.workarounds.__path__))


def test_there_are_workarounds_to_check() -> None:
    expected = {"alembic_late_version_locations", "pyramid_conflicts",
                "pyramid_jinja2_loader", "pyramid_package_overrides", "waitress_drain"}
    assert expected <= set(MODULES)


@pytest.mark.parametrize("name", MODULES)
def test_each_workaround_is_for_the_installed_version(name: str) -> None:
    module = importlib.import_module(f"podium.workarounds.{name}")
    installed = version(module.DEPENDENCY)
    assert SpecifierSet(module.SUPPORTED).contains(installed, prereleases=True), (
        f"{module.DEPENDENCY} {installed} is outside {module.SUPPORTED}, the range "
        f"podium/workarounds/{name}.py was written for: check that it still holds "
        "(or that a public way now exists), then widen SUPPORTED")


def test_conflicts_are_read_from_pyramid_error() -> None:
    from pyramid.exceptions import ConfigurationConflictError

    config = Configurator()
    config.add_route("a", "/a")
    config.add_route("a", "/b")
    with pytest.raises(ConfigurationConflictError) as caught:
        config.commit()
    conflicts = conflicts_of(caught.value)
    assert list(conflicts) == [("route", "a")]
    assert len(conflicts[("route", "a")]) == 2
