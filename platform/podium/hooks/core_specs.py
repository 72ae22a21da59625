"""The core's own hooks: declared by Podium (owner ``podium``), implemented by
plugins. Their names start with ``podium_``, which no plugin may declare."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from pyramid.registry import Registry
from pyramid.request import Request

from ..web.home_section import HomeSection
from .markers import hookspec


@hookspec(fault="isolate")
def podium_home_sections(request: Request) -> Sequence[HomeSection]:  # type: ignore[empty-body]
    """Sections for the home page (``/``): each plugin returns a list of
    :class:`podium.api.HomeSection`, shown by ``weight``, then in the plugin
    order. A plugin that raises is logged and the page shows the others."""


@hookspec
def podium_validate_settings(settings: Mapping[str, Any]) -> Sequence[str] | None:
    """Check the application's settings, the plugins' already typed: each
    message returned is a start-up error naming the implementing plugin."""


@hookspec
def podium_configured(registry: Registry) -> None:
    """Called once when the application is configured: every configuration
    action has run and ``make_wsgi_app`` is about to return the application."""
